// The widget's behaviour in headless Chromium against ONE real stack (nginx + module, worker,
// MariaDB, Redis) booted for this file and shared by every test; fresh browser contexts (no
// storage, so a new guest) and unique texts keep the tests apart. Faults are real ones: MariaDB
// stopped (503), the site's own edge limits (429), the browser offline, nginx's worker killed under
// an open event stream. Host pages (inline, floating, Persian, data-locale, a hand-made iframe) come
// from a small page server on shop.test (whitelisted) and evil.test (not). Each group of tests gets
// a site of its own (`edgechatctl site add`): the edge allows one client IP only 20 new guests per
// site at once (edgechat_guest_limit), and every test here is a new visitor from 127.0.0.1.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startStack, freePort, run, ROOT } from '../lib/stack.mjs';
import { launch, chatFrame, tempProfile } from '../lib/browser.mjs';
import { waitFor } from '../lib/wait.mjs';
import { sqlOk } from '../lib/sql.mjs';
import { updateSite } from '../lib/sites.mjs';
import { stackWorkerRequest } from '../lib/worker.mjs';
import { rm } from 'node:fs/promises';

const SHOTS = join(ROOT, 'test-results', 'browser');

let stack;
let browser;
let pages; // the host page server
let pagesPort;
let site; // the site the current group of tests embeds, as `site add` reported it
let sites = 0;

before(async () => {
  stack = await startStack({ chatHost: 'chat.test', demoHost: 'shop.test' });
  await mkdir(SHOTS, { recursive: true });
  pagesPort = await freePort();
  pages = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(hostPage(url));
  });
  await new Promise((resolve) => pages.listen(pagesPort, '127.0.0.1', resolve));
  browser = await launch();
});

/** Makes a new site for the page server's shop.test origin the current one (call in before()). */
async function newSite() {
  const added = Date.now();
  site = await stack.ctlJson(['site', 'add', '--name', `ui-${++sites}`, '--origin', hostUrl('shop.test'),
    '--title', 'Shop support', '--color', '#0f766e']);
  await waitFor('the edge serves the new site', async () => {
    const res = await fetch(`http://127.0.0.1:${stack.port}/api/v1/external/config`, {
      headers: { 'Site-Key': site.key, Origin: hostUrl('shop.test') },
    });
    return res.headers.get('access-control-allow-origin') === hostUrl('shop.test');
  }, { timeoutMs: 2000, intervalMs: 50 });
  // That was one nginx worker; each keeps its own copy of the registry, and all of them have the
  // site within the product's 2 s propagation guarantee.
  await new Promise((r) => setTimeout(r, Math.max(0, added + 2000 - Date.now())));
}

after(async () => {
  await browser?.close();
  pages?.closeAllConnections(); // a browser left open by a failed test must not hold up the stop
  await new Promise((resolve) => (pages ? pages.close(resolve) : resolve()));
  await stack?.stop();
});

function hostUrl(name, query = '') {
  return `http://${name}:${pagesPort}${query ? `/?${query}` : ''}`;
}

// Host pages: ?mode=inline|floating&lang=fa&locale=..&manual=1, or ?bare=1: the brief's two lines
// alone, in a page with no CSS at all.
function hostPage(url) {
  if (url.searchParams.get('bare') === '1') {
    return `<!doctype html><html><head><meta charset="utf-8"><title>bare</title></head><body>
<script src="${stack.chatUrl}/widget.js" data-site-id="${site.key}"></script>
<div id="chat-container"></div>
</body></html>`;
  }
  const mode = url.searchParams.get('mode') || 'inline';
  const lang = url.searchParams.get('lang') || 'en';
  const locale = url.searchParams.get('locale');
  const localeAttr = locale ? ` data-locale="${locale}"` : '';
  const embed =
    url.searchParams.get('manual') === '1'
      ? `<iframe id="manual" src="${stack.chatUrl}/frame/?site=${site.key}" title="chat"></iframe>`
      : `<script src="${stack.chatUrl}/widget.js" data-site-id="${site.key}"${localeAttr}></script>\n` +
        (mode === 'inline' ? '<div id="chat-container"></div>' : '');
  return `<!doctype html><html lang="${lang}" dir="${lang === 'fa' ? 'rtl' : 'ltr'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>shop</title>
<style>#chat-container{height:520px;max-width:400px;border:1px solid #ddd}#manual{width:400px;height:500px}</style>
</head><body><h1>Shop</h1>
${embed}
</body></html>`;
}

// Each test starts from a clean slate: a new browser context (no storage: a new guest).
async function open(query = 'mode=inline', { contextOptions = {}, ready = true } = {}) {
  const context = await browser.browser.newContext(contextOptions);
  const page = await context.newPage();
  const errors = [];
  page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
  page.on('pageerror', (err) => errors.push(err.message));
  const urls = [];
  page.on('request', (req) => urls.push(req.url()));
  await page.goto(hostUrl('shop.test', query));
  if (query.includes('floating')) await page.click('[data-edgechat="launcher"]');
  const frame = await chatFrame(page, stack.chatUrl);
  if (ready) await frame.waitForSelector('#chat[aria-busy="false"]', { timeout: 15000 });
  return { context, page, frame, errors, urls, close: () => context.close() };
}

/** Records the chat API's answers in a context: [{method, path, status, retryAfter, message}]. */
function recordApi(context) {
  const seen = [];
  context.on('response', async (res) => {
    const url = new URL(res.url());
    if (!url.pathname.startsWith('/api/v1/external/')) return;
    const entry = { method: res.request().method(), path: url.pathname.slice(17), status: res.status(),
      retryAfter: res.headers()['retry-after'], lastEventId: res.request().headers()['last-event-id'] };
    seen.push(entry);
    if (res.status() >= 400) entry.message = (await res.json().catch(() => ({}))).message;
  });
  return seen;
}

// Types like a visitor: click into the input, fill it, check the text landed, press Enter.
async function send(frame, text) {
  await frame.click('#input');
  await frame.fill('#input', text);
  await frame.waitForFunction((t) => document.getElementById('input').value === t, text, { timeout: 2000 });
  await frame.press('#input', 'Enter');
}

let counter = 0;
/** A text no other test sends, so the stored messages can be told apart. */
const unique = (text) => `${text} #${++counter}.${Date.now() % 100000}`;

const guestTexts = (frame) => frame.$$eval('.msg.guest .bubble', (n) => n.map((x) => x.textContent));

/** Stored messages of the demo site with one of these texts (the CLI reads MariaDB). */
async function stored(texts) {
  const all = await stack.ctlJson(['messages', 'list', '--site', site.key, '--limit', '500']);
  return all.filter((m) => texts.includes(m.text));
}

/** The conversation the message with this text was stored in. */
async function conversationOf(text) {
  let found;
  await waitFor(`message "${text}" stored`, async () => (found = (await stored([text]))[0]), { timeoutMs: 5000, intervalMs: 50 });
  return found.conversationId;
}

/** An agent's reply through `edgechatctl conversations reply`; resolves to the stored message. */
async function agentReply(conversationId, text) {
  const out = await stack.ctlJson(['conversations', 'reply', String(conversationId), '--text', text]);
  return out.message || out;
}

async function reactionOf(conversationId, messageId) {
  const c = await stack.ctlJson(['conversations', 'show', String(conversationId)]);
  const m = (c.messages || []).find((x) => String(x.id) === String(messageId));
  return m ? m.reaction : undefined;
}

/** Counts rows of a table straight from MariaDB (root over the stack's unix socket). */
async function countRows(table) {
  return Number(await sqlOk(stack, `SELECT COUNT(*) FROM ${table}`));
}

describe('embedding', () => {
  before(newSite);

  test('the two lines alone, in a page without CSS: a usable chat, not a 150 px strip', async () => {
    const { page, frame, errors, close } = await open('bare=1');
    const box = await page.locator('#chat-container iframe').boundingBox();
    assert.ok(box.height >= 480, `frame ${box.height} px tall`);
    // The history area and the composer both show inside the frame.
    const log = await frame.locator('#log').boundingBox();
    assert.ok(log && log.height >= 200, `history area ${log && log.height} px tall`);
    assert.ok(await frame.locator('#input').isVisible());
    const text = unique('Hello from a bare page');
    await send(frame, text);
    await frame.waitForSelector('.msg.guest:not(.pending)');
    assert.ok(await frame.locator('.msg.guest').last().isVisible());
    assert.deepEqual(errors, []);
    await close();
  });

  test('a container the host sized keeps its own height', async () => {
    const { page, close } = await open('mode=inline');
    const box = await page.locator('#chat-container').boundingBox();
    assert.equal(Math.round(box.height), 522); // 520 px and the 1 px border, from the host's CSS
    assert.equal(await page.evaluate(() => document.getElementById('chat-container').style.height), '');
    await close();
  });

  test('inline: frame from the chat origin, send, token only in host storage and headers, no errors', async () => {
    const { page, frame, errors, urls, close } = await open('mode=inline');
    assert.equal(new URL(frame.url()).origin, stack.chatUrl);
    assert.equal(await frame.textContent('#title'), site.title);
    const text = unique('Hello there');
    await send(frame, text);
    await frame.waitForSelector('.msg.guest:not(.pending)');
    const [message] = await stored([text]);
    assert.ok(message, 'stored');
    assert.equal(message.source, 'external');
    const saved = JSON.parse(await page.evaluate((k) => localStorage.getItem(`edgechat:${k}`), site.key));
    assert.match(saved.guestId, /^g_/);
    assert.match(saved.token, /^[A-Za-z0-9_-]{43}$/);
    for (const url of urls) assert.ok(!url.includes(saved.token), `token in ${url}`);
    assert.deepEqual(errors, []);
    await close();
  });

  test('floating: launcher first, frame created when idle, host API and events', async () => {
    const context = await browser.browser.newContext();
    const page = await context.newPage();
    await page.goto(hostUrl('shop.test', 'mode=floating'));
    await page.waitForSelector('[data-edgechat="launcher"]');
    // The frame is created without a click, once the browser is idle.
    const frame = await chatFrame(page, stack.chatUrl);
    await frame.waitForSelector('#chat[aria-busy="false"]', { state: 'attached', timeout: 15000 });
    assert.equal(await page.isVisible('[data-edgechat="panel"]'), false);
    await page.evaluate(() => {
      window.seen = [];
      for (const name of ['ready', 'open', 'close', 'message', 'unread']) {
        window.edgechat.on(name, (detail) => window.seen.push([name, detail]));
      }
    });
    await page.waitForFunction(() => window.seen.some(([n]) => n === 'ready'));
    await page.evaluate(() => window.edgechat.open());
    assert.equal(await page.isVisible('[data-edgechat="panel"]'), true);
    assert.equal(await page.getAttribute('[data-edgechat="launcher"]', 'aria-expanded'), 'true');
    await frame.waitForFunction(() => document.activeElement?.id === 'input');
    await frame.click('#close');
    await page.waitForSelector('[data-edgechat="panel"]', { state: 'hidden' });
    // The page can also drive it with postMessage to itself.
    await page.evaluate(() => window.postMessage({ edgechat: 1, type: 'toggle' }, location.origin));
    await page.waitForSelector('[data-edgechat="panel"]', { state: 'visible' });
    const text = unique('event me');
    await send(frame, text);
    await page.waitForFunction((t) => window.seen.some(([n, d]) => n === 'message' && d.text === t && d.author === 'guest'), text);
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-edgechat="panel"]', { state: 'hidden' });
    // Focus goes back to the launcher, so keyboard users are not lost.
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('data-edgechat')), 'launcher');
    assert.equal(await page.getAttribute('[data-edgechat="panel"] iframe', 'title'), site.title);
    const names = await page.evaluate(() => window.seen.map(([n]) => n));
    assert.deepEqual(names.filter((n) => n !== 'message' && n !== 'unread'), ['ready', 'open', 'close', 'open', 'close']);
    // Commands from another window (even of the same origin) or of another version are ignored.
    await page.evaluate(() => {
      const other = document.createElement('iframe');
      document.body.append(other);
      other.contentWindow.eval("parent.postMessage({ edgechat: 1, type: 'open' }, '*')");
      window.postMessage({ edgechat: 2, type: 'open' }, location.origin);
    });
    await page.waitForTimeout(200);
    assert.equal(await page.isVisible('[data-edgechat="panel"]'), false);
    await context.close();
  });

  test('the launcher sits at the inline end of a right-to-left page', async () => {
    const context = await browser.browser.newContext();
    const page = await context.newPage();
    await page.goto(hostUrl('shop.test', 'mode=floating&lang=fa'));
    await page.waitForSelector('[data-edgechat="launcher"]');
    const box = await page.$eval('[data-edgechat="launcher"]', (n) => n.getBoundingClientRect().toJSON());
    assert.ok(box.left < 100, `launcher at ${box.left}`);
    await context.close();
  });

  test('unread badge counts real agent replies while closed and clears on open', async () => {
    const { page, frame, close } = await open('mode=floating');
    const text = unique('Anyone there?');
    await send(frame, text);
    await frame.waitForSelector('.msg.guest:not(.pending)');
    await page.evaluate(() => window.edgechat.close());
    await frame.waitForSelector('html[data-visible="false"]', { state: 'attached' });
    const conversation = await conversationOf(text);
    await agentReply(conversation, 'Yes, hello!');
    await agentReply(conversation, 'How can I help?');
    await page.waitForFunction(() => window.edgechat.unread === 2, null, { timeout: 10000 });
    assert.equal(await page.textContent('[data-edgechat="badge"]'), '2');
    assert.match(await page.getAttribute('[data-edgechat="launcher"]', 'aria-label'), /\(2\)/);
    await page.click('[data-edgechat="launcher"]');
    await page.waitForFunction(() => window.edgechat.unread === 0);
    assert.equal(await page.isVisible('[data-edgechat="badge"]'), false);
    await close();
  });

  test('a Persian page counts unread replies in Persian digits', async () => {
    const { page, frame, close } = await open('mode=floating&lang=fa');
    const text = unique('کسی هست؟');
    await send(frame, text);
    await frame.waitForSelector('.msg.guest:not(.pending)');
    await page.evaluate(() => window.edgechat.close());
    await frame.waitForSelector('html[data-visible="false"]', { state: 'attached' });
    await agentReply(await conversationOf(text), 'بله، در خدمتیم.');
    await page.waitForFunction(() => window.edgechat.unread === 1, null, { timeout: 10000 });
    assert.equal(await page.textContent('[data-edgechat="badge"]'), '۱');
    await close();
  });

  test('replies that came while the visitor was away show as unread on the next visit', async () => {
    const { context, page, frame } = await open('mode=floating');
    const text = unique('Call me back?');
    await send(frame, text);
    await frame.waitForSelector('.msg.guest:not(.pending)');
    await page.close();
    await agentReply(await conversationOf(text), 'We tried, please reply here.');
    const next = await context.newPage();
    await next.goto(hostUrl('shop.test', 'mode=floating'));
    await next.waitForFunction(() => window.edgechat && window.edgechat.unread === 1, null, { timeout: 15000 });
    assert.equal(await next.textContent('[data-edgechat="badge"]'), '1');
    await next.click('[data-edgechat="launcher"]');
    await next.waitForFunction(() => window.edgechat.unread === 0);
    await next.reload();
    const again = await chatFrame(next, stack.chatUrl);
    await again.waitForSelector('#chat[aria-busy="false"]', { state: 'attached', timeout: 15000 });
    await next.waitForTimeout(300);
    assert.equal(await next.evaluate(() => window.edgechat.unread), 0, 'seen stays seen');
    await context.close();
  });

  test('a site outside the whitelist gets no widget and one clear console message', async () => {
    const context = await browser.browser.newContext();
    const page = await context.newPage();
    const warnings = [];
    page.on('console', (msg) => msg.type() === 'warning' && warnings.push(msg.text()));
    await page.goto(hostUrl('evil.test', 'mode=floating'));
    await waitFor('the console message', () => warnings.some((w) => w.startsWith('edgechat:')), { timeoutMs: 5000, intervalMs: 50 });
    await page.waitForTimeout(300);
    assert.equal(await page.$('[data-edgechat]'), null);
    assert.equal(page.frames().length, 1);
    const ours = warnings.filter((w) => w.startsWith('edgechat:'));
    assert.equal(ours.length, 1, JSON.stringify(warnings));
    assert.match(ours[0], /allowed origin/);
    await context.close();
  });

  test('a hand-made iframe on a site outside the whitelist is refused by frame-ancestors', async () => {
    const guestsBefore = await countRows('guests');
    const context = await browser.browser.newContext();
    const page = await context.newPage();
    const messages = [];
    page.on('console', (msg) => messages.push(msg.text()));
    await page.goto(hostUrl('evil.test', 'manual=1'));
    await waitFor('the frame-ancestors refusal', () => messages.some((m) => m.includes('frame-ancestors')), { timeoutMs: 5000, intervalMs: 50 });
    await page.waitForTimeout(300);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    assert.ok(!frame.url().startsWith(stack.chatUrl), frame.url());
    assert.equal(await countRows('guests'), guestsBefore, 'no guest was created from the refused frame');
    await context.close();
  });
});

describe('messages', () => {
  before(newSite);

  test('the frame also works opened on its own (a chat link), with its own storage', async () => {
    const context = await browser.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${stack.chatUrl}/frame/?site=${site.key}`);
    await page.waitForSelector('#chat[aria-busy="false"]', { timeout: 15000 });
    assert.equal(await page.isHidden('#close'), true);
    const text = unique('from the chat link');
    await send(page.mainFrame(), text);
    await page.waitForSelector('.msg.guest:not(.pending)');
    await page.reload();
    await page.waitForSelector('#chat[aria-busy="false"]', { timeout: 15000 });
    assert.deepEqual(await guestTexts(page.mainFrame()), [text]);
    await context.close();
  });

  test('history, reactions and their state survive a reload', async () => {
    const { page, frame, close } = await open('mode=inline');
    const text = unique('first');
    await send(frame, text);
    await frame.waitForSelector('.msg.guest:not(.pending)');
    const conversation = await conversationOf(text);
    const reply = await agentReply(conversation, 'An answer');
    await frame.waitForSelector(`.msg.agent[data-id="${reply.id}"]`, { timeout: 10000 });
    const like = `.msg[data-id="${reply.id}"] .react.like`;
    const dislike = `.msg[data-id="${reply.id}"] .react.dislike`;
    const stored = (value) => waitFor(`reaction ${value}`, async () => (await reactionOf(conversation, reply.id)) === value, { timeoutMs: 5000, intervalMs: 50 });
    await frame.click(like);
    await stored('like');
    assert.equal(await frame.getAttribute(like, 'aria-pressed'), 'true');
    await frame.click(dislike); // switch
    await stored('dislike');
    assert.equal(await frame.getAttribute(like, 'aria-pressed'), 'false');
    await frame.click(dislike); // clear
    await stored(null);
    await frame.click(like);
    await stored('like');

    await page.reload();
    const again = await chatFrame(page, stack.chatUrl);
    await again.waitForSelector('#chat[aria-busy="false"]', { timeout: 15000 });
    assert.deepEqual(await guestTexts(again), [text]);
    assert.equal(await again.getAttribute(like, 'aria-pressed'), 'true');
    assert.equal(await again.getAttribute(dislike, 'aria-pressed'), 'false');
    await close();
  });

  test('a new tab of the same site continues the same conversation, and sees it live', async () => {
    const { context, page, frame, close } = await open('mode=inline');
    const text = unique('from tab one');
    await send(frame, text);
    await frame.waitForSelector('.msg.guest:not(.pending)');
    const guests = await countRows('guests');
    const saved = await page.evaluate((k) => localStorage.getItem(`edgechat:${k}`), site.key);
    const tab = await context.newPage();
    await tab.goto(hostUrl('shop.test', 'mode=inline'));
    const other = await chatFrame(tab, stack.chatUrl);
    await other.waitForSelector('#chat[aria-busy="false"]', { timeout: 15000 });
    assert.deepEqual(await guestTexts(other), [text]);
    assert.equal(await countRows('guests'), guests, 'no new guest');
    assert.equal(await tab.evaluate((k) => localStorage.getItem(`edgechat:${k}`), site.key), saved);
    // What one tab sends, the other shows from the event stream.
    const second = unique('from tab two');
    await send(other, second);
    await frame.waitForSelector(`.msg.guest >> text=${second}`, { timeout: 10000 });
    await close();
  });

  test('replies arrive live and the stream resumes after nginx drops it', async () => {
    const { context, frame, close } = await open('mode=inline');
    const api = recordApi(context);
    const text = unique('hi');
    await send(frame, text);
    await frame.waitForSelector('.msg.guest:not(.pending)');
    const conversation = await conversationOf(text);
    await agentReply(conversation, 'live one');
    await frame.waitForSelector('.msg.agent >> text=live one', { timeout: 10000 });
    // Kill nginx's worker processes (ours, children of the stack's nginx master): every open
    // connection drops at once, as in a crash; the master starts new workers.
    const master = (await readFile(join(stack.varDir, 'run', 'nginx.pid'), 'utf8')).trim();
    const children = (await run('ps', ['-o', 'pid=', '--ppid', master])).stdout.split(/\s+/).filter(Boolean);
    assert.ok(children.length > 0, 'nginx workers found');
    for (const pid of children) process.kill(Number(pid), 'SIGKILL');
    await agentReply(conversation, 'while away'); // stored while the frame has no stream
    await frame.waitForSelector('.msg.agent >> text=while away', { timeout: 15000 });
    await agentReply(conversation, 'after the drop');
    await frame.waitForSelector('.msg.agent >> text=after the drop', { timeout: 10000 });
    assert.deepEqual(await frame.$$eval('.msg.agent .bubble', (n) => n.map((x) => x.textContent)),
      ['live one', 'while away', 'after the drop'], 'each reply once, in order');
    assert.ok(api.some((r) => r.path === 'events' && r.status === 200 && r.lastEventId), 'resumed with Last-Event-ID');
    await close();
  });

  test('a reset event (events pruned while away) reloads the history, more than a page of it, without duplicates', async () => {
    const { context, frame, close } = await open('mode=inline');
    const api = recordApi(context);
    const text = unique('before pruning');
    await send(frame, text);
    await frame.waitForSelector('.msg.guest:not(.pending)');
    const conversation = await conversationOf(text);
    await agentReply(conversation, 'seen live');
    await frame.waitForSelector('.msg.agent >> text=seen live', { timeout: 10000 });
    // Keep the frame away from the stream (its reconnects fail) while replies come and retention
    // prunes them: every event so far is aged past the horizon, as time would.
    await context.route('**/api/v1/external/events', (route) => route.abort());
    const master = (await readFile(join(stack.varDir, 'run', 'nginx.pid'), 'utf8')).trim();
    const children = (await run('ps', ['-o', 'pid=', '--ppid', master])).stdout.split(/\s+/).filter(Boolean);
    for (const pid of children) process.kill(Number(pid), 'SIGKILL');
    await agentReply(conversation, 'pruned one');
    // More than a page missed: the newest page alone would leave a gap above it.
    const missed = Array.from({ length: 60 }, (_, i) => `missed ${i + 1}`);
    const inserted = await stack.sql('INSERT INTO messages (conversation_id, author, body) VALUES ' +
      missed.map((t) => `(${Number(conversation)}, 'agent', '${t}')`).join(', '));
    assert.equal(inserted.code, 0, inserted.stderr);
    await agentReply(conversation, 'pruned two');
    const aged = await stack.sql('UPDATE events SET created_at = created_at - INTERVAL 40 DAY');
    assert.equal(aged.code, 0, aged.stderr);
    const pruned = await stack.ctlJson(['events', 'prune', '--older-than-days', '30']);
    assert.ok(pruned.deleted >= 3, JSON.stringify(pruned));
    const before = api.length;
    await context.unroute('**/api/v1/external/events');
    await frame.waitForSelector('.msg.agent >> text=pruned one', { timeout: 20000 });
    await frame.waitForSelector('.msg.agent >> text=pruned two', { timeout: 5000 });
    const resumed = api.slice(before);
    assert.ok(resumed.some((r) => r.path === 'events' && r.status === 200 && r.lastEventId), 'resumed with Last-Event-ID');
    assert.ok(resumed.some((r) => r.path === 'messages' && r.method === 'GET' && r.status === 200), 'history reloaded');
    await agentReply(conversation, 'after the reset');
    await frame.waitForSelector('.msg.agent >> text=after the reset', { timeout: 10000 });
    assert.deepEqual(await frame.$$eval('.msg.agent .bubble', (n) => n.map((x) => x.textContent)),
      ['seen live', 'pruned one', ...missed, 'pruned two', 'after the reset'], 'each reply once, in order');
    assert.deepEqual(await guestTexts(frame), [text]);
    await close();
  });

  for (const lang of ['en', 'fa']) {
    test(`a long conversation (${lang}): newest page first, scrolling up loads older pages in order, in place`, async () => {
      const { context, page, frame, close } = await open(`mode=inline&lang=${lang}`);
      const first = unique('the very first');
      await send(frame, first);
      await frame.waitForSelector('.msg.guest:not(.pending)');
      const conversation = await conversationOf(first);
      // 119 more, straight into MariaDB (far more than a visitor could send past the edge limits).
      const rows = Array.from({ length: 119 }, (_, i) =>
        `(${Number(conversation)}, '${i % 3 === 2 ? 'agent' : 'guest'}', 'older ${lang} ${i + 1}')`);
      const inserted = await stack.sql(`INSERT INTO messages (conversation_id, author, body) VALUES ${rows.join(', ')}`);
      assert.equal(inserted.code, 0, inserted.stderr);
      const ids = (await stack.sql(`SELECT id FROM messages WHERE conversation_id = ${Number(conversation)} ORDER BY id`))
        .stdout.trim().split('\n');
      assert.equal(ids.length, 120);

      const api = recordApi(context);
      await page.reload();
      const again = await chatFrame(page, stack.chatUrl);
      await again.waitForSelector('#chat[aria-busy="false"]', { timeout: 15000 });
      const shown = () => again.$$eval('#log .msg[data-id]', (n) => n.map((x) => x.dataset.id));
      assert.equal(await again.getAttribute('html', 'dir'), lang === 'fa' ? 'rtl' : 'ltr');
      assert.deepEqual(await shown(), ids.slice(-50), 'the newest page, oldest first');
      assert.ok(await again.$eval('#log', (log) => log.scrollHeight - log.scrollTop - log.clientHeight < 2), 'at the bottom');

      for (const count of [100, 120]) {
        // Scroll to the top; note where the message at the top of the view is.
        const mark = await again.$eval('#log', (log) => {
          log.scrollTop = 0;
          const top = log.querySelector('.msg[data-id]');
          return { id: top.dataset.id, offset: top.getBoundingClientRect().top - log.getBoundingClientRect().top };
        });
        await again.waitForFunction((n) => document.querySelectorAll('#log .msg[data-id]').length === n, count, { timeout: 10000 });
        assert.deepEqual(await shown(), ids.slice(-count), 'older messages above, in order, none twice');
        const after = await again.$eval('#log', (log, id) => ({
          offset: log.querySelector(`.msg[data-id="${id}"]`).getBoundingClientRect().top - log.getBoundingClientRect().top,
          scrollTop: log.scrollTop,
        }), mark.id);
        assert.ok(after.scrollTop > 0, 'the view did not jump to the top of the older page');
        assert.ok(Math.abs(after.offset - mark.offset) <= 2, `message ${mark.id} stayed in place (${mark.offset} -> ${after.offset})`);
      }
      assert.equal(await again.textContent('#log .msg[data-id] .bubble'), first);
      const texts = await again.$$eval('#log .msg[data-id] .bubble', (n) => n.map((x) => x.textContent));
      assert.equal(new Set(texts).size, 120);
      // Everything is shown: scrolling to the top again asks for nothing.
      const reads = () => api.filter((r) => r.method === 'GET' && r.path === 'messages').length;
      const before = reads();
      assert.equal(before, 3, 'the newest page and two older ones');
      await again.$eval('#log', (log) => { log.scrollTop = 1; log.scrollTop = 0; });
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(reads(), before);
      await close();
    });
  }

  test('resolving and reopening the conversation (by the agent or by writing again) shows notes in the frame', async () => {
    const { frame, close } = await open('mode=inline');
    const text = unique('thanks, that was all');
    await send(frame, text);
    await frame.waitForSelector('.msg.guest:not(.pending)');
    const conversation = String(await conversationOf(text));
    await stack.ctlJson(['conversations', 'resolve', conversation]);
    await frame.waitForSelector('.msg.system[data-status="resolved"]', { timeout: 10000 });
    assert.match(await frame.textContent('.msg.system[data-status="resolved"]'), /resolved/);
    // The visitor writing again reopens it (the server does, and says so on the stream).
    await send(frame, unique('one more thing'));
    await frame.waitForSelector('.msg.system[data-status="open"]', { timeout: 10000 });
    assert.equal((await stack.ctlJson(['conversations', 'show', conversation])).status, 'open');
    await stack.ctlJson(['conversations', 'resolve', conversation]);
    await stack.ctlJson(['conversations', 'reopen', conversation]); // and an agent reopening it too
    await frame.waitForFunction(() => document.querySelectorAll('.msg.system[data-status]').length === 4, null,
      { timeout: 10000 });
    assert.equal(await frame.getAttribute('#log', 'aria-live'), 'polite', 'announced by the live region');
    await close();
  });

  test("the agent's typing shows 'Agent is typing…' in the frame, gone after 5 s or with the reply", async () => {
    const { frame, close } = await open('mode=inline');
    const text = unique('is anyone there');
    await send(frame, text);
    await frame.waitForSelector('.msg.guest:not(.pending)');
    const conversation = await conversationOf(text);
    // The panel's calls (at the worker: this stack's chat host is a name only the browser knows).
    const login = await stackWorkerRequest(stack, 'POST', '/api/v1/admin/login',
      { body: { username: 'admin', password: stack.adminPassword } });
    assert.equal(login.status, 200, login.text);
    const cookie = [login.headers['set-cookie']].flat()[0].split(';')[0];
    const typing = () => stackWorkerRequest(stack, 'POST', `/api/v1/admin/conversations/${conversation}/typing`,
      { headers: { Cookie: cookie, 'X-CSRF-Token': login.json.csrfToken }, body: {} });
    assert.equal((await typing()).status, 204);
    await frame.waitForSelector('#typing:not([hidden])', { timeout: 5000 });
    assert.equal(await frame.textContent('#typing'), 'Agent is typing…');
    const shownAt = Date.now();
    await frame.waitForSelector('#typing', { state: 'hidden', timeout: 8000 });
    const gone = Date.now() - shownAt;
    assert.ok(gone >= 4000 && gone <= 7000, `hidden after ${gone} ms`);
    // Shown again, then the agent's reply ends it at once.
    assert.equal((await typing()).status, 204);
    await frame.waitForSelector('#typing:not([hidden])', { timeout: 5000 });
    await agentReply(conversation, 'here I am');
    await frame.waitForSelector('.msg.agent >> text=here I am', { timeout: 10000 });
    assert.equal(await frame.isHidden('#typing'), true, 'the reply ends the indicator');
    await close();
  });

  test("read receipts: 'Seen' under the visitor's message once an agent opens it, kept after a reload; the visitor's read reaches the panel", async () => {
    const { page, frame, close } = await open('mode=inline');
    const text = unique('was this read');
    await send(frame, text);
    await frame.waitForSelector('.msg.guest:not(.pending)');
    const conversation = await conversationOf(text);
    assert.equal(await frame.locator('.msg .seen').count(), 0, 'nothing read yet');
    const login = await stackWorkerRequest(stack, 'POST', '/api/v1/admin/login',
      { body: { username: 'admin', password: stack.adminPassword } });
    const cookie = [login.headers['set-cookie']].flat()[0].split(';')[0];
    const show = () => stackWorkerRequest(stack, 'GET', `/api/v1/admin/conversations/${conversation}`, { headers: { Cookie: cookie } });
    assert.equal((await show()).status, 200); // the panel opens it: read
    await frame.waitForSelector('.msg.guest .seen', { timeout: 10000 });
    assert.equal(await frame.textContent('.msg.guest .seen'), 'Seen');
    // The reply is on screen (the inline frame is visible): the frame reports it read.
    await agentReply(conversation, 'yes, read');
    await frame.waitForSelector('.msg.agent >> text=yes, read', { timeout: 10000 });
    let shown;
    for (let i = 0; i < 50; i++) {
      shown = (await show()).json;
      if (shown.visitorReadUpTo > 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(shown.visitorReadUpTo, shown.messages.at(-1).id, 'the visitor read the reply');
    await page.reload();
    const again = await chatFrame(page, stack.chatUrl);
    await again.waitForSelector('.msg.guest .seen', { timeout: 10000 });
    assert.equal(await again.locator('.msg .seen').count(), 1, 'one Seen, under the newest read message');
    await close();
  });

  test('the frame shows whether an agent is there (online / away, English and Persian) and changes live', async () => {
    const login = await stackWorkerRequest(stack, 'POST', '/api/v1/admin/login',
      { body: { username: 'admin', password: stack.adminPassword } });
    assert.equal(login.status, 200, login.text);
    const cookie = [login.headers['set-cookie']].flat()[0].split(';')[0];
    const beat = async (state) => {
      const r = await stackWorkerRequest(stack, 'POST', '/api/v1/admin/presence',
        { headers: { Cookie: cookie, 'X-CSRF-Token': login.json.csrfToken }, body: { state, idleMs: 0 } });
      assert.equal(r.status, 200, r.text);
    };
    await beat('offline');
    const { frame, close } = await open('mode=inline');
    await send(frame, unique('hello, anyone?'));
    await frame.waitForSelector('.msg.guest:not(.pending)');
    await frame.waitForSelector('#presence[data-state="away"]', { timeout: 5000 });
    assert.equal(await frame.textContent('#presence'), "We're away right now. Leave a message and we'll reply.");
    assert.equal(await frame.getAttribute('#presence', 'aria-live'), 'polite', 'announced to screen readers');
    assert.equal(await frame.getAttribute('#presence', 'role'), 'status');
    await beat('online'); // no reload: the stream's presence event
    await frame.waitForSelector('#presence[data-state="online"]', { timeout: 5000 });
    assert.equal(await frame.textContent('#presence'), "We're online");
    await beat('offline'); // the last agent leaves
    await frame.waitForSelector('#presence[data-state="away"]', { timeout: 5000 });
    await close();
    const fa = await open('mode=inline&lang=fa');
    await beat('online');
    await send(fa.frame, unique('سلام'));
    await fa.frame.waitForSelector('#presence[data-state="online"]', { timeout: 5000 });
    assert.equal(await fa.frame.textContent('#presence'), 'ما آنلاین هستیم');
    await beat('away');
    await fa.frame.waitForSelector('#presence[data-state="away"]', { timeout: 5000 });
    assert.equal(await fa.frame.textContent('#presence'), 'الان کسی در دسترس نیست. پیام بگذارید تا پاسخ دهیم.');
    await beat('offline');
    await fa.close();
  });

  test("outside office hours the frame says we're closed with the away text (English and Persian), and opens live", async () => {
    const hours = async (...args) => {
      const r = await stack.ctl(['site', 'hours', site.key, ...args]);
      assert.equal(r.code, 0, r.stderr);
    };
    const away = '<b>Back</b> at 9:00 — ساعت ۹ برمی‌گردیم';
    await hours('--zone', 'UTC', '--away-text', away); // no interval: closed all week
    const { frame, close } = await open('mode=inline');
    await send(frame, unique('closed?'));
    await frame.waitForSelector('#presence[data-state="outside_hours"]', { timeout: 10000 });
    assert.equal(await frame.textContent('#presence'), `We're closed now\n${away}`, 'as text, never markup');
    assert.equal(await frame.locator('#presence b').count(), 0);
    assert.equal(await frame.getAttribute('#presence', 'role'), 'status');
    assert.equal(await frame.getAttribute('#presence', 'aria-live'), 'polite');
    await close();
    const fa = await open('mode=inline&lang=fa');
    await send(fa.frame, unique('تعطیل؟'));
    await fa.frame.waitForSelector('#presence[data-state="outside_hours"]', { timeout: 10000 });
    assert.equal(await fa.frame.textContent('#presence'), `الان تعطیل هستیم\n${away}`);
    await hours('--clear'); // open again: the agents' state, live
    await fa.frame.waitForSelector('#presence[data-state="away"]', { timeout: 10000 });
    await fa.close();
  });

  test('without an event stream the frame polls for replies', async () => {
    // Request interception, not a real fault: the real worker always has an event stream, and the
    // fallback is for proxies that refuse one. The rest of the exchange is the real stack.
    const context = await browser.browser.newContext();
    await context.route('**/api/v1/external/events', (route) =>
      route.fulfill({ status: 404, contentType: 'application/json', body: '{"error":"not_found","message":"No such route."}' }));
    const page = await context.newPage();
    await page.goto(hostUrl('shop.test', 'mode=inline'));
    const frame = await chatFrame(page, stack.chatUrl);
    await frame.waitForSelector('#chat[aria-busy="false"]', { timeout: 15000 });
    const text = unique('hi, polling');
    await send(frame, text);
    await frame.waitForSelector('.msg.guest:not(.pending)');
    await agentReply(await conversationOf(text), 'polled reply');
    await frame.waitForSelector('.msg.agent >> text=polled reply', { timeout: 12000 });
    await context.close();
  });

  test('an unknown token makes a new guest and the host stores it', async () => {
    const context = await browser.browser.newContext();
    const page = await context.newPage();
    await page.goto(hostUrl('shop.test', 'mode=inline'));
    const stale = { guestId: 'g_aaaaaaaaaaaaaaaaaaaaaaaa', token: 'A'.repeat(43) };
    await page.evaluate(([k, v]) => localStorage.setItem(`edgechat:${k}`, v), [site.key, JSON.stringify(stale)]);
    await page.reload();
    const frame = await chatFrame(page, stack.chatUrl);
    await frame.waitForSelector('#chat[aria-busy="false"]', { timeout: 15000 });
    await page.waitForFunction((k) => JSON.parse(localStorage.getItem(`edgechat:${k}`)).token !== 'A'.repeat(43), site.key);
    const text = unique('after renewal');
    await send(frame, text);
    await frame.waitForSelector('.msg.guest:not(.pending)');
    assert.equal((await stored([text])).length, 1);
    await context.close();
  });
});

describe('degraded states', () => {
  before(newSite);

  test('MariaDB down: 503 shown, the message is sent once it is back, and stored once', async () => {
    const { context, frame, close } = await open('mode=inline');
    const api = recordApi(context);
    const sock = join(stack.varDir, 'run', 'mysql.sock');
    const down = await run('mariadb-admin', ['--no-defaults', `--socket=${sock}`, '-uroot', 'shutdown']);
    assert.equal(down.code, 0, down.stderr);
    let restarted = null;
    try {
      const text = unique('survives an outage');
      await send(frame, text);
      await frame.waitForSelector('#status:not([hidden])', { timeout: 15000 });
      assert.match(await frame.textContent('#status'), /unavailable/i);
      assert.equal(await frame.$('.msg.guest:not(.pending)'), null, 'not shown as sent');
      const refused = api.find((r) => r.method === 'POST' && r.path === 'messages');
      assert.equal(refused?.status, 503, `the worker answered ${JSON.stringify(refused)}`);
      restarted = await stack.script('start'); // restarts what is down, as an operator would
      assert.equal(restarted.code, 0, restarted.stderr);
      await frame.waitForSelector('.msg.guest:not(.pending)', { timeout: 30000 });
      await frame.waitForSelector('#status', { state: 'hidden', timeout: 10000 });
      assert.equal((await stored([text])).length, 1, 'stored exactly once');
    } finally {
      if (!restarted) await stack.script('start');
    }
    await close();
  });

  test("429 from the site's own edge limit shows the site's text, then sends each message once", async () => {
    const limits = site.limits;
    const message = 'Slow down please: one message every two seconds.';
    const { context, frame, close } = await open('mode=inline');
    const api = recordApi(context);
    await updateSite(stack, site.key, ['--rate-messages', '1', '--rate-window', '2', '--rate-burst', '0', '--rate-message', message],
      () => true);
    await new Promise((r) => setTimeout(r, 1000)); // published at once; the edge's copy within 1 s
    try {
      const texts = [unique('too fast 1'), unique('too fast 2'), unique('too fast 3')];
      for (const text of texts) await send(frame, text);
      await frame.waitForSelector('#status:not([hidden])', { timeout: 10000 });
      assert.equal(await frame.textContent('#status'), message);
      const limited = api.find((r) => r.status === 429);
      assert.ok(limited?.retryAfter, `the edge's 429 carries Retry-After: ${JSON.stringify(limited)}`);
      assert.equal(limited.message, message);
      await frame.waitForFunction((n) => document.querySelectorAll('.msg.guest:not(.pending)').length === n, texts.length,
        { timeout: 30000 });
      // The notice clears once the queue has drained (the last send's answer, then the status update).
      await frame.waitForSelector('#status', { state: 'hidden', timeout: 5000 }).catch(async () => {
        assert.fail(`the notice stayed: "${await frame.textContent('#status')}"`);
      });
      assert.equal((await stored(texts)).length, texts.length, 'each stored once');
      await close();
    } finally {
      await updateSite(stack, site.key, ['--rate-messages', String(limits.messages), '--rate-window', String(limits.windowSeconds),
        '--rate-burst', String(limits.burst), '--rate-message', limits.message || ''], () => true);
    }
  });

  test('offline shows a visible state and sends when back online', async () => {
    const { context, frame, close } = await open('mode=inline');
    await context.setOffline(true);
    const text = unique('sent later');
    await send(frame, text);
    await frame.waitForSelector('#status:not([hidden])');
    assert.match(await frame.textContent('#status'), /offline/i);
    await context.setOffline(false);
    await frame.waitForSelector('.msg.guest:not(.pending)', { timeout: 15000 });
    assert.equal((await stored([text])).length, 1);
    await close();
  });

  test("a site locked with the CLI disables the input and shows the site's locked message", async () => {
    const lockedMessage = 'Closed for inventory until Monday.';
    await updateSite(stack, site.key, ['--lock', '--locked-message', lockedMessage], (c) => c.locked === true);
    let unlocked = false;
    try {
      const { frame, close } = await open('mode=inline');
      assert.equal(await frame.isDisabled('#input'), true);
      assert.equal(await frame.isDisabled('#send'), true);
      assert.equal(await frame.textContent('#status'), lockedMessage);
      // Unlocked by the admin: the open chat notices within its next config check (10 s).
      await updateSite(stack, site.key, ['--unlock'], (c) => c.locked === false);
      unlocked = true;
      await frame.waitForSelector('#input:not([disabled])', { timeout: 15000 });
      assert.equal(await frame.isHidden('#status'), true);
      await send(frame, unique('open again'));
      await frame.waitForSelector('.msg.guest:not(.pending)');
      await close();
    } finally {
      if (!unlocked) await updateSite(stack, site.key, ['--unlock'], (c) => c.locked === false);
    }
  });
});

describe('language, layout and accessibility', () => {
  before(newSite);

  test('Persian page: RTL frame with mirrored text and controls (screenshot kept)', async () => {
    const { page, frame, close } = await open('mode=inline&lang=fa');
    assert.equal(await frame.getAttribute('html', 'dir'), 'rtl');
    assert.equal(await frame.getAttribute('html', 'lang'), 'fa');
    assert.equal(await frame.getAttribute('#send', 'aria-label'), 'ارسال');
    const text = unique('سلام، وقت بخیر');
    await send(frame, text);
    await frame.waitForSelector('.msg.guest:not(.pending)');
    await agentReply(await conversationOf(text), 'سلام! چطور می‌توانم کمک کنم؟');
    await frame.waitForSelector('.msg.agent', { timeout: 10000 });
    const box = async (sel) => frame.$eval(sel, (n) => n.getBoundingClientRect().toJSON());
    const guest = await box('.msg.guest .bubble');
    const agent = await box('.msg.agent .bubble');
    const input = await box('#input');
    const sendButton = await box('#send');
    assert.ok(guest.left < agent.left, 'guest messages on the left in RTL');
    assert.ok(sendButton.right <= input.left, 'send button left of the input in RTL');
    assert.match(await frame.textContent('.msg.agent time'), /[۰-۹]/, 'Persian digits');
    await page.screenshot({ path: join(SHOTS, 'widget-rtl-fa.png') });
    await close();
  });

  test('data-locale wins over the page language', async () => {
    const { frame, close } = await open('mode=inline&lang=en&locale=fa');
    assert.equal(await frame.getAttribute('html', 'dir'), 'rtl');
    await close();
  });

  test('hostile text from the guest and the agent is stored as sent and shown inertly', async () => {
    const { page, frame, errors, close } = await open('mode=inline');
    const hostile = [
      unique('<script>window.parent.pwned=1</script><img src=x onerror="window.pwned=1">'),
      unique('\u202Egnp.exe\u202C and \u2067isolate\u2069 \u200F rlm'),
      'W'.repeat(1900) + Date.now(),
    ];
    for (const text of hostile) await send(frame, text);
    await frame.waitForFunction(() => document.querySelectorAll('.msg.guest:not(.pending)').length === 3, null, { timeout: 15000 });
    const rows = await stored(hostile);
    assert.equal(rows.length, 3, 'stored exactly as sent');
    const agentText = '<b>bold?</b>\u202Eevil';
    await agentReply(rows[0].conversationId, agentText);
    await frame.waitForSelector('.msg.agent', { timeout: 10000 });
    assert.equal(await frame.textContent('.msg.agent .bubble'), agentText);
    assert.deepEqual(await guestTexts(frame), hostile);
    assert.equal(await frame.$('.bubble img, .bubble script, .bubble b'), null);
    assert.equal(await frame.evaluate(() => window.pwned), undefined);
    assert.equal(await page.evaluate(() => window.pwned), undefined);
    const overflow = await frame.$eval('#log', (log) => log.scrollWidth - log.clientWidth);
    assert.ok(overflow <= 0, `the log scrolls sideways by ${overflow}px`);
    const title = await frame.$eval('#title', (n) => n.getBoundingClientRect().toJSON());
    assert.ok(title.top >= 0 && title.top < 40, 'header still in place');
    await page.screenshot({ path: join(SHOTS, 'widget-hostile.png') });
    assert.deepEqual(errors, []);
    await close();
  });

  test('accessibility: labels, live region, focus order', async () => {
    const { frame, close } = await open('mode=inline');
    assert.equal(await frame.getAttribute('#log', 'role'), 'log');
    assert.equal(await frame.getAttribute('#log', 'aria-live'), 'polite');
    assert.equal(await frame.getAttribute('#status', 'role'), 'status');
    assert.equal(await frame.$eval('#input', (n) => n.labels[0]?.textContent), 'Message');
    assert.equal(await frame.getAttribute('#send', 'aria-label'), 'Send');
    await frame.focus('#input');
    await frame.press('#input', 'Tab');
    assert.equal(await frame.evaluate(() => document.activeElement.id), 'send');
    await close();
  });

  test('dark mode follows the visitor', async () => {
    const { frame, close } = await open('mode=inline', { contextOptions: { colorScheme: 'dark' } });
    const bg = await frame.$eval('body', (b) => getComputedStyle(b).backgroundColor);
    assert.equal(bg, 'rgb(17, 24, 39)');
    await close();
  });

  test('phones get a full-screen panel', async () => {
    const context = await browser.browser.newContext({ viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.goto(hostUrl('shop.test', 'mode=floating'));
    await page.click('[data-edgechat="launcher"]');
    const panel = await page.$eval('[data-edgechat="panel"]', (n) => n.getBoundingClientRect().toJSON());
    assert.deepEqual([panel.x, panel.y, panel.width, panel.height], [0, 0, 375, 667]);
    assert.equal(await page.isVisible('[data-edgechat="launcher"]'), false);
    const frame = await chatFrame(page, stack.chatUrl);
    await frame.waitForSelector('#chat[aria-busy="false"]', { timeout: 15000 });
    await frame.click('#close');
    await page.waitForSelector('[data-edgechat="launcher"]', { state: 'visible' });
    await context.close();
  });
});

describe('third-party storage', () => {
  before(newSite);

  test("with partitioned storage the frame's copy restores a guest the page lost", async () => {
    const b = await launch({ storage: 'partitioned' });
    try {
      const page = await b.newPage();
      await page.goto(hostUrl('shop.test', 'mode=inline'));
      let frame = await chatFrame(page, stack.chatUrl);
      await frame.waitForSelector('#chat[aria-busy="false"]', { timeout: 15000 });
      const text = unique('remember me');
      await send(frame, text);
      await frame.waitForSelector('.msg.guest:not(.pending)');
      const key = `edgechat:${site.key}`;
      const before = JSON.parse(await page.evaluate((k) => localStorage.getItem(k), key));
      await page.evaluate((k) => localStorage.removeItem(k), key);
      await page.reload();
      frame = await chatFrame(page, stack.chatUrl);
      await frame.waitForSelector('#chat[aria-busy="false"]', { timeout: 15000 });
      assert.deepEqual(await guestTexts(frame), [text]);
      await page.waitForFunction((k) => localStorage.getItem(k) !== null, key);
      const after = JSON.parse(await page.evaluate((k) => localStorage.getItem(k), key));
      assert.equal(after.guestId, before.guestId);
    } finally {
      await b.close();
    }
  });

  for (const storage of ['blocked', 'partitioned']) {
    test(`with frame storage ${storage}, history survives a browser restart`, async () => {
      const dir = await tempProfile();
      let b;
      try {
        b = await launch({ storage, userDataDir: dir });
        let page = await b.newPage();
        await page.goto(hostUrl('shop.test', 'mode=inline'));
        let frame = await chatFrame(page, stack.chatUrl);
        await frame.waitForSelector('#chat[aria-busy="false"]', { timeout: 15000 });
        const frameStorage = await frame.evaluate(() => {
          try {
            localStorage.setItem('probe', '1');
            return 'works';
          } catch (e) {
            return e.name;
          }
        });
        assert.equal(frameStorage, storage === 'blocked' ? 'SecurityError' : 'works');
        const text = unique(`kept with ${storage} storage`);
        await send(frame, text);
        await frame.waitForSelector('.msg.guest:not(.pending)');
        await b.close();
        b = null;

        b = await launch({ storage, userDataDir: dir });
        page = await b.newPage();
        await page.goto(hostUrl('shop.test', 'mode=inline'));
        frame = await chatFrame(page, stack.chatUrl);
        await frame.waitForSelector('#chat[aria-busy="false"]', { timeout: 15000 });
        assert.deepEqual(await guestTexts(frame), [text]);
        assert.deepEqual(b.errors, []);
      } finally {
        await b?.close();
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});
