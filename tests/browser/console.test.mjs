// End-to-end tests of the Try console and the Apps page in headless Chromium (Debian's
// /usr/bin/chromium driven by playwright-core), against a built portal and a running sandbox.
// Run by tests/e2e/browser.rs, which builds the demo portal (plus a tiny-limit fixture
// product), starts `portal mock` and a static server, and passes:
//   SITE_URL      the built site, e.g. http://127.0.0.1:PORT/ (trailing slash)
//   SANDBOX_URL   the sandbox, e.g. http://127.0.0.1:PORT
//   ARTIFACTS     folder for screenshots and the JS size report
//   CHROMIUM      the browser (default /usr/bin/chromium)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const SITE = process.env.SITE_URL;
const SANDBOX = process.env.SANDBOX_URL;
const ART = process.env.ARTIFACTS || 'browser-artifacts';
if (!SITE || !SANDBOX) throw new Error('SITE_URL and SANDBOX_URL must be set (tests/e2e/browser.rs sets them)');
mkdirSync(ART, { recursive: true });
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let browser;
let page;
const apps = {};

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  page = await context.newPage();
  page.on('pageerror', (e) => { throw new Error(`page error: ${e.message}`); });
  page.on('dialog', (d) => d.accept());
});
after(async () => { if (browser) await browser.close(); });

const url = (p) => new URL(p, SITE).href;
async function axe(name) {
  await page.addScriptTag({ content: AXE });
  const res = await page.evaluate(() => globalThis.axe.run(document, { resultTypes: ['violations'] }));
  const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`), [], `axe on ${name}`);
}
// Light and dark screenshots of the whole page, or of one part of it (the console).
async function shots(name, selector) {
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    const path = join(ART, `${name}-${scheme}.png`);
    if (selector) await page.locator(selector).screenshot({ path });
    else await page.screenshot({ path, fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}
// The operation page of an operation, with its console built.
async function openOp(api, op) {
  await page.goto(url(`apis/${api}/${op}/`));
  await page.waitForSelector('#try:not([hidden]) form');
}
async function send() {
  const before = await page.locator('.try-result').innerHTML();
  await page.locator('.try-send').click();
  await page.waitForFunction((b) => {
    const el = document.querySelector('.try-result');
    return el && el.innerHTML !== b && !/Sending /.test(el.textContent);
  }, before);
  return page.locator('.try-result');
}
async function register(name) {
  await page.goto(url('apps/'));
  await page.fill('#app-name', name);
  await page.fill('#app-description', `Registered by the browser test (${name}).`);
  await page.click('text=Register app');
  const box = page.locator('.apps-once');
  await box.waitFor();
  const values = await box.locator('.apps-value').allTextContents();
  return { box, id: values[0], secret: values[1] };
}
async function subscribe(appId, plan) {
  const card = page.locator('article.apps-card', { has: page.locator(`code:text-is("${appId}")`) });
  await card.locator('.apps-subscribe select').waitFor();
  await card.locator('.apps-subscribe select').selectOption(plan);
  await card.locator('.apps-subscribe button').click();
  await page.waitForFunction((p) => /Subscribed to|pending/.test(document.querySelector('.apps-status').textContent) && document.querySelector('.apps-status').textContent.includes(p), plan);
  return card;
}

test('search finds operations, from fragment files that neighbouring pages share', async () => {
  // tests/e2e/browser.rs builds with `search.fragment_files = 4`, so every result's excerpt
  // comes out of a shared fragment file.
  await page.goto(url('search/'));
  await page.locator('.pagefind-ui__search-input').fill('transfers');
  const links = page.locator('.pagefind-ui__result-link');
  await links.first().waitFor({ timeout: 20000 });
  const hrefs = await links.evaluateAll((as) => as.map((a) => a.href));
  assert.ok(hrefs.some((h) => /\/apis\/funds-transfer\/[^/#]+\/(index\.html)?$/.test(h)), `an operation of the funds transfer API among ${hrefs.join(', ')}`);
  const excerpts = await page.locator('.pagefind-ui__result-excerpt').allTextContents();
  assert.ok(excerpts.length > 0 && excerpts.every((e) => e.trim().length > 0), `every result has an excerpt: ${JSON.stringify(excerpts)}`);
  assert.ok((await page.locator('.pagefind-ui__result-excerpt mark').count()) > 0, 'the matched word is marked');
  const title = (await links.first().textContent()).trim();
  await links.first().click();
  await page.waitForLoadState();
  assert.equal((await page.locator('main h1').first().textContent()).trim(), title);
  await page.goto(url('search/'));
  await axe('search page');
});

test('home, API and plans pages pass axe; plans link to the Apps page', async () => {
  await page.goto(SITE);
  await axe('home');
  await page.goto(url('apis/atm-and-branch-locator/'));
  await axe('API page');
  await page.goto(url('plans/'));
  await axe('plans page');
  const link = page.locator('a[href*="?subscribe=cix-information%3Aopen"], a[href*="?subscribe=cix-information:open"]').first();
  await link.click();
  await page.waitForSelector('.apps-banner');
  assert.match(await page.locator('.apps-banner').textContent(), /cix-information:open/);
});

test('register an app: the secret is shown once, kept out of localStorage, cookies and URLs', async () => {
  const { box, id, secret } = await register('Browser test app');
  assert.match(id, /\S{8,}/);
  assert.match(secret, /\S{16,}/);
  assert.match(await box.textContent(), /you will not see this secret again/i);
  apps.a = { id, secret };
  const stored = await page.evaluate(() => ({ local: JSON.stringify(localStorage), cookie: document.cookie, href: location.href }));
  assert.ok(stored.local.includes(id), 'the app ID is remembered');
  assert.ok(!stored.local.includes(secret) && !stored.cookie.includes(secret) && !stored.href.includes(secret), 'the secret is not in localStorage, cookies or the URL');
  await page.click('text=I have copied it');
  assert.equal(await page.locator('.apps-once').count(), 0);
  // After a reload the secret is no longer shown; the app is listed from the ID.
  await page.reload();
  await page.locator('article.apps-card').first().waitFor();
  assert.ok(!(await page.content()).includes(secret), 'the secret is not shown again');
  // The ?subscribe= plan is preselected; subscribe to the open plan, and to the payments sandbox.
  const card = await subscribe(id, 'cix-information:open');
  assert.match(await card.locator('.apps-sub-list').textContent(), /cix-information:open.*active/s);
  await subscribe(id, 'cix-payments:sandbox');
});

test('Try a REST operation with the app\'s keys: 200 with rate-limit headers', async () => {
  await openOp('atm-and-branch-locator', 'listLocations');
  assert.equal(await page.inputValue('#try input[name=client-id]'), apps.a.id, 'keys filled in from this tab');
  // The sandbox is the default; choosing live says plainly that it calls the real API.
  assert.match(await page.locator('#try select[name=environment] option:checked').textContent(), /Sandbox/);
  assert.ok(await page.locator('.try-live').isHidden());
  const live = await page.locator('#try select[name=environment] option', { hasText: 'live' }).getAttribute('value');
  await page.selectOption('#try select[name=environment]', live);
  assert.match(await page.locator('.try-live').textContent(), /real API/);
  assert.equal(await page.locator('.try-send').textContent(), 'Send to the live API');
  await page.selectOption('#try select[name=environment]', { index: 0 });
  assert.ok(await page.locator('.try-live').isHidden());
  const result = await send();
  assert.match(await result.locator('.try-status').textContent(), /^200\b/);
  const limits = await result.locator('.try-limits').textContent();
  assert.match(limits, /default/);
  assert.match(limits, /1 of 100/);
  assert.ok(await result.locator('.try-headers tr.try-rl').count() >= 2, 'rate-limit headers highlighted');
  assert.match(await result.locator('.try-response').textContent(), /[[{]/);
  await shots('operation-rest', '#try');
  await axe('operation page, console open');
  // Copy as curl builds the same request.
  await page.click('text=Copy as curl');
  const curl = await page.locator('.try-curl').textContent();
  assert.match(curl, new RegExp(`^curl -X GET '${SANDBOX.replace(/[.]/g, '\\.')}/`));
  assert.match(curl, new RegExp(`X-IBM-Client-Id: ${apps.a.id}`));
});

test('Try a SOAP operation: the envelope is prefilled and the answer is an envelope', async () => {
  await openOp('accountstatementservice', 'GetBalance');
  const envelope = await page.inputValue('#try textarea');
  assert.match(envelope, /Envelope/);
  assert.match(envelope, /GetBalance/);
  const result = await send();
  const status = await result.locator('.try-status').textContent();
  const body = await result.locator('.try-response').textContent();
  assert.match(status, /^200\b/, body);
  assert.match(body, /Envelope/);
  await shots('operation-soap', '#try');
});

test('OAuth2 client credentials: get a token, then call with it', async () => {
  await openOp('funds-transfer', 'getTransferStatus');
  await page.click('text=Get token');
  await page.waitForFunction(() => /Token received|No token|Could not/.test(document.querySelector('.try-token-status').textContent));
  assert.match(await page.locator('.try-token-status').textContent(), /Token received/);
  const auth = await page.locator('#try select[name=auth] option:checked').textContent();
  assert.match(auth, /OAuth/);
  const result = await send();
  assert.match(await result.locator('.try-status').textContent(), /^200\b/);
  await page.click('text=Copy as curl');
  assert.match(await page.locator('.try-curl').textContent(), /Authorization: Bearer \S+/);
});

test('exceeding a small limit gives a 429 that is explained', async () => {
  const { id, secret } = await register('Tiny limit app');
  apps.b = { id, secret };
  await subscribe(id, 'zz-browser-tiny:tiny');
  await openOp('account-title-fetch', 'getIbanTitle');
  assert.equal(await page.inputValue('#try input[name=client-id]'), id);
  assert.match(await (await send()).locator('.try-status').textContent(), /^200\b/);
  assert.match(await (await send()).locator('.try-status').textContent(), /^200\b/);
  const result = await send();
  assert.match(await result.locator('.try-status').textContent(), /^429\b/);
  const explain = await result.locator('.try-explain').textContent();
  assert.match(explain, /rate limit/i);
  assert.match(explain, /Retry after \d+ s/);
  assert.match(await result.locator('.try-limits').textContent(), /2 of 2/);
  await shots('operation-429', '#try');
});

test('the Apps page shows usage as bars with numbers', async () => {
  await page.goto(url('apps/'));
  const card = page.locator('article.apps-card', { has: page.locator(`code:text-is("${apps.b.id}")`) });
  await card.locator('text=Refresh usage').click();
  const bar = card.locator('[role=meter]').first();
  await bar.waitFor();
  assert.equal(await bar.getAttribute('aria-valuenow'), '2');
  assert.equal(await bar.getAttribute('aria-valuemax'), '2');
  assert.match(await card.locator('.apps-bar-num').first().textContent(), /2 \/ 2 per minute, resets in \d+ s/);
  const cardA = page.locator('article.apps-card', { has: page.locator(`code:text-is("${apps.a.id}")`) });
  await cardA.locator('[role=meter]').first().waitFor();
  await axe('apps page');
  await shots('apps');
});

test('reset the secret: the new one is shown once and the old one is rejected', async () => {
  await page.goto(url('apps/'));
  const card = page.locator('article.apps-card', { has: page.locator(`code:text-is("${apps.a.id}")`) });
  await card.locator('text=Reset secret').click();
  const box = card.locator('.apps-once');
  await box.waitFor();
  const fresh = (await box.locator('.apps-value').allTextContents())[0];
  assert.notEqual(fresh, apps.a.secret);
  assert.match(await box.textContent(), /you will not see this secret again/i);
  await openOp('account-title-fetch', 'getIbanTitle');
  await page.fill('#try input[name=client-secret]', apps.a.secret);
  const old = await send();
  assert.match(await old.locator('.try-status').textContent(), /^401\b/);
  assert.match(await old.locator('.try-explain').textContent(), /credentials were not accepted/);
  await page.fill('#try input[name=client-secret]', fresh);
  assert.match(await (await send()).locator('.try-status').textContent(), /^200\b/);
});

test('a sandbox that is not running is explained in words', async () => {
  await openOp('atm-and-branch-locator', 'listLocations');
  // The browser sees the sandbox refuse connections, as when it is not started.
  await page.route(`${SANDBOX}/**`, (route) => route.abort('connectionrefused'));
  // Keyboard only: from the last parameter, Tab reaches Send and Enter sends.
  await page.locator('#try input[name=page_size]').focus();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Send');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.try-error');
  const result = page.locator('.try-result');
  assert.match(await result.locator('.try-error').textContent(), /not running|Could not reach/);
  await page.unroute(`${SANDBOX}/**`);
});

test('JavaScript shipped per page stays small', async () => {
  const sizes = {};
  for (const f of ['try.js', 'apps.js', 'site.js', 'console.css']) {
    const res = await fetch(url(`static/${f}`));
    const buf = Buffer.from(await res.arrayBuffer());
    sizes[f] = { bytes: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
  }
  const report = [
    `try.js ${sizes['try.js'].bytes} B (${sizes['try.js'].gzip} B gzip)`,
    `apps.js ${sizes['apps.js'].bytes} B (${sizes['apps.js'].gzip} B gzip)`,
    `site.js ${sizes['site.js'].bytes} B (${sizes['site.js'].gzip} B gzip)`,
    `operation page JS: ${sizes['try.js'].gzip + sizes['site.js'].gzip} B gzip; apps page JS: ${sizes['apps.js'].gzip + sizes['site.js'].gzip} B gzip`,
    `console + apps together: ${sizes['try.js'].gzip + sizes['apps.js'].gzip} B gzip (goal <= 61440)`,
  ].join('\n');
  writeFileSync(join(ART, 'js-bytes.txt'), report + '\n');
  console.log(report);
  assert.ok(sizes['try.js'].gzip + sizes['apps.js'].gzip <= 60 * 1024);
});
