// The widget's behaviour in headless Chromium against tests/browser/fake-chat.mjs (the external API
// contract in memory, with failures on demand), serving the minified build that nginx serves.
// Host pages live on shop.test (allowed) and evil.test (not allowed); the chat on chat.test.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWidget } from '../../widget/build.mjs';
import { startFakeChat } from './fake-chat.mjs';
import { launch, chatFrame, tempProfile } from '../lib/browser.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SHOTS = join(ROOT, 'test-results', 'browser');

let widgetDir;
let fake;
let browser;

before(async () => {
  widgetDir = await mkdtemp(join(tmpdir(), 'ec-widget-'));
  await buildWidget(widgetDir);
  await mkdir(SHOTS, { recursive: true });
  fake = await startFakeChat({ widgetDir });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await fake?.stop();
  if (widgetDir) await rm(widgetDir, { recursive: true, force: true });
});

// Each test starts from a clean slate: a new browser context (no storage), fresh fake state.
async function open(query = 'mode=inline', { b = browser, ready = true } = {}) {
  const context = b.browser ? await b.browser.newContext() : b.context;
  const page = await context.newPage();
  const errors = [];
  page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
  page.on('pageerror', (err) => errors.push(err.message));
  const urls = [];
  page.on('request', (req) => urls.push(req.url()));
  await page.goto(fake.hostUrl('shop.test', query));
  if (query.includes('floating')) await page.click('[data-edgechat="launcher"]');
  const frame = await chatFrame(page, fake.chatUrl);
  if (ready) await frame.waitForSelector('#chat[aria-busy="false"]');
  return { context, page, frame, errors, urls, close: () => (b.browser ? context.close() : page.close()) };
}

// Types like a visitor: click into the input, fill it, check the text landed, press Enter.
async function send(frame, text) {
  await frame.click('#input');
  await frame.fill('#input', text);
  await frame.waitForFunction((t) => document.getElementById('input').value === t, text, { timeout: 2000 });
  await frame.press('#input', 'Enter');
}

const guestTexts = (frame) => frame.$$eval('.msg.guest .bubble', (n) => n.map((x) => x.textContent));
const storedTexts = () => (fake.guest()?.messages || []).filter((m) => m.author === 'guest').map((m) => m.text);

function reset() {
  fake.site.locked = false;
  fake.site.locale = null;
  fake.state.failures.length = 0;
  fake.state.eventsEnabled = true;
}

describe('embedding', () => {
  test('inline: frame from the chat origin, send, token only in host storage and headers, no errors', async () => {
    reset();
    const { page, frame, errors, urls, close } = await open('mode=inline');
    assert.equal(new URL(frame.url()).origin, fake.chatUrl);
    assert.equal(await frame.textContent('#title'), 'Chat with us');
    await send(frame, 'Hello there');
    await frame.waitForSelector('.msg.guest:not(.pending)');
    assert.deepEqual(storedTexts(), ['Hello there']);
    const saved = JSON.parse(await page.evaluate((k) => localStorage.getItem(`edgechat:${k}`), fake.site.key));
    assert.equal(saved.guestId, fake.guest().guestId);
    for (const url of urls) assert.ok(!url.includes(saved.token), `token in ${url}`);
    assert.deepEqual(errors, []);
    await close();
  });

  test('floating: launcher first, frame created when idle, host API and events', async () => {
    reset();
    const context = await browser.browser.newContext();
    const page = await context.newPage();
    await page.goto(fake.hostUrl('shop.test', 'mode=floating'));
    await page.waitForSelector('[data-edgechat="launcher"]');
    // The frame is created without a click, once the browser is idle.
    const frame = await chatFrame(page, fake.chatUrl);
    await frame.waitForSelector('#chat[aria-busy="false"]', { state: 'attached' });
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
    await send(frame, 'event me');
    await page.waitForFunction(() => window.seen.some(([n, d]) => n === 'message' && d.text === 'event me' && d.author === 'guest'));
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-edgechat="panel"]', { state: 'hidden' });
    // Focus goes back to the launcher, so keyboard users are not lost.
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('data-edgechat')), 'launcher');
    assert.equal(await page.getAttribute('[data-edgechat="panel"] iframe', 'title'), 'Chat with us');
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
    reset();
    const context = await browser.browser.newContext();
    const page = await context.newPage();
    await page.goto(fake.hostUrl('shop.test', 'mode=floating&lang=fa'));
    await page.waitForSelector('[data-edgechat="launcher"]');
    const box = await page.$eval('[data-edgechat="launcher"]', (n) => n.getBoundingClientRect().toJSON());
    assert.ok(box.left < 100, `launcher at ${box.left}`);
    await context.close();
  });

  test('unread badge counts replies while closed and clears on open', async () => {
    reset();
    const { page, frame, close } = await open('mode=floating');
    await send(frame, 'Anyone there?');
    await frame.waitForSelector('.msg.guest:not(.pending)');
    await page.evaluate(() => window.edgechat.close());
    await frame.waitForSelector('html[data-visible="false"]', { state: 'attached' });
    fake.reply(fake.guest(), 'Yes, hello!');
    fake.reply(fake.guest(), 'How can I help?');
    await page.waitForFunction(() => window.edgechat.unread === 2);
    assert.equal(await page.textContent('[data-edgechat="badge"]'), '2');
    assert.match(await page.getAttribute('[data-edgechat="launcher"]', 'aria-label'), /\(2\)/);
    await page.click('[data-edgechat="launcher"]');
    await page.waitForFunction(() => window.edgechat.unread === 0);
    assert.equal(await page.isVisible('[data-edgechat="badge"]'), false);
    await close();
  });

  test('replies that came while the visitor was away show as unread on the next visit', async () => {
    reset();
    const { context, page, frame } = await open('mode=floating');
    await send(frame, 'Call me back?');
    await frame.waitForSelector('.msg.guest:not(.pending)');
    await page.close();
    fake.reply(fake.guest(), 'We tried, please reply here.');
    const next = await context.newPage();
    await next.goto(fake.hostUrl('shop.test', 'mode=floating'));
    await next.waitForFunction(() => window.edgechat && window.edgechat.unread === 1);
    assert.equal(await next.textContent('[data-edgechat="badge"]'), '1');
    await next.click('[data-edgechat="launcher"]');
    await next.waitForFunction(() => window.edgechat.unread === 0);
    await next.reload();
    const again = await chatFrame(next, fake.chatUrl);
    await again.waitForSelector('#chat[aria-busy="false"]', { state: 'attached' });
    await next.waitForTimeout(200);
    assert.equal(await next.evaluate(() => window.edgechat.unread), 0, 'seen stays seen');
    await context.close();
  });

  test('a site outside the whitelist gets no widget and one clear console message', async () => {
    reset();
    const context = await browser.browser.newContext();
    const page = await context.newPage();
    const warnings = [];
    page.on('console', (msg) => msg.type() === 'warning' && warnings.push(msg.text()));
    await page.goto(fake.hostUrl('evil.test', 'mode=floating'));
    await waitFor(() => warnings.some((w) => w.startsWith('edgechat:')));
    await page.waitForTimeout(300);
    assert.equal(await page.$('[data-edgechat]'), null);
    assert.equal(page.frames().length, 1);
    const ours = warnings.filter((w) => w.startsWith('edgechat:'));
    assert.equal(ours.length, 1, JSON.stringify(warnings));
    assert.match(ours[0], /allowed origin/);
    await context.close();
  });

  test('a hand-made iframe on a site outside the whitelist is refused by frame-ancestors', async () => {
    reset();
    const guestsBefore = fake.state.guests.size;
    const context = await browser.browser.newContext();
    const page = await context.newPage();
    const messages = [];
    page.on('console', (msg) => messages.push(msg.text()));
    await page.goto(fake.hostUrl('evil.test', 'manual=1'));
    await waitFor(() => messages.some((m) => m.includes('frame-ancestors')));
    await page.waitForTimeout(300);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    assert.ok(!frame.url().startsWith(fake.chatUrl), frame.url());
    assert.ok(messages.some((m) => m.includes('frame-ancestors')), JSON.stringify(messages));
    assert.equal(fake.state.guests.size, guestsBefore, 'no guest was created from the refused frame');
    await context.close();
  });
});

describe('messages', () => {
  test('the frame also works opened on its own (a chat link), with its own storage', async () => {
    reset();
    const context = await browser.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${fake.chatUrl}/frame/?site=${fake.site.key}`);
    await page.waitForSelector('#chat[aria-busy="false"]');
    assert.equal(await page.isHidden('#close'), true);
    await send(page.mainFrame(), 'from the chat link');
    await page.waitForSelector('.msg.guest:not(.pending)');
    await page.reload();
    await page.waitForSelector('#chat[aria-busy="false"]');
    assert.deepEqual(await guestTexts(page.mainFrame()), ['from the chat link']);
    await context.close();
  });

  test('history, reactions and their state survive a reload', async () => {
    reset();
    const { page, frame, close } = await open('mode=inline');
    await send(frame, 'first');
    await frame.waitForSelector('.msg.guest:not(.pending)');
    const reply = fake.reply(fake.guest(), 'An answer');
    await frame.waitForSelector(`.msg.agent[data-id="${reply.id}"]`);
    const like = `.msg[data-id="${reply.id}"] .react.like`;
    const dislike = `.msg[data-id="${reply.id}"] .react.dislike`;
    await frame.click(like);
    await waitFor(() => reply.reaction === 'like');
    assert.equal(await frame.getAttribute(like, 'aria-pressed'), 'true');
    await frame.click(dislike); // switch
    await waitFor(() => reply.reaction === 'dislike');
    assert.equal(await frame.getAttribute(like, 'aria-pressed'), 'false');
    await frame.click(dislike); // clear
    await waitFor(() => reply.reaction === null);
    await frame.click(like);
    await waitFor(() => reply.reaction === 'like');

    await page.reload();
    const again = await chatFrame(page, fake.chatUrl);
    await again.waitForSelector('#chat[aria-busy="false"]');
    assert.deepEqual(await guestTexts(again), ['first']);
    assert.equal(await again.getAttribute(like, 'aria-pressed'), 'true');
    assert.equal(fake.state.guests.size >= 1, true);
    await close();
  });

  test('a new tab of the same site continues the same conversation', async () => {
    reset();
    const { context, frame, close } = await open('mode=inline');
    await send(frame, 'from tab one');
    await frame.waitForSelector('.msg.guest:not(.pending)');
    const guests = fake.state.guests.size;
    const tab = await context.newPage();
    await tab.goto(fake.hostUrl('shop.test', 'mode=inline'));
    const other = await chatFrame(tab, fake.chatUrl);
    await other.waitForSelector('#chat[aria-busy="false"]');
    assert.deepEqual(await guestTexts(other), ['from tab one']);
    assert.equal(fake.state.guests.size, guests, 'no new guest');
    await close();
  });

  test('replies arrive live and the stream resumes after a drop', async () => {
    reset();
    const { frame, close } = await open('mode=inline');
    await send(frame, 'hi');
    await frame.waitForSelector('.msg.guest:not(.pending)');
    fake.reply(fake.guest(), 'live one');
    await frame.waitForSelector('.msg.agent >> text=live one');
    for (const stream of fake.state.events) stream.res.destroy(); // the connection drops
    fake.reply(fake.guest(), 'while away');
    await frame.waitForSelector('.msg.agent >> text=while away', { timeout: 10000 });
    const resumed = fake.state.requests.filter((r) => r.path === 'events').length;
    assert.ok(resumed >= 2, 'reconnected');
    assert.equal((await frame.$$('.msg.agent')).length, 2, 'no duplicates');
    await close();
  });

  test('without an event stream the frame polls for replies', async () => {
    reset();
    fake.state.eventsEnabled = false;
    const { frame, close } = await open('mode=inline');
    await send(frame, 'hi');
    await frame.waitForSelector('.msg.guest:not(.pending)');
    fake.reply(fake.guest(), 'polled reply');
    await frame.waitForSelector('.msg.agent >> text=polled reply', { timeout: 10000 });
    await close();
  });

  test('an unknown token makes a new guest and the host stores it', async () => {
    reset();
    const context = await browser.browser.newContext();
    const page = await context.newPage();
    await page.goto(fake.hostUrl('shop.test', 'mode=inline'));
    await page.evaluate((k) => localStorage.setItem(`edgechat:${k}`, JSON.stringify({ guestId: 'g_x', token: 'stale' })), fake.site.key);
    await page.reload();
    const frame = await chatFrame(page, fake.chatUrl);
    await frame.waitForSelector('#chat[aria-busy="false"]');
    await page.waitForFunction((k) => JSON.parse(localStorage.getItem(`edgechat:${k}`)).token !== 'stale', fake.site.key);
    await send(frame, 'after renewal');
    await frame.waitForSelector('.msg.guest:not(.pending)');
    await context.close();
  });
});

describe('degraded states', () => {
  test('503 shows a visible state, retries, and stores the message once', async () => {
    reset();
    const { frame, close } = await open('mode=inline');
    fake.failNext('messages', 503, { retryAfter: 1, times: 2, body: { error: 'storage_unavailable', message: 'down' } });
    await send(frame, 'survives an outage');
    await frame.waitForSelector('#status:not([hidden])');
    assert.match(await frame.textContent('#status'), /unavailable/i);
    await frame.waitForSelector('.msg.guest:not(.pending)', { timeout: 10000 });
    assert.equal(await frame.isHidden('#status'), true);
    assert.deepEqual(storedTexts(), ['survives an outage']);
    await close();
  });

  test("429 shows the site's own text, then sends", async () => {
    reset();
    const { frame, close } = await open('mode=inline');
    fake.failNext('messages', 429, { retryAfter: 1, body: { error: 'rate_limited', message: fake.site.rateMessage } });
    await send(frame, 'too fast');
    await frame.waitForSelector('#status:not([hidden])');
    assert.equal(await frame.textContent('#status'), fake.site.rateMessage);
    await frame.waitForSelector('.msg.guest:not(.pending)', { timeout: 10000 });
    assert.deepEqual(storedTexts(), ['too fast']);
    await close();
  });

  test('offline shows a visible state and sends when back online', async () => {
    reset();
    const { context, frame, close } = await open('mode=inline');
    await context.setOffline(true);
    await send(frame, 'sent later');
    await frame.waitForSelector('#status:not([hidden])');
    assert.match(await frame.textContent('#status'), /offline/i);
    await context.setOffline(false);
    await frame.waitForSelector('.msg.guest:not(.pending)', { timeout: 15000 });
    assert.deepEqual(storedTexts(), ['sent later']);
    await close();
  });

  test("a locked site disables the input and shows the site's locked message", async () => {
    reset();
    fake.site.locked = true;
    const { frame, close } = await open('mode=inline');
    assert.equal(await frame.isDisabled('#input'), true);
    assert.equal(await frame.isDisabled('#send'), true);
    assert.equal(await frame.textContent('#status'), fake.site.lockedMessage);
    // Unlocked by the admin: the open chat notices within its next config check (10 s).
    fake.site.locked = false;
    await frame.waitForSelector('#input:not([disabled])', { timeout: 15000 });
    assert.equal(await frame.isHidden('#status'), true);
    await send(frame, 'open again');
    await frame.waitForSelector('.msg.guest:not(.pending)');
    await close();
  });
});

describe('language, layout and accessibility', () => {
  test('Persian page: RTL frame with mirrored text and controls (screenshot kept)', async () => {
    reset();
    const { page, frame, close } = await open('mode=inline&lang=fa');
    assert.equal(await frame.getAttribute('html', 'dir'), 'rtl');
    assert.equal(await frame.getAttribute('html', 'lang'), 'fa');
    assert.equal(await frame.getAttribute('#send', 'aria-label'), 'ارسال');
    await send(frame, 'سلام، وقت بخیر');
    await frame.waitForSelector('.msg.guest:not(.pending)');
    fake.reply(fake.guest(), 'سلام! چطور می‌توانم کمک کنم؟');
    await frame.waitForSelector('.msg.agent');
    const box = async (sel) => frame.$eval(sel, (n) => n.getBoundingClientRect().toJSON());
    const guest = await box('.msg.guest .bubble');
    const agent = await box('.msg.agent .bubble');
    const input = await box('#input');
    const sendButton = await box('#send');
    assert.ok(guest.left < agent.left, 'guest messages on the left in RTL');
    assert.ok(sendButton.right <= input.left, 'send button left of the input in RTL');
    const time = await frame.textContent('.msg.agent time');
    assert.match(time, /[۰-۹]/, 'Persian digits');
    await page.screenshot({ path: join(SHOTS, 'widget-rtl-fa.png') });
    await close();
  });

  test('data-locale wins over the page language', async () => {
    reset();
    const { frame, close } = await open('mode=inline&lang=en&locale=fa');
    assert.equal(await frame.getAttribute('html', 'dir'), 'rtl');
    await close();
  });

  test('hostile text is shown inertly without breaking the layout', async () => {
    reset();
    const { page, frame, errors, close } = await open('mode=inline');
    const hostile = [
      '<script>window.parent.pwned=1</script><img src=x onerror="window.pwned=1">',
      '\u202Egnp.exe\u202C and \u2067isolate\u2069 \u200F rlm',
      'W'.repeat(3000).slice(0, 1900),
    ];
    for (const text of hostile) {
      await send(frame, text);
    }
    await frame.waitForFunction(() => document.querySelectorAll('.msg.guest:not(.pending)').length === 3);
    fake.reply(fake.guest(), '<b>bold?</b>\u202Eevil');
    await frame.waitForSelector('.msg.agent');
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
    reset();
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
    reset();
    const context = await browser.browser.newContext({ colorScheme: 'dark' });
    const page = await context.newPage();
    await page.goto(fake.hostUrl('shop.test', 'mode=inline'));
    const frame = await chatFrame(page, fake.chatUrl);
    await frame.waitForSelector('#chat[aria-busy="false"]');
    const bg = await frame.$eval('body', (b) => getComputedStyle(b).backgroundColor);
    assert.equal(bg, 'rgb(17, 24, 39)');
    await context.close();
  });

  test('phones get a full-screen panel', async () => {
    reset();
    const context = await browser.browser.newContext({ viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.goto(fake.hostUrl('shop.test', 'mode=floating'));
    await page.click('[data-edgechat="launcher"]');
    const panel = await page.$eval('[data-edgechat="panel"]', (n) => n.getBoundingClientRect().toJSON());
    assert.deepEqual([panel.x, panel.y, panel.width, panel.height], [0, 0, 375, 667]);
    assert.equal(await page.isVisible('[data-edgechat="launcher"]'), false);
    const frame = await chatFrame(page, fake.chatUrl);
    await frame.waitForSelector('#chat[aria-busy="false"]');
    await frame.click('#close');
    await page.waitForSelector('[data-edgechat="launcher"]', { state: 'visible' });
    await context.close();
  });
});

describe('third-party storage', () => {
  test("with partitioned storage the frame's copy restores a guest the page lost", async () => {
    reset();
    const b = await launch({ storage: 'partitioned' });
    try {
      const page = await b.newPage();
      await page.goto(fake.hostUrl('shop.test', 'mode=inline'));
      let frame = await chatFrame(page, fake.chatUrl);
      await frame.waitForSelector('#chat[aria-busy="false"]');
      await send(frame, 'remember me');
      await frame.waitForSelector('.msg.guest:not(.pending)');
      const key = `edgechat:${fake.site.key}`;
      const before = JSON.parse(await page.evaluate((k) => localStorage.getItem(k), key));
      await page.evaluate((k) => localStorage.removeItem(k), key);
      await page.reload();
      frame = await chatFrame(page, fake.chatUrl);
      await frame.waitForSelector('#chat[aria-busy="false"]');
      assert.deepEqual(await guestTexts(frame), ['remember me']);
      await page.waitForFunction((k) => localStorage.getItem(k) !== null, key);
      const after = JSON.parse(await page.evaluate((k) => localStorage.getItem(k), key));
      assert.equal(after.guestId, before.guestId);
    } finally {
      await b.close();
    }
  });

  for (const storage of ['blocked', 'partitioned']) {
    test(`with frame storage ${storage}, history survives a browser restart`, async () => {
      reset();
      const dir = await tempProfile();
      try {
        let b = await launch({ storage, userDataDir: dir });
        let page = await b.newPage();
        await page.goto(fake.hostUrl('shop.test', 'mode=inline'));
        let frame = await chatFrame(page, fake.chatUrl);
        await frame.waitForSelector('#chat[aria-busy="false"]');
        const frameStorage = await frame.evaluate(() => {
          try {
            localStorage.setItem('probe', '1');
            return 'works';
          } catch (e) {
            return e.name;
          }
        });
        assert.equal(frameStorage, storage === 'blocked' ? 'SecurityError' : 'works');
        await send(frame, `kept with ${storage} storage`);
        await frame.waitForSelector('.msg.guest:not(.pending)');
        await b.close();

        b = await launch({ storage, userDataDir: dir });
        page = await b.newPage();
        await page.goto(fake.hostUrl('shop.test', 'mode=inline'));
        frame = await chatFrame(page, fake.chatUrl);
        await frame.waitForSelector('#chat[aria-busy="false"]');
        assert.deepEqual(await guestTexts(frame), [`kept with ${storage} storage`]);
        assert.deepEqual(b.errors, []);
        await b.close();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});

async function waitFor(predicate, timeout = 5000) {
  const deadline = Date.now() + timeout;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${predicate}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
