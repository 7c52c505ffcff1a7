// try.js: the Try console of an operation page (REST and SOAP), built from the page's
// embedded op-data JSON. Progressive enhancement: without JavaScript the page reads as is.
// Credentials and tokens live in this tab's sessionStorage only (never localStorage,
// cookies or URLs). No dependencies, no build step.
(() => {
  'use strict';
  const scriptSrc = document.currentScript && document.currentScript.src;
  const dataEl = document.getElementById('op-data');
  const root = document.getElementById('try');
  if (!dataEl || !root) return;
  let op;
  try { op = JSON.parse(dataEl.textContent); } catch { return; }

  // ---- small helpers -------------------------------------------------------------------
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
  const store = {
    get(k) { try { return sessionStorage.getItem('portal.' + k) || ''; } catch { return ''; } },
    set(k, v) { try { v ? sessionStorage.setItem('portal.' + k, v) : sessionStorage.removeItem('portal.' + k); } catch { /* storage off */ } },
  };
  let uid = 0;
  const id = (s) => `try-${s}-${++uid}`;
  const b64 = (s) => btoa(String.fromCharCode(...new TextEncoder().encode(s)));
  const loopback = (host) => /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(host);

  // ---- environments and URLs -----------------------------------------------------------
  const envs = op.environments && op.environments.length ? op.environments
    : (op.servers || []).slice(0, 1).map((url) => ({ name: 'server', title: 'Server', url, live: false, default: true }));
  const pathOf = (u) => { try { return new URL(u).pathname.replace(/\/$/, ''); } catch { return ''; } };
  const basePath = pathOf((op.servers || [])[0] || (op.soap && op.soap[0] && op.soap[0].endpoints[0]) || '');
  const serverOrigins = new Set([...(op.servers || []), ...(op.soap || []).flatMap((b) => b.endpoints)]
    .map((u) => { try { return new URL(u).origin; } catch { return ''; } }));
  // The part of the environment's URL before the API's base path: http://host:port[/prefix].
  const envPrefix = (env) => {
    const u = env.url.replace(/\/$/, '');
    return basePath && u.endsWith(basePath) ? u.slice(0, -basePath.length) : new URL(u).origin;
  };
  // An address the spec gives on its own server (token URL, SOAP endpoint) moved to the environment.
  const rebase = (abs, env) => {
    let u;
    try { u = new URL(abs); } catch { return abs; }
    return serverOrigins.has(u.origin) ? envPrefix(env) + u.pathname + u.search : abs;
  };

  // ---- security --------------------------------------------------------------------------
  const alts = (op.security || []).filter((a) => a.length);
  const oauth = alts.flat().find((s) => s.type === 'oauth2' && s.tokenUrl);
  const schemeLabel = (s) => s.type === 'apiKey' ? `${s.name} (${s.in})`
    : s.type === 'http' ? `HTTP ${s.httpScheme}` : s.type === 'oauth2' ? 'OAuth 2.0 token' : s.scheme;
  const isSecretName = (n) => /secret/i.test(n || '');

  // ---- building the console -----------------------------------------------------------
  const field = (label, input, hint) => {
    input.id = input.id || id('f');
    const kids = [h('label', { for: input.id, text: label }), input];
    if (hint) {
      const hid = id('hint');
      input.setAttribute('aria-describedby', hid);
      kids.push(h('small', { id: hid, class: 'try-hint', text: hint }));
    }
    return h('div', { class: 'try-field' }, kids);
  };

  const envSel = h('select', { name: 'environment' },
    envs.map((e, i) => h('option', { value: String(i), text: `${e.title}${e.live ? ' (live)' : ''}: ${e.url}` })));
  const savedEnv = envs.findIndex((e) => e.name === store.get('env'));
  envSel.value = String(savedEnv >= 0 ? savedEnv : Math.max(0, envs.findIndex((e) => e.default && !e.live)));
  const liveNote = h('p', { class: 'try-live', role: 'note', hidden: true });
  const env = () => envs[Number(envSel.value)] || envs[0];
  const showEnv = () => {
    const e = env();
    liveNote.hidden = !e || !e.live;
    if (e && e.live) liveNote.textContent = `Live: Send calls the real API at ${e.url}, with real data (and real money). Use production credentials, and only requests you mean.`;
    sendBtn.textContent = e && e.live ? 'Send to the live API' : 'Send';
  };

  const idIn = h('input', { type: 'text', name: 'client-id', autocomplete: 'off', spellcheck: 'false', value: store.get('clientId') });
  const secretIn = h('input', { type: 'password', name: 'client-secret', autocomplete: 'off', spellcheck: 'false', value: store.get('clientSecret') });
  idIn.addEventListener('input', () => store.set('clientId', idIn.value.trim()));
  secretIn.addEventListener('input', () => store.set('clientSecret', secretIn.value.trim()));

  const authSel = alts.length > 1 ? h('select', { name: 'auth' },
    alts.map((a, i) => h('option', { value: String(i), text: a.map(schemeLabel).join(' + ') }))) : null;
  const tokenStatus = h('p', { class: 'try-token-status', role: 'status', 'aria-live': 'polite' });
  const tokenBtn = oauth ? h('button', { type: 'button', class: 'try-button', text: 'Get token' }) : null;

  const connection = h('fieldset', { class: 'try-connection' }, h('legend', { text: 'Connection' }),
    field('Environment', envSel), liveNote,
    h('div', { class: 'try-row' },
      field('Client ID', idIn),
      field('Client secret', secretIn, 'Kept in this tab only (sessionStorage); closing the tab forgets it.')),
    authSel && field('Authenticate with', authSel),
    tokenBtn && h('div', { class: 'try-row' }, tokenBtn, tokenStatus),
    h('p', { class: 'try-hint' }, 'No keys yet? Register an app on the ', h('a', { href: appsHref(), text: 'Apps page' }), '.'));

  // The Apps page, found from this script's own address (<root>/static/try.js).
  function appsHref() {
    try { return new URL('../apps/', scriptSrc).href; } catch { return '../../../apps/'; }
  }

  // Parameters
  const params = (op.parameters || []).map((p) => {
    // Required parameters start with their default or example; optional ones show it as a
    // placeholder and are sent only when filled in. Arrays are written comma-separated.
    const show = (v) => v == null ? '' : Array.isArray(v) ? v.map((x) => typeof x === 'string' ? x : JSON.stringify(x)).join(',')
      : typeof v === 'string' ? v : JSON.stringify(v);
    const sample = show(p.default ?? p.example);
    const text = p.required ? sample : '';
    const input = p.enum && p.enum.length
      ? h('select', { name: p.name }, p.required ? null : h('option', { value: '', text: '(none)' }),
        p.enum.map((v) => h('option', { value: typeof v === 'string' ? v : JSON.stringify(v), text: String(v) })))
      : h('input', { type: 'text', name: p.name, spellcheck: 'false', value: text, placeholder: sample ? `e.g. ${sample}` : null });
    if (input.tagName === 'SELECT' && text) input.value = text;
    if (p.required) input.required = true;
    const hint = `${p.in}, ${p.type}${/^array/.test(p.type) ? ' (comma-separated)' : ''}${p.required ? ', required' : ''}${p.deprecated ? ', deprecated' : ''}${p.in === 'cookie' ? ' (a browser cannot send it cross-site; use Copy as curl)' : ''}`;
    return { p, input, el: field(p.name, input, hint) };
  });
  const paramSet = params.length ? h('fieldset', { class: 'try-params' }, h('legend', { text: 'Parameters' }), params.map((x) => x.el)) : null;

  // Body: REST media types, or SOAP bindings
  const soap = op.protocol === 'soap' ? (op.soap || []) : [];
  const bodies = soap.length ? soap.map((b) => ({ label: `SOAP ${b.version}`, mediaType: b.contentType, example: b.envelope, soap: b }))
    : (op.bodies || []).map((b) => ({ label: b.mediaType, mediaType: b.mediaType, example: b.example || '' }));
  const bodyIn = h('textarea', { name: 'body', rows: '12', spellcheck: 'false', class: 'try-body' });
  const mediaSel = bodies.length > 1 ? h('select', { name: 'media-type' },
    bodies.map((b, i) => h('option', { value: String(i), text: b.label }))) : null;
  const soapInfo = h('p', { class: 'try-hint' });
  const body = () => bodies[mediaSel ? Number(mediaSel.value) : 0];
  const showBody = () => {
    const b = body();
    if (!b) return;
    bodyIn.value = b.example || '';
    if (b.soap) {
      soapInfo.textContent = b.soap.version === '1.1'
        ? `SOAP 1.1: Content-Type ${b.soap.contentType}; SOAPAction: "${b.soap.action || ''}"`
        : `SOAP 1.2: Content-Type ${soapContentType(b.soap)}`;
    }
  };
  const soapContentType = (s) => s.version === '1.2' && s.action && !/action=/.test(s.contentType)
    ? `${s.contentType}; action="${s.action}"` : s.contentType;
  const bodySet = bodies.length ? h('fieldset', { class: 'try-request-body' }, h('legend', { text: soap.length ? 'SOAP envelope' : 'Request body' }),
    mediaSel && field(soap.length ? 'SOAP version' : 'Media type', mediaSel),
    soap.length ? soapInfo : null,
    field(soap.length ? 'Envelope' : 'Body', bodyIn)) : null;

  const sendBtn = h('button', { type: 'submit', class: 'try-button try-send', text: 'Send' });
  const curlBtn = h('button', { type: 'button', class: 'try-button', text: 'Copy as curl' });
  const curlOut = h('pre', { class: 'try-curl', hidden: true, tabindex: '0', 'aria-label': 'curl command' });
  const result = h('div', { class: 'try-result', role: 'region', 'aria-live': 'polite', 'aria-label': 'Response' });
  const form = h('form', { class: 'try-form', novalidate: true }, connection, paramSet, bodySet,
    h('div', { class: 'try-actions' }, sendBtn, curlBtn), curlOut);

  const heading = h('h2', { id: 'try-heading', text: 'Try it' });
  put(root, heading, h('p', { class: 'try-hint', text: op.protocol === 'soap'
    ? 'Send this operation\'s envelope to the sandbox (or another environment) from your browser.'
    : 'Call this operation from your browser. Requests go straight to the chosen environment.' }), form, result);
  root.setAttribute('aria-labelledby', 'try-heading');
  root.removeAttribute('aria-label');
  root.hidden = false;
  showEnv();
  showBody();
  envSel.addEventListener('change', () => { store.set('env', env().name); showEnv(); });
  if (mediaSel) mediaSel.addEventListener('change', showBody);

  // ---- building the request ---------------------------------------------------------------
  const chosenAlt = () => alts[authSel ? Number(authSel.value) : 0] || [];
  function request() {
    const e = env();
    const headers = {};
    const query = new URLSearchParams();
    const clientId = idIn.value.trim();
    const secret = secretIn.value.trim();
    let url;
    let written = new URLSearchParams();
    const b = body();
    if (b && b.soap) {
      const s = b.soap;
      url = rebase(s.endpoints[0] || e.url, e);
      headers['Content-Type'] = soapContentType(s);
      if (s.version === '1.1') headers.SOAPAction = `"${s.action || ''}"`;
    } else {
      let path = op.path || '';
      for (const { p, input } of params) {
        if (p.in === 'path') path = path.replace(`{${p.name}}`, encodeURIComponent(input.value));
      }
      // Query conditions written in the path key (`/xml?comp=list`, AWS's `/tagging#Tag`)
      // are sent in the query; a fragment never leaves the browser.
      path = path.replace('#', path.includes('?') ? '&' : '?');
      if (path.includes('?')) written = new URLSearchParams(path.slice(path.indexOf('?') + 1));
      url = e.url.replace(/\/$/, '') + path;
      if (b) headers['Content-Type'] = b.mediaType;
    }
    for (const { p, input } of params) {
      const v = input.value;
      if (v === '' || p.in === 'path') continue;
      if (p.in === 'query') {
        if (written.has(p.name)) continue;
        if (/^array/.test(p.type)) v.split(',').forEach((x) => query.append(p.name, x.trim()));
        else query.append(p.name, v);
      }
      else if (p.in === 'header') headers[p.name] = v;
    }
    for (const s of chosenAlt()) {
      if (s.type === 'apiKey') {
        const v = isSecretName(s.name) ? secret : clientId;
        if (!v) continue;
        if (s.in === 'header') headers[s.name] = v;
        else if (s.in === 'query') query.set(s.name, v);
      } else if (s.type === 'http' && s.httpScheme === 'basic' && clientId) {
        headers.Authorization = 'Basic ' + b64(`${clientId}:${secret}`);
      } else if ((s.type === 'oauth2' || s.type === 'openIdConnect' || (s.type === 'http' && s.httpScheme === 'bearer')) && token()) {
        headers.Authorization = 'Bearer ' + token();
      }
    }
    if (soap.length && !alts.length && clientId) {
      headers['X-IBM-Client-Id'] = clientId;
      if (secret) headers['X-IBM-Client-Secret'] = secret;
    }
    const qs = query.toString();
    if (qs) url += (url.includes('?') ? '&' : '?') + qs;
    const method = b && b.soap ? 'POST' : (op.method || 'GET').toUpperCase();
    const sendsBody = b && !['GET', 'HEAD'].includes(method);
    return { method, url, headers, body: sendsBody ? bodyIn.value : undefined, env: e };
  }

  const shq = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;
  const curl = (r) => ['curl', '-X', r.method, shq(r.url)]
    .concat(Object.entries(r.headers).flatMap(([k, v]) => ['-H', shq(`${k}: ${v}`)]))
    .concat(r.body != null ? ['--data-raw', shq(r.body)] : []).join(' ');

  curlBtn.addEventListener('click', async () => {
    const text = curl(request());
    curlOut.textContent = text;
    curlOut.hidden = false;
    let copied = false;
    try { await navigator.clipboard.writeText(text); copied = true; } catch { /* not allowed here */ }
    say(copied ? 'curl command copied to the clipboard.' : 'Select the curl command below to copy it.');
  });
  const say = (msg) => { tokenStatus.textContent = ''; put(result, h('p', { class: 'try-note', text: msg })); };

  // ---- OAuth2 client credentials -----------------------------------------------------------
  const tokenKey = () => `token.${env().name}.${idIn.value.trim()}`;
  function token() {
    try {
      const t = JSON.parse(store.get(tokenKey()) || 'null');
      return t && t.expires > Date.now() ? t.value : '';
    } catch { return ''; }
  }
  if (tokenBtn) {
    if (token()) tokenStatus.textContent = 'A token for this app is kept in this tab.';
    tokenBtn.addEventListener('click', async () => {
      const e = env();
      const clientId = idIn.value.trim();
      const secret = secretIn.value.trim();
      if (!clientId || !secret) { tokenStatus.textContent = 'Enter the client ID and secret first: the token request sends them.'; (clientId ? secretIn : idIn).focus(); return; }
      const url = rebase(oauth.tokenUrl, e);
      const form = new URLSearchParams({ grant_type: 'client_credentials' });
      const scopes = chosenAlt().concat(alts.flat()).find((s) => s.type === 'oauth2');
      if (scopes && scopes.scopes.length) form.set('scope', scopes.scopes.join(' '));
      tokenStatus.textContent = 'Asking for a token…';
      try {
        const res = await fetch(url, { method: 'POST', headers: { Authorization: 'Basic ' + b64(`${clientId}:${secret}`), 'Content-Type': 'application/x-www-form-urlencoded' }, body: form.toString() });
        const data = await res.json().catch(() => ({}));
        if (!res.ok || !data.access_token) {
          tokenStatus.textContent = `No token (${res.status}): ${data.error_description || data.detail || data.error || res.statusText}.`;
          return;
        }
        const ttl = Number(data.expires_in) || 3600;
        store.set(tokenKey(), JSON.stringify({ value: data.access_token, expires: Date.now() + ttl * 1000 }));
        if (authSel) {
          const i = alts.findIndex((a) => a.some((s) => s.type === 'oauth2'));
          if (i >= 0) authSel.value = String(i);
        }
        tokenStatus.textContent = `Token received from ${url}; it expires in ${ttl} s and is kept in this tab. Send now uses it (Authorization: Bearer).`;
      } catch {
        tokenStatus.textContent = await networkHelp(url, e);
      }
    });
  }

  // ---- sending ------------------------------------------------------------------------------
  const reasons = { 200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found', 304: 'Not Modified', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 406: 'Not Acceptable', 409: 'Conflict', 413: 'Content Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Content', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };
  const meaning = (status) => {
    const rs = op.responses || [];
    const r = rs.find((x) => x.status === String(status)) || rs.find((x) => x.status.toUpperCase() === `${String(status)[0]}XX`) || rs.find((x) => x.status === 'default');
    // The first sentence-ish line of the Markdown description, as plain text.
    return r && r.description ? r.description.trim().split(/\n\s*\n/)[0].replace(/\s*\n\s*/g, ' ')
      .replace(/\*\*|__|`/g, '').replace(/\[([^\]]+)\]\([^)]*\)/g, '$1') : '';
  };
  const advice = {
    401: 'The credentials were not accepted. Check the client ID and secret (a secret stops working as soon as it is reset), or get a new token.',
    403: 'Your app is not subscribed to a plan that includes this operation (or the subscription awaits approval). Subscribe on the Apps page.',
    429: 'The plan\'s rate limit is used up for now; calls that are refused do not count. Wait for the reset shown below, then send again.',
  };

  async function networkHelp(url, e) {
    let u;
    try { u = new URL(url); } catch { return `The address ${url} is not a valid URL.`; }
    if (location.protocol === 'https:' && u.protocol === 'http:' && !loopback(u.hostname)) {
      return `Blocked as mixed content: this page is served over HTTPS and the ${e.title} address ${u.origin} is plain HTTP. Serve the portal over HTTP, or give the environment an HTTPS address.`;
    }
    // An opaque request tells a server that is down from one that answers without CORS.
    try {
      await fetch(url, { mode: 'no-cors', method: 'GET', cache: 'no-store' });
      return `The server at ${u.origin} answered, but the browser blocked the response (CORS): it does not allow calls from this page's origin (${location.origin}). Allow this origin in the server's CORS settings, or use Copy as curl.`;
    } catch {
      return e.live
        ? `Could not reach ${u.origin}: the server is down, the name does not resolve, or a network filter blocks it. Check your connection, or use Copy as curl.`
        : `Could not reach the sandbox at ${u.origin}: it is not running there. Start it with "portal mock" (or "portal serve") in the portal's folder, then send again.`;
    }
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const missing = params.find(({ p, input }) => p.required && p.in !== 'cookie' && !input.value);
    if (missing) { say(`Fill in ${missing.p.name} (${missing.p.in}): it is required.`); missing.input.focus(); return; }
    const r = request();
    sendBtn.disabled = true;
    put(result, h('p', { class: 'try-note', text: `Sending ${r.method} ${r.url}…` }));
    const t0 = performance.now();
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), 30000);
    try {
      const res = await fetch(r.url, { method: r.method, headers: r.headers, body: r.body, signal: ctl.signal, cache: 'no-store', credentials: 'omit' });
      const text = await res.text();
      show(res, text, Math.round(performance.now() - t0), r);
    } catch (err) {
      const msg = err && err.name === 'AbortError' ? `No answer from ${r.url} within 30 s.` : await networkHelp(r.url, r.env);
      put(result, h('div', { class: 'try-error', role: 'alert' }, h('p', {}, h('strong', { text: 'The request did not complete. ' }), msg)));
    } finally {
      clearTimeout(timer);
      sendBtn.disabled = false;
    }
  });

  // RateLimit-Policy / RateLimit (IETF structured fields), else IBM's X-RateLimit-*.
  function limits(hd) {
    const items = (v) => [...(v || '').matchAll(/(?:"((?:[^"\\]|\\.)*)"|([A-Za-z0-9_.*-]+))((?:\s*;\s*[a-z]+=[^,;]+)*)/g)]
      .map((m) => ({ name: m[1] ?? m[2], ...Object.fromEntries([...m[3].matchAll(/([a-z]+)=([^,;]+)/g)].map((p) => [p[1], Number(p[2].trim())])) }));
    const policy = items(hd.get('ratelimit-policy'));
    const now = items(hd.get('ratelimit'));
    if (policy.length) {
      return policy.map((p, i) => {
        const c = now.find((n) => n.name === p.name) || now[i] || {};
        return { name: p.name, max: p.q, window: p.w, remaining: c.r, reset: c.t };
      });
    }
    const ibm = (v) => Object.fromEntries([...(v || '').matchAll(/name=([^,;]+),(\d+)/g)].map((m) => [m[1], Number(m[2])]));
    const lim = ibm(hd.get('x-ratelimit-limit'));
    const rem = ibm(hd.get('x-ratelimit-remaining'));
    return Object.keys(lim).map((n) => ({ name: n, max: lim[n], remaining: rem[n] }));
  }

  function show(res, text, ms, r) {
    const ctype = res.headers.get('content-type') || '';
    const desc = meaning(res.status);
    const kind = res.ok ? 'ok' : res.status >= 500 ? 'server' : 'client';
    const out = [h('p', { class: `try-status try-status-${kind}` },
      h('strong', { class: 'try-code', text: `${res.status} ${res.statusText || reasons[res.status] || ''}`.trim() }),
      desc ? ` ${desc}` : '', h('span', { class: 'try-time', text: ` · ${ms} ms` }))];
    let detail = '';
    if (/json/.test(ctype)) { try { const j = JSON.parse(text); detail = j.detail || ''; } catch { /* not JSON */ } }
    if (/xml/.test(ctype) && !res.ok) { const m = text.match(/<(?:\w+:)?(?:faultstring|Text)[^>]*>([^<]*)</); if (m) detail = m[1]; }
    if (advice[res.status] || detail) {
      const retry = res.headers.get('retry-after');
      out.push(h('div', { class: 'try-explain', role: res.ok ? null : 'alert' },
        advice[res.status] && h('p', { text: advice[res.status] + (res.status === 429 && retry ? ` Retry after ${retry} s.` : '') }),
        detail && h('p', { class: 'try-detail', text: detail })));
    }
    const lim = limits(res.headers);
    if (lim.length) {
      out.push(h('div', { class: 'try-limits' }, h('h3', { text: 'Rate limits' }),
        h('table', {}, h('thead', {}, h('tr', {}, ['Limit', 'Used', 'Remaining', 'Resets in'].map((c) => h('th', { scope: 'col', text: c })))),
          h('tbody', {}, lim.map((l) => h('tr', {},
            h('th', { scope: 'row', text: `${l.name}${l.max != null ? ` (${l.max}${l.window ? ` per ${l.window} s` : ''})` : ''}` }),
            h('td', { text: l.max != null && l.remaining != null ? `${l.max - l.remaining} of ${l.max}` : '?' }),
            h('td', { text: l.remaining != null ? String(l.remaining) : '?' }),
            h('td', { text: l.reset != null ? `${l.reset} s` : '?' })))))));
    }
    const hdrs = [...res.headers.entries()];
    out.push(h('details', { class: 'try-headers', open: true }, h('summary', { text: `Response headers (${hdrs.length})` }),
      h('table', {}, h('tbody', {}, hdrs.map(([k, v]) => h('tr', { class: /^(x-)?ratelimit|^retry-after$/.test(k) ? 'try-rl' : null },
        h('th', { scope: 'row', text: k }), h('td', { text: v }))))),
      h('p', { class: 'try-hint', text: 'A browser shows only the headers the server exposes to it (CORS).' })));
    out.push(h('h3', { text: 'Body' }), h('pre', { class: 'try-response', tabindex: '0', 'aria-label': 'Response body' },
      h('code', { text: text ? pretty(text, ctype) : '(empty body)' })));
    put(result, h('div', {}, out));
    void r;
  }

  function pretty(text, ctype) {
    if (/json/.test(ctype)) { try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return text; } }
    if (/xml/.test(ctype)) return prettyXml(text);
    return text;
  }
  function prettyXml(text) {
    const doc = new DOMParser().parseFromString(text, 'application/xml');
    if (doc.getElementsByTagName('parsererror').length) return text;
    const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const attrs = (el) => [...el.attributes].map((a) => ` ${a.name}="${esc(a.value).replace(/"/g, '&quot;')}"`).join('');
    const walk = (el, pad) => {
      const kids = [...el.childNodes].filter((n) => n.nodeType === 1 || (n.nodeType === 3 && n.nodeValue.trim()) || n.nodeType === 4);
      if (!kids.length) return `${pad}<${el.nodeName}${attrs(el)}/>`;
      if (kids.every((n) => n.nodeType !== 1)) return `${pad}<${el.nodeName}${attrs(el)}>${esc(kids.map((n) => n.nodeValue).join('').trim())}</${el.nodeName}>`;
      return [`${pad}<${el.nodeName}${attrs(el)}>`, ...kids.map((n) => n.nodeType === 1 ? walk(n, pad + '  ') : pad + '  ' + esc(n.nodeValue.trim())), `${pad}</${el.nodeName}>`].join('\n');
    };
    return walk(doc.documentElement, '');
  }
})();
