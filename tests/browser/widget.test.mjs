// The demo page exactly as scripts/start serves it, on the real stack (nginx + module, worker,
// MariaDB, Redis) in headless Chromium, with the chat and the demo shop on different sites
// (chat.test, shop.test, mapped to loopback): the shipped embed, the site's default limits, a
// site-wide locale and what nginx really serves. The widget's finer states (host API, faults,
// storage, accessibility, hostile text...) are in widget-ui.test.mjs, on a stack of its own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../lib/stack.mjs';
import { launch, chatFrame } from '../lib/browser.mjs';
import { updateSite } from '../lib/sites.mjs';

let stack;
let browser;

before(async () => {
  stack = await startStack({ chatHost: 'chat.test', demoHost: 'shop.test' });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

async function openDemo(page) {
  await page.goto(`${stack.demoUrl}/`);
  const frame = await chatFrame(page, stack.chatUrl);
  await frame.waitForSelector('#chat[aria-busy="false"]', { timeout: 15000 });
  return frame;
}

const listed = async () => {
  const out = await stack.ctlJson(['messages', 'list']);
  return Array.isArray(out) ? out : out.messages || [];
};

test('the demo page shows the chat frame from the chat origin, sends a message, keeps it on reload', async () => {
  const page = await browser.newPage();
  const urls = [];
  page.on('request', (req) => urls.push(req.url()));
  const frame = await openDemo(page);
  assert.equal(new URL(frame.url()).origin, stack.chatUrl);
  assert.equal(await frame.textContent('#title'), 'Demo shop support');

  const text = `Hello from the demo shop ${Date.now()}`;
  await frame.fill('#input', text);
  await frame.click('#send');
  await frame.waitForSelector('.msg.guest:not(.pending)');

  const stored = (await listed()).find((m) => m.text === text);
  assert.ok(stored, 'edgechatctl messages list shows the message');
  assert.equal(stored.source, 'external');

  // The guest identity lives in the host page's storage, never in a URL.
  const saved = JSON.parse(await page.evaluate((key) => localStorage.getItem(`edgechat:${key}`), stack.siteKey));
  assert.match(saved.token, /^[A-Za-z0-9_-]{43}$/);
  for (const url of urls) assert.ok(!url.includes(saved.token), `token in ${url}`);

  // An agent's reply arrives live over the event stream; the visitor likes it.
  const reply = await stack.ctl(['conversations', 'reply', String(stored.conversationId), '--text', 'Hello from support']);
  assert.equal(reply.code, 0, reply.stderr);
  await frame.waitForSelector('.msg.agent >> text=Hello from support', { timeout: 10000 });
  const replyId = await frame.getAttribute('.msg.agent', 'data-id');
  await frame.click(`.msg[data-id="${replyId}"] .react.dislike`);
  await frame.click(`.msg[data-id="${replyId}"] .react.like`); // switch
  await frame.waitForFunction(
    (id) => document.querySelector(`.msg[data-id="${id}"] .react.like`).getAttribute('aria-pressed') === 'true',
    replyId,
  );
  await waitForReaction(stored.conversationId, replyId, 'like');

  await page.reload();
  const again = await chatFrame(page, stack.chatUrl);
  await again.waitForSelector('#chat[aria-busy="false"]', { timeout: 15000 });
  const texts = await again.$$eval('.msg.guest .bubble', (nodes) => nodes.map((n) => n.textContent));
  assert.ok(texts.includes(text), 'history survives a reload');
  assert.equal(await again.getAttribute(`.msg[data-id="${replyId}"] .react.like`, 'aria-pressed'), 'true');
  assert.equal(await again.getAttribute(`.msg[data-id="${replyId}"] .react.dislike`, 'aria-pressed'), 'false');
  await page.close();
  assert.deepEqual(browser.errors, []);
});

/** Waits until `edgechatctl conversations show` reports the reaction on a message. */
async function waitForReaction(conversationId, messageId, value) {
  const deadline = Date.now() + 5000;
  let last;
  for (;;) {
    last = await stack.ctlJson(['conversations', 'show', String(conversationId)]);
    const messages = last.messages || (last.conversation && last.conversation.messages) || [];
    const message = messages.find((m) => String(m.id) === messageId);
    if (message && message.reaction === value) return;
    if (Date.now() > deadline) assert.fail(`reaction ${value} not stored: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test("sending faster than the site's limit shows the site's text, then every message arrives once", async () => {
  const sites = await stack.ctlJson(['site', 'list']);
  const site = sites.find((s) => s.key === stack.siteKey);
  assert.ok(site && site.limits, JSON.stringify(site));
  const context = await browser.browser.newContext();
  const limited = []; // the texts the edge sent with its 429s
  context.on('response', async (res) => {
    if (res.status() === 429 && res.url().endsWith('/api/v1/external/messages')) {
      const body = await res.json().catch(() => ({}));
      limited.push({ message: body.message, retryAfter: res.headers()['retry-after'] });
    }
  });
  const page = await context.newPage();
  const frame = await openDemo(page);
  const count = Math.min((site.limits.burst || 5) + 3, 12);
  const texts = Array.from({ length: count }, (_, i) => `burst ${i} ${Date.now()}`);
  for (const text of texts) {
    await frame.fill('#input', text);
    await frame.press('#input', 'Enter');
  }
  await frame.waitForSelector('#status:not([hidden])', { timeout: 15000 });
  const shown = await frame.textContent('#status');
  assert.ok(limited.length > 0, 'the edge answered 429');
  assert.ok(limited[0].retryAfter, 'with Retry-After');
  if (site.limits.message) assert.equal(limited[0].message, site.limits.message);
  assert.equal(shown, limited[0].message, "the widget shows the 429's own text");
  await frame.waitForFunction((n) => document.querySelectorAll('.msg.guest:not(.pending)').length === n, count, {
    timeout: 120000,
  });
  // The last retry's success clears the notice a moment after the message shows as sent.
  await frame.waitForSelector('#status', { state: 'hidden', timeout: 10000 });
  const stored = (await stack.ctlJson(['messages', 'list', '--limit', '200'])).filter((m) => texts.includes(m.text));
  assert.equal(stored.length, count, 'each message stored exactly once');
  await context.close();
});

test('a site set to Persian shows the chat right to left with Persian digits (screenshot kept)', async () => {
  await updateSite(stack, stack.siteKey, ['--locale', 'fa'], (c) => c.locale === 'fa');
  try {
    const context = await browser.browser.newContext();
    const page = await context.newPage();
    const frame = await openDemo(page);
    assert.equal(await frame.getAttribute('html', 'dir'), 'rtl');
    await frame.fill('#input', 'سلام، سفارش من کجاست؟');
    await frame.press('#input', 'Enter');
    await frame.waitForSelector('.msg.guest:not(.pending)');
    const stored = (await listed()).find((m) => m.text === 'سلام، سفارش من کجاست؟');
    const reply = await stack.ctl(['conversations', 'reply', String(stored.conversationId), '--text', 'سلام! سفارش شما فردا می‌رسد.']);
    assert.equal(reply.code, 0, reply.stderr);
    await frame.waitForSelector('.msg.agent', { timeout: 10000 });
    const guestBox = await frame.$eval('.msg.guest .bubble', (n) => n.getBoundingClientRect().toJSON());
    const agentBox = await frame.$eval('.msg.agent .bubble', (n) => n.getBoundingClientRect().toJSON());
    assert.ok(guestBox.left < agentBox.left, 'mirrored: the visitor on the left');
    assert.match(await frame.textContent('.msg.agent time'), /[۰-۹]/);
    const { mkdir } = await import('node:fs/promises');
    const shots = new URL('../../test-results/browser/', import.meta.url);
    await mkdir(shots, { recursive: true });
    await page.screenshot({ path: new URL('widget-real-stack-fa.png', shots).pathname });
    await context.close();
  } finally {
    await updateSite(stack, stack.siteKey, ['--locale', 'auto'], (c) => c.locale === null);
  }
});

test('what nginx serves stays within the weight budgets (loader 2 KB, frame 20 KB, brotli)', async (t) => {
  const { brotliCompressSync, constants } = await import('node:zlib');
  const { readFile } = await import('node:fs/promises');
  const brotli = (bytes) => brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  const get = async (path) => Buffer.from(await (await fetch(`http://127.0.0.1:${stack.port}${path}`)).arrayBuffer());
  const loader = await get('/widget.js');
  const frame = [await get(`/frame/?site=${stack.siteKey}`), await get('/frame/frame.js'), await get('/frame/frame.css')];
  const sizes = { loader: brotli(loader), frame: frame.reduce((sum, b) => sum + brotli(b), 0) };
  t.diagnostic(`served, brotli: loader ${sizes.loader} B, frame ${sizes.frame} B`);
  const source = await readFile(new URL('../../widget/loader/widget.js', import.meta.url));
  if (loader.equals(source)) {
    t.todo('nginx serves the unminified sources: point edgechat_widget, edgechat_frame and /frame/ at build/widget/');
    return;
  }
  assert.ok(sizes.loader <= 2048, `loader ${sizes.loader} B`);
  assert.ok(sizes.frame <= 20480, `frame ${sizes.frame} B`);
});

test('a client that can only use EventSource reads the stream cross-origin with a stream ticket', async () => {
  // A site of its own for the shop's origin: the test before this one spent the demo site's
  // message allowance for this address on purpose.
  const site = await stack.ctlJson(['site', 'add', '--name', 'EventSource shop', '--origin', stack.demoUrl]);
  const limits = await stack.ctl(['site', 'update', site.key, '--rate-messages', '100', '--rate-window', '60',
    '--rate-burst', '100']);
  assert.equal(limits.code, 0, limits.stderr);
  await new Promise((resolve) => setTimeout(resolve, 1500));  // the edge picks up the new site
  const page = await browser.newPage();
  await page.goto(`${stack.demoUrl}/`);  // the shop's origin, whitelisted for that site
  const got = await page.evaluate(async ({ chatUrl, siteKey }) => {
    const api = `${chatUrl}/api/v1/external`;
    const guest = await (await fetch(`${api}/guests`, { method: 'POST', headers: { 'Site-Key': siteKey } })).json();
    const auth = { 'Site-Key': siteKey, Authorization: `Bearer ${guest.token}`, 'Content-Type': 'application/json' };
    const posted = await fetch(`${api}/messages`, { method: 'POST', headers: auth, body: JSON.stringify({ text: 'via EventSource', clientId: 'es-1' }) });
    const { ticket } = await (await fetch(`${api}/events/ticket`, { method: 'POST', headers: auth })).json();
    const source = new EventSource(`${api}/events?key=${encodeURIComponent(siteKey)}&ticket=${ticket}&lastEventId=0`);
    const first = await new Promise((resolve) => {
      source.addEventListener('message', (e) => resolve({ id: e.lastEventId, data: JSON.parse(e.data) }));
      source.onerror = () => resolve({ error: source.readyState });
      setTimeout(() => resolve({ error: 'timeout' }), 8000);
    });
    source.close();
    return { posted: posted.status, first, ticketShape: /^[A-Za-z0-9_-]{43}$/.test(ticket) };
  }, { chatUrl: stack.chatUrl, siteKey: site.key });
  assert.equal(got.posted, 201);
  assert.ok(got.ticketShape);
  assert.equal(got.first.error, undefined, `EventSource failed: ${JSON.stringify(got.first)}`);
  assert.equal(got.first.data.text, 'via EventSource');
  assert.ok(Number(got.first.id) > 0, 'the event carries its id for resuming');
  await page.close();
});
