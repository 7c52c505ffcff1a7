// apps.js: the Apps page. Registers sandbox apps, shows a secret once, resets it, manages
// subscriptions and shows usage against each limit. App IDs of this browser are kept in
// localStorage (IDs only); secrets stay in this tab's sessionStorage. No dependencies.
(() => {
  'use strict';
  const root = document.getElementById('apps');
  if (!root) return;
  let cfg = {};
  try { cfg = JSON.parse((document.getElementById('apps-data') || {}).textContent || '{}'); } catch { /* defaults */ }

  const put = (el, ...kids) => el.replaceChildren(...kids.flat().filter((k) => k != null && k !== false));
  const h = (tag, attrs, ...kids) => {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k === 'text') el.textContent = v;
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : v);
    }
    for (const kid of kids.flat()) if (kid != null && kid !== false) el.append(kid);
    return el;
  };
  const session = {
    get(k) { try { return sessionStorage.getItem('portal.' + k) || ''; } catch { return ''; } },
    set(k, v) { try { v ? sessionStorage.setItem('portal.' + k, v) : sessionStorage.removeItem('portal.' + k); } catch { /* storage off */ } },
  };
  const ids = {
    all() { try { return JSON.parse(localStorage.getItem('portal.apps') || '[]').filter((x) => typeof x === 'string'); } catch { return []; } },
    save(list) { try { localStorage.setItem('portal.apps', JSON.stringify([...new Set(list)])); } catch { /* storage off */ } },
  };
  let uid = 0;
  const nid = (s) => `apps-${s}-${++uid}`;

  const envs = (cfg.environments || []).filter((e) => !e.live);
  const sandbox = (session.get('sandbox') || cfg.sandbox || (envs[0] && envs[0].url) || 'http://127.0.0.1:4010').replace(/\/$/, '');
  const api = async (method, path, { id, secret, body } = {}) => {
    const headers = { Accept: 'application/json' };
    if (id) { headers['X-IBM-Client-Id'] = id; headers['X-IBM-Client-Secret'] = secret || ''; }
    if (body) headers['Content-Type'] = 'application/json';
    let res;
    try {
      res = await fetch(sandbox + path, { method, headers, body: body && JSON.stringify(body), cache: 'no-store', credentials: 'omit' });
    } catch {
      throw new Error(`Could not reach the sandbox at ${sandbox}. Start it with "portal mock" (or "portal serve") in the portal's folder, then try again.`);
    }
    const text = await res.text();
    let data = {};
    try { data = text ? JSON.parse(text) : {}; } catch { /* not JSON */ }
    if (!res.ok) {
      const err = new Error(data.detail || data.title || `The sandbox answered ${res.status}.`);
      err.status = res.status;
      throw err;
    }
    return { status: res.status, data };
  };

  const status = h('p', { class: 'apps-status', role: 'status', 'aria-live': 'polite' });
  const say = (msg) => { status.textContent = msg; };

  // A copy button for a value shown once.
  const copyable = (label, value) => {
    const code = h('code', { class: 'apps-value', text: value });
    const btn = h('button', { type: 'button', class: 'try-button', text: 'Copy', 'aria-label': `Copy ${label}` });
    btn.addEventListener('click', async () => {
      try { await navigator.clipboard.writeText(value); say(`${label} copied.`); } catch {
        const r = document.createRange(); r.selectNodeContents(code);
        const sel = getSelection(); sel.removeAllRanges(); sel.addRange(r);
        say(`${label} selected: press Ctrl+C (or ⌘C) to copy it.`);
      }
    });
    return h('div', { class: 'apps-secret-row' }, h('span', { class: 'apps-label', text: label }), code, btn);
  };
  const onceBox = (title, rows) => {
    const box = h('div', { class: 'apps-once', role: 'alert', tabindex: '-1' },
      h('p', {}, h('strong', { text: title })), rows,
      h('p', { class: 'apps-warn', text: 'Copy the secret now: you will not see this secret again. It is kept in this tab only; if you lose it, reset it.' }),
      h('button', { type: 'button', class: 'try-button', text: 'I have copied it', onclick: () => box.remove() }));
    return box;
  };

  // ---- register -------------------------------------------------------------------------------
  const nameIn = h('input', { type: 'text', id: 'app-name', name: 'name', required: true, autocomplete: 'off', maxlength: '200' });
  const descIn = h('textarea', { id: 'app-description', name: 'description', rows: '2', maxlength: '1000' });
  const created = h('div', { class: 'apps-created' });
  const regForm = h('form', { class: 'apps-register' },
    h('h2', { id: 'register-heading', text: 'Register an app' }),
    h('div', { class: 'try-field' }, h('label', { for: 'app-name', text: 'Name' }), nameIn),
    h('div', { class: 'try-field' }, h('label', { for: 'app-description', text: 'Description (optional)' }), descIn),
    h('button', { type: 'submit', class: 'try-button try-send', text: 'Register app' }), created);
  regForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!nameIn.value.trim()) { say('Give the app a name.'); nameIn.focus(); return; }
    try {
      const { data } = await api('POST', '/_sandbox/apps', { body: { name: nameIn.value.trim(), description: descIn.value.trim() } });
      ids.save([...ids.all(), data.client_id]);
      remember(data.client_id, data.client_secret);
      const box = onceBox(`App "${data.name}" registered.`, [copyable('Client ID', data.client_id), copyable('Client secret', data.client_secret)]);
      put(created, box);
      box.focus();
      nameIn.value = ''; descIn.value = '';
      say(`App ${data.name} registered; its keys are filled in on the Try consoles of this tab.`);
      renderList();
    } catch (e) { say(`Could not register the app: ${e.message}`); }
  });

  // The tab's secrets, per app; the last one touched is the Try console's.
  function remember(id, secret) {
    session.set('secret.' + id, secret);
    session.set('clientId', id);
    session.set('clientSecret', secret);
  }

  // ---- list ------------------------------------------------------------------------------------
  const list = h('div', { class: 'apps-list' });
  let plans = null;
  const plansReady = api('GET', '/_sandbox/plans').then(({ data }) => { plans = data.plans || []; }).catch(() => { plans = []; });
  // The plans page links here with ?subscribe=<product>:<plan> (a #subscribe= fragment works too).
  const wanted = new URLSearchParams(location.search).get('subscribe')
    || decodeURIComponent((location.hash.match(/^#subscribe=(.+)$/) || [])[1] || '');
  const banner = wanted ? h('p', { class: 'apps-banner', role: 'note' }, `Subscribe an app to ${wanted}: pick the app below (register one first if you have none), then press Subscribe.`) : null;

  function renderList() {
    const all = ids.all();
    put(list, h('h2', { id: 'your-apps', text: 'Your apps' }),
      all.length ? null : h('p', { class: 'muted', text: 'No app registered from this browser yet.' }),
      all.map(card));
  }

  function card(id) {
    const body = h('div', { class: 'apps-body' });
    const title = h('h3', { text: id });
    const el = h('article', { class: 'apps-card', 'aria-label': `App ${id}` }, title,
      h('p', {}, 'Client ID ', h('code', { text: id })), body);
    const secret = session.get('secret.' + id);
    if (secret) load(id, body, title); else unlockForm(id, body, title);
    return el;
  }

  function unlockForm(id, body, title, note) {
    const input = h('input', { type: 'password', id: nid('secret'), autocomplete: 'off', required: true });
    const form = h('form', { class: 'apps-unlock' },
      note && h('p', { class: 'apps-error', role: 'alert', text: note }),
      h('div', { class: 'try-field' }, h('label', { for: input.id, text: 'Client secret (kept in this tab only)' }), input),
      h('button', { type: 'submit', class: 'try-button', text: 'Show app' }),
      h('button', { type: 'button', class: 'try-button', text: 'Forget app', onclick: () => forget(id) }));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      session.set('secret.' + id, input.value.trim());
      load(id, body, title);
    });
    put(body, form);
  }

  function forget(id) {
    ids.save(ids.all().filter((x) => x !== id));
    session.set('secret.' + id, '');
    say(`App ${id} removed from this browser's list (it still exists in the sandbox).`);
    renderList();
  }

  async function load(id, body, title) {
    const secret = session.get('secret.' + id);
    let app;
    try {
      app = (await api('GET', `/_sandbox/apps/${encodeURIComponent(id)}`, { id, secret })).data;
    } catch (e) {
      if (e.status === 401) { session.set('secret.' + id, ''); unlockForm(id, body, title, `The sandbox did not accept that secret: ${e.message}`); return; }
      put(body, h('p', { class: 'apps-error', role: 'alert', text: e.message }),
        h('button', { type: 'button', class: 'try-button', text: 'Try again', onclick: () => load(id, body, title) }));
      return;
    }
    await plansReady;
    title.textContent = app.name || id;
    const once = h('div', {});
    const subs = h('div', { class: 'apps-subs' });
    const usage = h('div', { class: 'apps-usage' });
    const reset = h('button', { type: 'button', class: 'try-button', text: 'Reset secret' });
    reset.addEventListener('click', async () => {
      if (!confirm(`Reset the secret of ${app.name || id}? The current secret stops working at once, in every program that uses it.`)) return;
      try {
        const { data } = await api('POST', `/_sandbox/apps/${encodeURIComponent(id)}/secret`, { id, secret: session.get('secret.' + id) });
        remember(id, data.client_secret);
        const box = onceBox('New client secret. The old one no longer works.', [copyable('Client secret', data.client_secret)]);
        put(once, box);
        box.focus();
        say('Secret reset.');
      } catch (e) { say(`Could not reset the secret: ${e.message}`); }
    });
    const use = h('button', { type: 'button', class: 'try-button', text: 'Use in Try console', onclick: () => { remember(id, session.get('secret.' + id)); say(`The Try consoles of this tab now use ${app.name || id}.`); } });
    const refresh = h('button', { type: 'button', class: 'try-button', text: 'Refresh usage', onclick: () => refreshUsage(id, usage) });
    put(body, 
      app.description ? h('p', { text: app.description }) : null,
      h('div', { class: 'try-actions' }, use, reset, refresh, h('button', { type: 'button', class: 'try-button', text: 'Forget app', onclick: () => forget(id) })),
      once, subs, usage);
    renderSubs(id, app.subscriptions || [], subs, usage);
    renderUsage(app.usage, usage);
  }

  function renderSubs(id, list, el, usage) {
    const planTitle = (pid) => { const p = (plans || []).find((x) => x.id === pid); return p ? `${p.title} (${pid})` : pid; };
    const sel = h('select', { id: nid('plan') }, (plans || []).map((p) => h('option', { value: p.id, text: `${p.title} (${p.id})${p.approval ? ', needs approval' : ''}` })));
    if (wanted && (plans || []).some((p) => p.id === wanted)) sel.value = wanted;
    const form = h('form', { class: 'apps-subscribe' },
      h('div', { class: 'try-field' }, h('label', { for: sel.id, text: 'Plan' }), sel),
      h('button', { type: 'submit', class: 'try-button', text: 'Subscribe' }));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        const { status: code, data } = await api('POST', `/_sandbox/apps/${encodeURIComponent(id)}/subscriptions`, { id, secret: session.get('secret.' + id), body: { plan: sel.value } });
        list = list.concat([{ id: data.id, plan: sel.value, status: data.status }]);
        say(code === 202 || data.status === 'pending'
          ? `Subscription to ${sel.value} is pending: an administrator must approve it before calls are allowed.`
          : `Subscribed to ${sel.value}.`);
        renderSubs(id, list, el, usage);
        refreshUsage(id, usage, true);
      } catch (e) { say(`Could not subscribe: ${e.message}`); }
    });
    put(el, h('h4', { text: 'Subscriptions' }),
      list.length ? h('ul', { class: 'apps-sub-list' }, list.map((s) => h('li', {},
        `${planTitle(s.plan)}: `, h('span', { class: `badge apps-${s.status}`, text: s.status === 'pending' ? 'pending approval' : s.status }), ' ',
        h('button', { type: 'button', class: 'try-button try-small', text: 'Unsubscribe', 'aria-label': `Unsubscribe from ${s.plan}`, onclick: async () => {
          try {
            await api('DELETE', `/_sandbox/apps/${encodeURIComponent(id)}/subscriptions/${encodeURIComponent(s.id)}`, { id, secret: session.get('secret.' + id) });
            say(`Unsubscribed from ${s.plan}.`);
            renderSubs(id, list.filter((x) => x.id !== s.id), el, usage);
            refreshUsage(id, usage, true);
          } catch (e) { say(`Could not unsubscribe: ${e.message}`); }
        } })))) : h('p', { class: 'muted', text: 'Not subscribed to any plan: calls are refused (403) until you subscribe.' }),
      plans && plans.length ? form : h('p', { class: 'muted', text: 'The sandbox lists no plan.' }));
  }

  async function refreshUsage(id, el, quiet) {
    try {
      const { data } = await api('GET', `/_sandbox/apps/${encodeURIComponent(id)}/usage`, { id, secret: session.get('secret.' + id) });
      renderUsage(data, el);
      if (!quiet) say('Usage refreshed.');
    } catch (e) { say(`Could not read the usage: ${e.message}`); }
  }

  const windowText = (s) => s % 86400 === 0 ? `${s / 86400 === 1 ? '' : s / 86400 + ' '}day${s / 86400 === 1 ? '' : 's'}`
    : s % 3600 === 0 ? `${s / 3600 === 1 ? '' : s / 3600 + ' '}hour${s / 3600 === 1 ? '' : 's'}`
      : s % 60 === 0 ? `${s / 60 === 1 ? '' : s / 60 + ' '}minute${s / 60 === 1 ? '' : 's'}` : s === 1 ? 'second' : `${s} seconds`;

  function renderUsage(u, el) {
    const limits = (u && u.limits) || [];
    const ops = (u && u.operations) || [];
    put(el, h('h4', { text: 'Usage' }),
      limits.length ? h('ul', { class: 'apps-bars' }, limits.map((l) => {
        const max = l.limit.max || 0;
        const pct = max ? Math.min(100, Math.round((l.used / max) * 100)) : 0;
        const label = `${l.limit.name}${l.operation ? ` (${l.operation})` : ''}, ${l.plan}`;
        const text = `${l.used} / ${max} per ${windowText(l.limit.window_seconds)}, resets in ${l.reset_seconds} s`;
        return h('li', { class: 'apps-bar-row' },
          h('div', { class: 'apps-bar-label' }, h('span', { text: label }), h('span', { class: 'apps-bar-num', text })),
          h('div', { class: `apps-bar${pct >= 100 ? ' apps-bar-full' : pct >= 80 ? ' apps-bar-high' : ''}`, role: 'meter', 'aria-label': label, 'aria-valuemin': '0', 'aria-valuemax': String(max), 'aria-valuenow': String(l.used), 'aria-valuetext': text },
            h('span', { style: `width:${pct}%` })));
      })) : h('p', { class: 'muted', text: 'No active plan with limits yet.' }),
      ops.length ? h('table', { class: 'apps-ops' }, h('caption', { text: 'Calls per operation' }),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'API' }), h('th', { scope: 'col', text: 'Operation' }), h('th', { scope: 'col', text: 'Calls' }))),
        h('tbody', {}, ops.map((o) => h('tr', {}, h('td', { text: o.api }), h('td', { text: o.operation }), h('td', { text: String(o.calls) }))))) : null);
  }

  put(root, h('p', { class: 'try-hint' }, 'Sandbox: ', h('code', { text: sandbox })), banner, status, regForm, list);
  root.hidden = false;
  renderList();
})();
