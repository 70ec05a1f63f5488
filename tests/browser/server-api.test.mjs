// The server API seen from a visitor's widget, on the real stack in headless Chromium: a message
// the site's server posts arrives live in the open frame, and erasing the visitor clears the
// frame's log at once (the "erased" event) and for good (a reload shows an empty history).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../lib/stack.mjs';
import { launch, chatFrame } from '../lib/browser.mjs';
import { serverCall } from '../lib/server.mjs';
import { waitFor } from '../lib/wait.mjs';

let stack;
let browser;
let edge; // the stack as serverCall reaches it from Node (chat.test resolves only in Chromium)
let key;

before(async () => {
  stack = await startStack({ chatHost: 'chat.test', demoHost: 'shop.test' });
  edge = { chatUrl: `http://127.0.0.1:${stack.port}` };
  key = (await stack.ctlJson(['secret', 'add', stack.siteKey, '--label', 'browser'])).secret;
  await waitFor('the edge knows the key', async () =>
    (await serverCall(edge, 'GET', 'conversations', { key })).status === 200, { timeoutMs: 5000 });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

test('a server message arrives live; erasing the visitor empties the open frame and its history', async () => {
  const page = await browser.newPage();
  await page.goto(`${stack.demoUrl}/`);
  const frame = await chatFrame(page, stack.chatUrl);
  await frame.waitForSelector('#chat[aria-busy="false"]', { timeout: 15000 });
  const text = `My card ends 4242 ${Date.now()}`;
  await frame.fill('#input', text);
  await frame.click('#send');
  await frame.waitForSelector('.msg.guest:not(.pending)');

  const listed = await serverCall(edge, 'GET', 'conversations', { key });
  const conversation = listed.json.conversations.find((c) => c.lastMessage === text);
  assert.ok(conversation, listed.text);
  const posted = await serverCall(edge, 'POST', `conversations/${conversation.id}/messages`,
    { key, body: { text: 'Thanks, we will call you', clientId: 'b-1' } });
  assert.equal(posted.status, 201, posted.text);
  await frame.waitForSelector('.msg.agent >> text=Thanks, we will call you', { timeout: 10000 });

  const erased = await serverCall(edge, 'DELETE', `visitors/${conversation.guestId}`, { key });
  assert.equal(erased.status, 200, erased.text);
  assert.equal(erased.json.erased.messages, 2);
  await frame.waitForFunction(() => document.querySelectorAll('.msg').length === 0, null, { timeout: 10000 });

  await page.reload();
  const again = await chatFrame(page, stack.chatUrl);
  await again.waitForSelector('#chat[aria-busy="false"]', { timeout: 15000 });
  assert.equal(await again.locator('.msg').count(), 0);
  assert.ok(!(await again.textContent('body')).includes('4242'));
  await page.close();
});
