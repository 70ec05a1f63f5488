// Signed webhooks against the real stack and a real receiver (tests/lib/webhook_receiver.mjs):
// endpoints through edgechatctl (URL rules at creation), every event delivered signed, in order
// per conversation, once per delivery id; a receiver failing (500) and then down recovers
// through the outbox's retries; an address refused at delivery (a name resolving to loopback
// without allow-private), a redirect not followed; "send again" keeps the delivery id.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../lib/stack.mjs';
import { startWebhookReceiver } from '../lib/webhook_receiver.mjs';
import { sqlOk } from '../lib/sql.mjs';
import { newGuest, postWorkerMessage, guestHistory } from '../lib/guest.mjs';
import { waitFor, sleep } from '../lib/wait.mjs';

let stack;
let rx;
before(async () => {
  rx = await startWebhookReceiver();
  stack = await startStack({
    env: {
      EDGECHAT_WEBHOOK_POLL_MS: '100',
      EDGECHAT_WEBHOOK_BACKOFF_BASE_MS: '200',
      EDGECHAT_WEBHOOK_BACKOFF_MAX_MS: '800',
      EDGECHAT_WEBHOOK_CONNECT_TIMEOUT_MS: '1000',
      EDGECHAT_WEBHOOK_TIMEOUT_MS: '2000',
    },
  });
});
after(async () => { await stack?.stop(); await rx?.close(); });

const ALL = 'conversation.created,message.created,conversation.resolved,conversation.reopened,reaction.changed';

test('URLs the rules refuse are refused at creation with a clear error', async () => {
  for (const [url, extra, why] of [
    ['http://127.0.0.1:9/hook', [], /http/],
    ['https://127.0.0.1/hook', [], /loopback/],
    ['https://169.254.169.254/latest', ['--allow-private', 'on'], /metadata/],
    ['https://user:pw@example.com/hook', [], /credentials/],
    ['https://example.com/hook#frag', [], /fragment/],
    [`https://example.com/${'a'.repeat(2100)}`, [], /2048|long/],
  ]) {
    const r = await stack.ctl(['webhook', 'add', stack.siteKey, '--url', url, '--events', 'message.created', ...extra, '--json']);
    assert.equal(r.code, 2, r.stderr);
    const err = JSON.parse(r.stderr);
    assert.equal(err.error, 'invalid_url');
    assert.match(err.message, why);
  }
  const badType = await stack.ctl(['webhook', 'add', stack.siteKey, '--url', 'https://example.com/h', '--events', 'nope', '--json']);
  assert.equal(badType.code, 2);
  assert.equal(JSON.parse(badType.stderr).error, 'invalid_events');
});

test('every event is delivered signed, in order per conversation, once per delivery id, across a receiver outage', async () => {
  const created = await stack.ctlJson(['webhook', 'add', stack.siteKey, '--url', `http://127.0.0.1:${rx.port}/hook`,
    '--events', ALL, '--allow-private', 'on']);
  assert.match(created.secret, /^whsec_[A-Za-z0-9]{32}$/);
  rx.state.secret = created.secret;
  rx.state.failFirst = 3;
  const convs = [];
  for (let i = 0; i < 3; i += 1) {
    const guest = await newGuest(stack);
    await postWorkerMessage(stack, guest.token, `hello ${i}`, `wh-${i}-1`);
    const { conversationId } = await guestHistory(stack, guest.token);
    convs.push({ guest, conversationId });
  }
  // The receiver goes down while more events happen, then comes back on the same port.
  await rx.close();
  for (const [i, c] of convs.entries()) await postWorkerMessage(stack, c.guest.token, `second ${i}`, `wh-${i}-2`);
  await sleep(700);
  await rx.restart();
  const rows = await sqlOk(stack, `SELECT idempotency_key, ordering_key FROM outbox WHERE channel = 'webhook' AND endpoint_id = ${created.id} ORDER BY id`, { rows: true });
  assert.equal(rows.length, 9); // per conversation: created, message, message
  await waitFor('all delivered', async () => {
    const n = Number(await sqlOk(stack, `SELECT COUNT(*) FROM outbox WHERE channel = 'webhook' AND endpoint_id = ${created.id} AND delivered_at IS NOT NULL`));
    return n === 9 ? true : null;
  }, { timeoutMs: 20000 });
  await sleep(500);
  assert.equal(rx.state.bad.length, 0, 'every signature checks');
  const ids = rx.state.received.map((r) => r.delivery);
  assert.equal(new Set(ids).size, 9, 'every delivery arrived');
  assert.equal(ids.length, 9, 'none twice');
  for (const c of convs) {
    const types = rx.state.received.filter((r) => r.event.data.conversationId === c.conversationId).map((r) => r.event.type);
    assert.deepEqual(types, ['conversation.created', 'message.created', 'message.created']);
  }
  const first = rx.state.received[0].event;
  assert.equal(first.siteId, stack.siteKey);
  assert.match(first.id, /^evt_/);
  assert.ok(!Number.isNaN(Date.parse(first.createdAt)));
  // The delivery log, and "send again": a new attempt of the same delivery id.
  const log = await stack.ctlJson(['webhook', 'deliveries', stack.siteKey, '--endpoint', String(created.id)]);
  assert.equal(log.deliveries.length, 9);
  assert.ok(log.deliveries.every((d) => d.status === 'delivered'));
  assert.ok(log.deliveries.some((d) => d.attempts > 1), 'the failures were retried');
  const again = log.deliveries[0];
  const resent = await stack.ctlJson(['webhook', 'resend', stack.siteKey, String(again.id)]);
  assert.equal(resent.deliveryId, again.deliveryId);
  await waitFor('resent', async () => (rx.state.received.filter((r) => r.delivery === again.deliveryId).length === 2 ? true : null));
  await stack.ctl(['webhook', 'remove', stack.siteKey, String(created.id)]);
});

test('a name resolving to loopback is refused without allow-private; a redirect is not followed', async () => {
  const refused = await stack.ctlJson(['webhook', 'add', stack.siteKey, '--url', `https://localhost:${rx.port}/hook`, '--events', 'message.created']);
  const redirect = await stack.ctlJson(['webhook', 'add', stack.siteKey, '--url', `http://127.0.0.1:${rx.port}/hook`, '--events', 'message.created', '--allow-private', 'on']);
  rx.state.received = [];
  rx.state.secret = redirect.secret;
  rx.state.redirectTo = `http://127.0.0.1:${rx.port}/elsewhere`;
  const guest = await newGuest(stack);
  await postWorkerMessage(stack, guest.token, 'to both', 'wh-r-1');
  const logOf = async (id) => (await stack.ctlJson(['webhook', 'deliveries', stack.siteKey, '--endpoint', String(id)])).deliveries[0];
  const a = await waitFor('refused attempt', async () => { const d = await logOf(refused.id); return d?.lastError ? d : null; });
  assert.match(a.lastError, /refused: localhost resolves to 127\.0\.0\.1 \(loopback\)/);
  assert.equal(a.lastStatus, null);
  const b = await waitFor('redirect attempt', async () => { const d = await logOf(redirect.id); return d?.lastError ? d : null; });
  assert.equal(b.lastStatus, 302);
  assert.match(b.lastError, /redirects are not followed/);
  assert.equal(rx.state.received.length, 0);
  rx.state.redirectTo = null;
});
