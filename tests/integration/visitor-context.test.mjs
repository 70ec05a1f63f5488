// The visitor's context on a guest message (stored cleaned, returned by the admin API and the
// CLI, a bad shape refused) and the expected reply time in the presence event (absent before
// enough answered conversations, present on a worker that reads them after).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startStack } from '../lib/stack.mjs';
import { updateSitesSql } from '../lib/sites.mjs';
import { sqlOk } from '../lib/sql.mjs';
import { stackWorkerRequest, startSecondWorker } from '../lib/worker.mjs';
import { guestHeaders, newGuest, guestHistory } from '../lib/guest.mjs';
import { adminCall, adminLogin } from '../lib/admin.mjs';
import { openStream, nextPresence } from '../lib/presence.mjs';

let stack;
before(async () => {
  stack = await startStack();
  await updateSitesSql(stack, 'rate_limit_messages = 100000, rate_limit_burst = 10000');
});
after(async () => {
  await stack?.stop();
});

const post = (token, body) => stackWorkerRequest(stack, 'POST', '/api/v1/external/messages',
  { headers: guestHeaders(stack, token), body });

test('a context is stored cleaned and bounded, shown to the team; a bad shape is refused', async () => {
  const guest = await newGuest(stack);
  const hostile = {
    pageUrl: 'https://shop.example/cart?x=1#access_token=secret',
    pageTitle: 'Cart\u0000\u202e<b>' + 'ش'.repeat(400),
    referrer: 'javascript:alert(1)',
    language: 'fa-IR',
    timeZone: '../../etc/passwd',
    browser: 'NetscapeNavigator',
  };
  const ok = await post(guest.token, { text: 'hello', clientId: 'ctx-1', context: hostile });
  assert.equal(ok.status, 201, ok.text);
  for (const context of ['a string', ['x'], { pageUrl: 42 }, { pageTitle: { a: 1 } }]) {
    const bad = await post(guest.token, { text: 'refused', clientId: 'ctx-bad', context });
    assert.equal(bad.status, 400, JSON.stringify(context));
    assert.equal(bad.json.error, 'invalid_context');
  }
  const { conversationId, messages } = await guestHistory(stack, guest.token);
  assert.deepEqual(messages.map((m) => m.text), ['hello'], 'a refused message stored nothing');

  const admin = await adminLogin(stack.chatUrl, 'admin', stack.adminPassword);
  const detail = await adminCall(stack.chatUrl, 'GET', `conversations/${conversationId}`, undefined, { who: admin });
  assert.equal(detail.status, 200, detail.text);
  const c = detail.json.context;
  assert.equal(c.pageUrl, 'https://shop.example/cart?x=1', 'the fragment is dropped');
  assert.ok(c.pageTitle.startsWith('Cart<b>'), c.pageTitle);
  assert.equal([...c.pageTitle].length, 200, 'clipped to 200 code points');
  assert.ok(c.pageTitle.endsWith('…'));
  assert.equal(c.referrer, '', 'not http(s): dropped');
  assert.equal(c.language, 'fa-IR');
  assert.equal(c.timeZone, '');
  assert.equal(c.browser, 'other');
  assert.match(detail.json.visitorName, /^Visitor \d+$/);

  // The next message's context replaces it; the CLI shows the same.
  const next = await post(guest.token, { text: 'again', clientId: 'ctx-2',
    context: { pageUrl: 'http://shop.example/checkout', pageTitle: 'Checkout', browser: 'Firefox' } });
  assert.equal(next.status, 201, next.text);
  const shown = await stack.ctlJson(['conversations', 'show', String(conversationId)]);
  assert.equal(shown.context.pageUrl, 'http://shop.example/checkout');
  assert.equal(shown.context.pageTitle, 'Checkout');
  assert.equal(shown.context.browser, 'firefox');
  assert.equal(shown.context.language, '', 'replaced as a whole');
  assert.equal(shown.visitorName, detail.json.visitorName, 'stable per guest');

  // A message without context keeps the last one.
  const plain = await post(guest.token, { text: 'plain', clientId: 'ctx-3' });
  assert.equal(plain.status, 201);
  const again = await stack.ctlJson(['conversations', 'show', String(conversationId)]);
  assert.equal(again.context.pageTitle, 'Checkout');
});

test('the expected reply time is absent with too few answered conversations and present after', async () => {
  const first = await openStream(join(stack.varDir, 'run', 'worker.sock'), guestHeaders(stack, (await newGuest(stack)).token));
  const before = await nextPresence(first);
  assert.equal(before.data.replySeconds, undefined, 'the worker read no samples at its start');
  first.close?.();
  // Five answered conversations, each answer 120 s after the question.
  for (let i = 0; i < 5; i++) {
    const g = await newGuest(stack);
    const m = await post(g.token, { text: `question ${i}`, clientId: `rt-${i}` });
    assert.equal(m.status, 201, m.text);
    const { conversationId } = await guestHistory(stack, g.token);
    await stack.ctlJson(['conversations', 'reply', String(conversationId), '--text', 'answer']);
    await sqlOk(stack, `UPDATE messages SET created_at = created_at - INTERVAL 120 SECOND WHERE conversation_id = ${conversationId} AND author = 'guest'`);
  }
  // A worker started now reads them at once (the first one re-reads after its 10-minute ttl).
  const second = await startSecondWorker(stack);
  try {
    const stream = await openStream(second.socket, guestHeaders(stack, (await newGuest(stack)).token));
    const presence = await nextPresence(stream);
    assert.ok(['online', 'away'].includes(presence.data.state));
    assert.ok(presence.data.replySeconds >= 119 && presence.data.replySeconds <= 125, JSON.stringify(presence.data));
    stream.close?.();
  } finally {
    await second.stop();
  }
});
