// The admin panel in headless Chromium on the real stack: the brief's acceptance path end to end
// (register a site and whitelist a host origin in the panel, embed the snippet on that host, the
// visitor's message shows in the inbox as "External Source", the admin replies, the visitor likes
// it, the admin sees the like; remove the origin and the widget no longer loads there), hostile
// text staying inert, Persian RTL and phone width.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { startStack } from '../lib/stack.mjs';
import { launch, chatFrame } from '../lib/browser.mjs';
import { sleep } from '../lib/wait.mjs';

let stack;
let browser;
let host;          // a page server on books.test serving whatever `hostBody` holds
let hostPort;
const pageErrors = [];
let hostBody = '<!doctype html><title>books</title><p>nothing yet</p>';

before(async () => {
  stack = await startStack({ chatHost: 'chat.test', demoHost: 'shop.test' });
  browser = await launch();
  host = createServer((req, res) => {
    if (req.url === '/favicon.ico') { res.writeHead(204); res.end(); return; }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(hostBody);
  });
  await new Promise((resolve) => host.listen(0, '127.0.0.1', resolve));
  hostPort = host.address().port;
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (host ? host.close(resolve) : resolve()));
  await stack?.stop();
});

/** A logged-in panel in a context of its own (its own cookies). */
async function adminPage(options = {}) {
  const context = await browser.browser.newContext(options.viewport ? { viewport: options.viewport } : {});
  if (options.init) await context.addInitScript(options.init);
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('close', () => context.close().catch(() => {}));
  await page.goto(`${stack.chatUrl}/admin/`);
  await page.fill('#login-username', 'admin');
  await page.fill('#login-password', stack.adminPassword);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#tab-inbox');
  await page.waitForSelector('#live-state:has-text("live")');
  return page;
}

/** The visitor's page on the host; the chat frame once it is ready (retried while the edge learns the site). */
async function visitorFrame(page, url, timeoutMs = 8000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.goto(url);
    try {
      const frame = await chatFrame(page, stack.chatUrl, 3000);
      await frame.waitForSelector('#chat[aria-busy="false"]', { timeout: 3000 });
      return frame;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
  }
}

async function typeInto(frame, selector, text) {
  for (let i = 0; i < 3; i += 1) {
    await frame.fill(selector, text);
    if ((await frame.inputValue(selector)) === text) return;
  }
  throw new Error(`could not type into ${selector}`);
}

test('acceptance: site and origin from the panel, embed, External Source in the inbox, reply, like, unlist', async () => {
  const admin = await adminPage();
  const hostOrigin = `http://books.test:${hostPort}`;

  // 1. Register the site and whitelist the host's origin in the panel.
  await admin.click('#tab-sites');
  await admin.waitForSelector('#add-site-form');
  assert.match(await admin.textContent('#add-site-form'), /dot boundary/, 'the wildcard rule is explained');
  await admin.fill('#new-site-name', 'Book Corner');
  await admin.fill('#new-site-origins', hostOrigin);
  await admin.fill('#new-site-title', 'Ask the librarians');
  await admin.click('#create-site');
  await admin.waitForSelector('#site-editor #site-key');
  const siteKey = (await admin.textContent('#site-key')).trim();
  assert.match(siteKey, /^ek_[A-Za-z0-9]{24}$/);
  assert.equal(await admin.textContent('#origin-list li code'), hostOrigin);

  // The colour preview follows the field live.
  await admin.fill('#site-color-text', '#aa3300');
  assert.equal(await admin.$eval('#preview-title', (n) => getComputedStyle(n).backgroundColor), 'rgb(170, 51, 0)');

  // 2. Embed the copy-ready snippet on the host.
  const snippet = await admin.inputValue('#embed-snippet');
  assert.equal(snippet, `<script src="${stack.chatUrl}/widget.js" data-site-id="${siteKey}"></script>\n<div id="chat-container"></div>`);
  hostBody = `<!doctype html><html lang="en"><title>Book Corner</title><h1>Books</h1>${snippet}`;

  // 3. A visitor writes; the inbox shows it live, labelled External Source with the site's name.
  await admin.click('#tab-inbox');
  await admin.waitForSelector('#conversation-list');
  const visitor = await browser.newPage();
  const frame = await visitorFrame(visitor, `${hostOrigin}/`);
  assert.equal(await frame.textContent('#title'), 'Ask the librarians');
  const text = `Do you have Rumi's Masnavi? ${Date.now()}`;
  await typeInto(frame, '#input', text);
  await frame.click('#send');
  await frame.waitForSelector('.msg.guest:not(.pending)');

  const row = admin.locator('#conversation-list li', { hasText: text });
  await row.waitFor({ timeout: 5000 });
  assert.equal((await row.locator('.source-label').textContent()).trim(), 'External Source');
  assert.equal((await row.locator('.conv-site').textContent()).trim(), 'Book Corner');
  assert.equal((await row.locator('.badge.unread').textContent()).trim(), '1');

  // 4. The admin replies; the visitor sees it and likes it; the admin sees the like, live.
  await row.click();
  await admin.waitForSelector(`#thread .msg.guest >> text=${text}`);
  assert.equal((await admin.textContent('#conversation .source-label')).trim(), 'External Source');

  // Typing both ways, never stored: the visitor types and the panel says so (conversation and
  // list), until 5 s pass; the agent types and the frame says so, until the reply comes.
  await typeInto(frame, '#input', 'and also');
  await admin.waitForSelector('#visitor-typing:not([hidden])', { timeout: 5000 });
  assert.equal((await admin.textContent('#visitor-typing')).trim(), 'Visitor is typing…');
  await row.locator('.badge.typing').waitFor({ state: 'visible', timeout: 5000 });
  await admin.waitForSelector('#visitor-typing', { state: 'hidden', timeout: 8000 });
  await frame.fill('#input', '');
  await admin.fill('#reply-text', 'Yes');
  await frame.waitForSelector('#typing:not([hidden])', { timeout: 5000 });
  assert.equal((await frame.textContent('#typing')).trim(), 'Agent is typing…');
  await admin.fill('#reply-text', 'Yes, three editions.');
  await admin.click('#send-reply');
  await admin.waitForSelector('#thread .msg.agent >> text=Yes, three editions.');
  assert.match(await admin.textContent('#thread .msg.agent .likes'), /0/);

  await frame.waitForSelector('.msg.agent >> text=Yes, three editions.', { timeout: 10000 });
  // Read receipts both ways: the agent answered (so read) the visitor's message, and the frame,
  // on screen, reports the reply read: 'Seen' on each side.
  await frame.waitForSelector('.msg.guest .seen', { timeout: 10000 });
  await admin.waitForSelector('#visitor-seen', { timeout: 10000 });
  assert.match(await admin.textContent('#thread .msg.agent:last-child'), /Seen by the visitor/);
  assert.equal(await frame.isHidden('#typing'), true, "the agent's reply ends the indicator");
  const replyId = await frame.getAttribute('.msg.agent', 'data-id');
  await frame.click(`.msg[data-id="${replyId}"] .react.like`);
  await admin.waitForFunction(
    (id) => /1/.test(document.querySelector(`#thread .msg[data-message-id="${id}"] .likes`)?.textContent || ''),
    replyId, { timeout: 5000 });

  // Resolve and reopen from the inbox.
  await admin.click('#toggle-status');
  await admin.waitForSelector('#conversation-status:has-text("Resolved")');
  await admin.click('#toggle-status');
  await admin.waitForSelector('#conversation-status:has-text("Open")');

  // 5. Remove the origin in the panel: the widget no longer loads on that host.
  await admin.click('#tab-sites');
  await admin.click(`#site-list li[data-site-key="${siteKey}"]`);
  await admin.waitForSelector(`#origin-list li[data-origin="${hostOrigin}"]`);
  await admin.click(`#origin-list li[data-origin="${hostOrigin}"] button`);
  await admin.waitForSelector(`#origin-list li[data-origin="${hostOrigin}"]`, { state: 'detached' });
  await sleep(2000);  // the edge enforces a change within 2 s
  const context = await browser.browser.newContext();
  const fresh = await context.newPage();
  const consoleLines = [];
  fresh.on('console', (m) => consoleLines.push(m.text()));
  await fresh.goto(`${hostOrigin}/`);
  await fresh.waitForTimeout(2500);
  const shown = fresh.frames().find((f) => f.url().startsWith(`${stack.chatUrl}/frame/`));
  let ready = false;
  if (shown) ready = await shown.$('#chat[aria-busy="false"]').then(Boolean).catch(() => false);
  assert.equal(ready, false, 'the chat must not load on a removed origin');
  assert.ok(consoleLines.some((l) => /frame-ancestors|403|CORS/.test(l)), JSON.stringify(consoleLines));
  await context.close();
  await visitor.close();
  await admin.close();
});

test('hostile text in site names, titles, messages and admin names stays inert in the panel', async () => {
  const payloads = [
    '<img src=x onerror="window.__pwned=1">',
    '<script>window.__pwned=2</script>',
    '"><svg onload="window.__pwned=3">',
  ];
  const admin = await adminPage();
  // Create the hostile data through the panel's own API (same session, same CSRF token).
  const siteKey = await admin.evaluate(async (p) => {
    const s = await (await fetch('/api/v1/admin/session')).json();
    const h = { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrfToken };
    const site = await (await fetch('/api/v1/admin/sites', { method: 'POST', headers: h,
      body: JSON.stringify({ name: p[0], title: p[1], origins: ['https://x.test'], lockedMessage: p[2] }) })).json();
    await fetch('/api/v1/admin/admins', { method: 'POST', headers: h,
      body: JSON.stringify({ username: 'mallory', displayName: p[2], password: 'mallory password' }) });
    return site.key;
  }, payloads);
  // A guest of that site sends hostile messages (straight to the external API: no page needed).
  // Node cannot resolve the .test names: talk to the edge by address.
  const edge = `http://127.0.0.1:${stack.port}`;
  // The new site reaches the edge within 2 s.
  let guest;
  for (const deadline = Date.now() + 3000; !guest;) {
    const res = await fetch(`${edge}/api/v1/external/guests`, { method: 'POST', headers: { 'Site-Key': siteKey } });
    if (res.status === 201) guest = await res.json();
    else if (Date.now() > deadline) assert.fail(`guest creation answered ${res.status}`);
    else await sleep(100);
  }
  for (const [i, p] of payloads.entries()) {
    const res = await fetch(`${edge}/api/v1/external/messages`, { method: 'POST',
      headers: { 'Site-Key': siteKey, Authorization: `Bearer ${guest.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: p, clientId: `x${i}` }) });
    assert.equal(res.status, 201);
  }

  const inert = async (where) => {
    assert.equal(await admin.evaluate(() => window.__pwned), undefined, `script ran on ${where}`);
    assert.equal(await admin.locator('#app img, #app svg, #app script').count(), 0, `markup injected on ${where}`);
  };
  await admin.click('#tab-sites');
  await admin.click(`#site-list li[data-site-key="${siteKey}"]`);
  await admin.waitForSelector('#site-editor #site-key');
  assert.ok((await admin.textContent('#site-list')).includes(payloads[0]), 'shown as text');
  assert.equal(await admin.inputValue('#site-title'), payloads[1]);
  assert.equal(await admin.textContent('#preview-title'), payloads[1]);
  await inert('sites');

  await admin.click('#tab-inbox');
  const row = admin.locator('#conversation-list li', { hasText: payloads[0] });
  await row.first().waitFor();
  await row.first().click();
  await admin.waitForSelector('#thread .msg.guest');
  const texts = await admin.$$eval('#thread .msg.guest .text', (nodes) => nodes.map((n) => n.textContent));
  assert.deepEqual(texts, payloads);
  await inert('inbox');

  await admin.click('#tab-admins');
  await admin.waitForSelector('#admin-list li[data-username="mallory"]');
  assert.ok((await admin.textContent('#admin-list li[data-username="mallory"]')).includes(payloads[2]));
  await inert('admins');

  await admin.click('#tab-audit');
  await admin.waitForSelector('#audit-rows tr');
  await inert('audit');
  assert.deepEqual(pageErrors, []);
  await admin.close();
});

test('Persian is right to left and the panel fits a phone', async () => {
  const admin = await adminPage({ viewport: { width: 390, height: 800 } });
  await admin.click('#lang');
  await admin.waitForFunction(() => document.documentElement.dir === 'rtl');
  assert.equal(await admin.getAttribute('html', 'lang'), 'fa');
  assert.equal((await admin.textContent('#tab-sites')).trim(), 'سایت‌های خارجی');
  for (const tab of ['#tab-inbox', '#tab-sites', '#tab-admins', '#tab-audit']) {
    await admin.click(tab);
    await admin.waitForTimeout(300);
    const overflow = await admin.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `${tab} overflows a phone by ${overflow}px`);
  }
  await admin.click('#lang');
  await admin.waitForFunction(() => document.documentElement.dir === 'ltr');
  await admin.close();
});

test('the availability switch: the panel keeps its admin online, away or offline by hand reaches the visitor live', async () => {
  const hostOrigin = `http://books.test:${hostPort}`;
  const site = await stack.ctlJson(['site', 'add', '--name', 'Presence shop', '--origin', hostOrigin]);
  hostBody = `<!doctype html><html lang="en"><title>Shop</title><script src="${stack.chatUrl}/widget.js" data-site-id="${site.key}"></script><div id="chat-container"></div>`;
  const admin = await adminPage();
  // The header's switch starts at online (the panel's heartbeat) and says what the admin shows.
  await admin.waitForSelector('#presence-shown[data-state="online"]', { timeout: 5000 });
  assert.equal(await admin.inputValue('#presence'), 'online');
  assert.equal(await admin.getAttribute('#presence', 'aria-label'), 'My availability');
  assert.equal(await admin.getAttribute('#presence-shown', 'aria-live'), 'polite');
  const context = await browser.browser.newContext();
  const visitor = await context.newPage();
  const frame = await visitorFrame(visitor, `http://books.test:${hostPort}/`);
  await typeInto(frame, '#input', 'is someone there?');
  await frame.press('#input', 'Enter');
  await frame.waitForSelector('#presence[data-state="online"]', { timeout: 8000 });
  assert.equal(await frame.textContent('#presence'), "We're online");
  // Away by hand, with the keyboard: the visitor sees it without a reload.
  await admin.focus('#presence');
  await admin.selectOption('#presence', 'away');
  await admin.waitForSelector('#presence-shown[data-state="away"]', { timeout: 5000 });
  await frame.waitForSelector('#presence[data-state="away"]', { timeout: 5000 });
  // The choice survives a reload of the panel.
  await admin.reload();
  await admin.waitForSelector('#presence-shown[data-state="away"]', { timeout: 5000 });
  assert.equal(await admin.inputValue('#presence'), 'away');
  await admin.selectOption('#presence', 'online');
  await frame.waitForSelector('#presence[data-state="online"]', { timeout: 5000 });
  await admin.selectOption('#presence', 'offline');
  await admin.waitForSelector('#presence-shown[data-state="offline"]', { timeout: 5000 });
  await frame.waitForSelector('#presence[data-state="away"]', { timeout: 5000 });
  // Persian labels.
  await admin.click('#lang');
  await admin.waitForSelector('#presence option[value="away"]:has-text("دور از دسترس")', { state: 'attached' });
  await admin.selectOption('#presence', 'online');
  await context.close();
  await admin.close();
});

// Headless Chromium shows no real desktop notification: the page's window.Notification is a stub
// that records each one (and grants permission when asked), so the test sees what would show.
test('panel notifications: permission asked only on the switch, a notification and the title count for a visitor message not on screen', async () => {
  const admin = await adminPage({ init: () => {
    window.__asked = 0;
    window.__shown = [];
    class FakeNotification {
      constructor(title, options) { window.__shown.push({ title, body: options && options.body }); }
      static requestPermission() { window.__asked += 1; FakeNotification.permission = 'granted'; return Promise.resolve('granted'); }
    }
    FakeNotification.permission = 'default';
    window.Notification = FakeNotification;
  } });
  await admin.waitForSelector('#notify-settings');
  assert.equal(await admin.evaluate(() => window.__asked), 0, 'never asked on load');
  await admin.click('#notify-desktop');
  await admin.waitForFunction(() => window.__asked === 1);
  assert.equal(await admin.isChecked('#notify-desktop'), true);
  const edge = `http://127.0.0.1:${stack.port}`;
  const guest = await (await fetch(`${edge}/api/v1/external/guests`, { method: 'POST', headers: { 'Site-Key': stack.siteKey } })).json();
  const text = `notify me ${Date.now()}`;
  const res = await fetch(`${edge}/api/v1/external/messages`, { method: 'POST',
    headers: { 'Site-Key': stack.siteKey, Authorization: `Bearer ${guest.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ text, clientId: 'notify-1' }) });
  assert.equal(res.status, 201);
  await admin.waitForFunction((t) => window.__shown.some((n) => n.body === t), text, { timeout: 10000 });
  assert.equal((await admin.evaluate(() => window.__shown.at(-1).title)), 'New message from a visitor');
  await admin.waitForFunction(() => /^\(\d+\) edgechat admin$/.test(document.title), null, { timeout: 5000 });
  // The title switch off: the plain title.
  await admin.click('#notify-title');
  await admin.click('#tab-inbox');
  await admin.evaluate(() => window.dispatchEvent(new HashChangeEvent('hashchange')));
  await admin.waitForFunction(() => document.title === 'edgechat admin', null, { timeout: 5000 });
  assert.equal(await admin.evaluate(() => window.__asked), 1, 'asked once');
  await admin.close();
});

test('the office hours editor: saved hours reach the API, a bad zone is refused with its message, clear makes the site always open', async () => {
  const admin = await adminPage();
  const siteKey = stack.siteKey;
  await admin.click('#tab-sites');
  await admin.click(`#site-list li[data-site-key="${siteKey}"]`);
  await admin.waitForSelector('#hours-form #hours-zone');
  assert.equal(await admin.textContent('#hours-state'), 'No office hours: always open');
  assert.equal(await admin.getAttribute('#hours-state', 'role'), 'status');
  await admin.fill('#hours-zone', 'Asia/Tehran');
  await admin.fill('#hours-mon', '13:00-17:00, 09:00-12:00');
  await admin.fill('#hours-holidays', '2030-03-21');
  await admin.fill('#hours-away', 'Back at 9 — ساعت ۹');
  await admin.click('#save-hours');
  await admin.waitForSelector('#hours-state:not(:has-text("always open"))');
  const saved = await stack.ctlJson(['site', 'hours', siteKey]);
  assert.deepEqual(saved.hours.week.mon, ['09:00-12:00', '13:00-17:00']);
  assert.deepEqual(saved.hours.holidays, ['2030-03-21']);
  assert.equal(saved.hours.awayText, 'Back at 9 — ساعت ۹');
  assert.equal(await admin.inputValue('#hours-mon'), '09:00-12:00, 13:00-17:00', 'shown as stored');
  await admin.fill('#hours-zone', 'Mars/Olympus');
  await admin.click('#save-hours');
  await admin.waitForSelector('#hours-form .error:has-text("time zone")');
  assert.equal((await stack.ctlJson(['site', 'hours', siteKey])).hours.timeZone, 'Asia/Tehran', 'nothing changed');
  await admin.click('#clear-hours');
  await admin.waitForSelector('#hours-state:has-text("always open")');
  assert.equal((await stack.ctlJson(['site', 'hours', siteKey])).hours, null);
  assert.deepEqual(pageErrors, []);
  await admin.close();
});
