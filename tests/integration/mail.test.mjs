// Durable mail against the real stack and a real SMTP server (aiosmtpd, tests/lib/smtp_sink.py):
// a new conversation queues one mail per subscribed admin in its own transaction, and the worker's
// outbox sender delivers each exactly once, in English or Persian, with a Message-ID built from
// the outbox id. Faults: an SMTP outage (server stopped while conversations start, then started
// again), a worker SIGKILL mid-run, and two workers sending from one outbox.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startStack, BUILD } from '../lib/stack.mjs';
import { startSmtpSink, mailParts } from '../lib/smtp.mjs';
import { sqlOk } from '../lib/sql.mjs';
import { newGuest, postWorkerMessage, guestHeaders, guestHistory } from '../lib/guest.mjs';
import { workerRequest } from '../lib/worker.mjs';
import { waitFor, sleep } from '../lib/wait.mjs';
import { adminCall, adminLogin } from '../lib/admin.mjs';

let stack;
let sink;
const FROM = 'chat@edgechat.test';

before(async () => {
  sink = await startSmtpSink();
  stack = await startStack({
    env: {
      EDGECHAT_MAIL_ENABLED: 'on',
      EDGECHAT_MAIL_RELAY: `127.0.0.1:${sink.port}`,
      EDGECHAT_MAIL_TLS: 'off',
      EDGECHAT_MAIL_FROM: FROM,
      EDGECHAT_MAIL_FROM_NAME: 'پشتیبانی edgechat',
      EDGECHAT_MAIL_PANEL_URL: 'http://chat.test/admin/',
      EDGECHAT_MAIL_POLL_MS: '100',
      EDGECHAT_MAIL_UNANSWERED_SCAN_MS: '200',
      EDGECHAT_MAIL_BACKOFF_BASE_MS: '200',
      EDGECHAT_MAIL_BACKOFF_MAX_MS: '1000',
      EDGECHAT_MAIL_CONNECT_TIMEOUT_MS: '1000',
      EDGECHAT_MAIL_TIMEOUT_MS: '2000',
    },
  });
  // Two agents: the demo admin in English, a second one in Persian.
  const add = await stack.ctl(['admin', 'add', 'sara', '--password', 'sara-has-a-long-password']);
  assert.ok(add.code === 0 || /exists/.test(add.stderr), add.stderr);
});
after(async () => { await stack?.stop(); await sink?.close(); });

let sent = 0;
/** A new guest who starts a conversation (at `socket`, default the stack's worker); resolves to its id. */
async function startConversation(text, socket) {
  const guest = await newGuest(stack);
  if (socket) {
    const res = await workerRequest(socket, 'POST', '/api/v1/external/messages',
      { headers: guestHeaders(stack, guest.token), body: { text, clientId: `mail-${++sent}` } });
    assert.equal(res.status, 201, res.text);
  } else {
    await postWorkerMessage(stack, guest.token, text, `mail-${++sent}`);
  }
  const { conversationId } = await guestHistory(stack, guest.token);
  assert.ok(conversationId > 0);
  return { guest, conversationId };
}

const outboxIdsOf = async (conversationIds) =>
  (await sqlOk(stack, `SELECT id FROM outbox WHERE channel = 'mail' AND (${conversationIds
    .map((id) => `idempotency_key LIKE 'new_conversation:${Number(id)}:%'`).join(' OR ')}) ORDER BY id`,
  { rows: true })).map(([id]) => Number(id));

const messageIdOf = (outboxId) => `<edgechat.outbox.${outboxId}@edgechat.test>`;

/**
 * Waits until every outbox row of these conversations has arrived; asserts each exactly once.
 * `resends`: how many mails may arrive a second time (with the same Message-ID): a SIGKILL can
 * land between the relay's 250 and the "delivered" write of the one mail in flight.
 */
async function expectEachOnce(conversationIds, perConversation, { timeoutMs = 20000, resends = 0 } = {}) {
  const ids = await outboxIdsOf(conversationIds);
  assert.equal(ids.length, conversationIds.length * perConversation);
  const wanted = new Set(ids.map(messageIdOf));
  const arrived = await waitFor('every mail', async () => {
    const mails = (await sink.mails()).filter((m) => wanted.has(m.messageId));
    return new Set(mails.map((m) => m.messageId)).size === wanted.size ? mails : null;
  }, { timeoutMs });
  await sleep(500); // a duplicate would arrive by now
  const again = (await sink.mails()).filter((m) => wanted.has(m.messageId));
  const counts = new Map();
  for (const m of again) counts.set(m.messageId, (counts.get(m.messageId) ?? 0) + 1);
  const twice = [...counts.values()].filter((n) => n !== 1);
  assert.ok(twice.length <= resends && twice.every((n) => n === 2),
    `mails arrived more than once: ${JSON.stringify([...counts].filter(([, n]) => n !== 1))}`);
  const delivered = await sqlOk(stack,
    `SELECT COUNT(*) FROM outbox WHERE id IN (${ids.join(',')}) AND delivered_at IS NOT NULL`);
  assert.equal(Number(delivered), ids.length);
  return arrived;
}

test('without preferences no mail is queued; with them, a new conversation mails each agent once', async () => {
  const quiet = await startConversation('nobody subscribed yet');
  assert.equal(await sqlOk(stack, `SELECT COUNT(*) FROM outbox WHERE idempotency_key LIKE 'new_conversation:${quiet.conversationId}:%'`), '0');

  // Preferences through edgechatctl (the same service the panel uses); bad input is refused.
  for (const [flags, code] of [
    [['--email', 'agent@example.test\r\nBcc: victim@example.test'], 'invalid_email'],
    [['--email', 'no-at-sign'], 'invalid_email'],
    [['--locale', 'de'], 'invalid_locale'],
    [['--unanswered-minutes', '99999'], 'invalid_number'],
    [['--new-conversation', 'maybe'], 'usage'],
  ]) {
    const refused = await stack.ctl(['admin', 'mail', 'admin', ...flags, '--json']);
    assert.equal(refused.code, 2, refused.stderr);
    assert.equal(JSON.parse(refused.stderr).error, code);
  }
  const missing = await stack.ctl(['admin', 'mail', 'nobody', '--email', 'a@b.test']);
  assert.equal(missing.code, 3);
  assert.deepEqual(await stack.ctlJson(['admin', 'mail', 'admin']),
    { username: 'admin', email: '', locale: 'en', newConversation: true, unansweredMinutes: 0 });
  assert.deepEqual(await stack.ctlJson(['admin', 'mail', 'admin', '--email', ' agent@example.test ']),
    { username: 'admin', email: 'agent@example.test', locale: 'en', newConversation: true, unansweredMinutes: 0 });
  await stack.ctlJson(['admin', 'mail', 'sara', '--email', 'sara@example.test', '--locale', 'fa']);

  const hostile = 'Hi <script>alert(1)</script> & "you"\r\nBcc: victim@example.test';
  const { guest, conversationId } = await startConversation(hostile);
  // A second message in the same conversation is no new conversation.
  await postWorkerMessage(stack, guest.token, 'second message', `mail-${++sent}`);
  const mails = await expectEachOnce([conversationId], 2);
  assert.equal(mails.length, 2);

  const en = mails.find((m) => m.to === '<agent@example.test>');
  const fa = mails.find((m) => m.to === '<sara@example.test>');
  assert.ok(en && fa, 'one mail to each agent');
  assert.equal(en.headers.subject, `New conversation on Demo shop (#${conversationId})`);
  assert.match(en.headers['content-type'], /^multipart\/alternative; boundary=/);
  assert.match(en.headers.from, /^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?= <chat@edgechat\.test>$/);
  assert.equal(en.headers.bcc, undefined, 'user text never becomes a header');
  const enParts = mailParts(en.raw);
  assert.ok(enParts['text/plain'].includes(hostile), 'the plain text carries the message as it is');
  assert.ok(enParts['text/html'].includes('Hi &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;you&quot;'));
  assert.ok(!enParts['text/html'].includes('<script>'), 'no user HTML reaches the HTML part');
  assert.ok(enParts['text/html'].includes('dir="ltr"'));
  assert.ok(enParts['text/plain'].includes('http://chat.test/admin/'));

  // Persian: RTL HTML, an RFC 2047 subject that decodes to Persian text.
  assert.match(fa.headers.subject, /^=\?UTF-8\?B\?/);
  const subject = fa.headers.subject.split(' ').map((w) => Buffer.from(w.slice(10, -2), 'base64').toString('utf8')).join('');
  assert.equal(subject, `گفتگوی تازه در Demo shop (#${conversationId})`);
  const faParts = mailParts(fa.raw);
  assert.ok(faParts['text/html'].includes('<html lang="fa" dir="rtl">'));
  assert.ok(faParts['text/plain'].includes('یک بازدیدکننده گفتگوی تازه‌ای را آغاز کرد.'));
});

test('an SMTP outage: mails wait with backoff and all arrive once after the server returns', async () => {
  await sink.stop();
  const conversations = [];
  for (let i = 0; i < 3; i += 1) conversations.push((await startConversation(`during the outage ${i}`)).conversationId);
  const ids = await outboxIdsOf(conversations);
  await waitFor('failed attempts recorded', async () => {
    const failed = await sqlOk(stack, `SELECT COUNT(*) FROM outbox WHERE id IN (${ids.join(',')})
      AND attempts >= 2 AND last_error IS NOT NULL AND delivered_at IS NULL`);
    return Number(failed) === ids.length;
  }, { timeoutMs: 15000 });
  await sink.start();
  await expectEachOnce(conversations, 2);
});

test('a worker SIGKILL mid-run loses no mail and sends none twice', async () => {
  const conversations = [];
  for (let i = 0; i < 8; i += 1) conversations.push((await startConversation(`before the kill ${i}`)).conversationId);
  await stack.killRecorded('worker', 'SIGKILL');
  // Queued while the worker is gone: the transaction wrote them, nobody sends them yet.
  const restarted = await stack.script('start');
  assert.equal(restarted.code, 0, restarted.stderr);
  for (let i = 0; i < 4; i += 1) conversations.push((await startConversation(`after the restart ${i}`)).conversationId);
  // A row the dead worker had claimed waits for its lease to run out (about 11 s here). The one
  // mail in flight at the kill may arrive again, recognisable by its Message-ID; none is lost.
  await expectEachOnce(conversations, 2, { timeoutMs: 40000, resends: 1 });
});

test('two workers on one outbox: every mail once', async () => {
  const socket2 = join(stack.varDir, 'run', 'worker2.sock');
  const second = spawn(join(BUILD, 'edgechat-worker'), ['--config', join(stack.varDir, 'edgechat.conf')], {
    env: { ...stack.env, EDGECHAT_WORKER_LISTEN: `unix:${socket2}` }, stdio: 'ignore',
  });
  try {
    await waitFor('the second worker', async () => (await workerRequest(socket2, 'GET', '/healthz')).status === 200,
      { tolerant: true, timeoutMs: 10000 });
    const conversations = [];
    const both = [];
    for (let i = 0; i < 10; i += 1) {
      both.push(startConversation(`two workers ${i}`), startConversation(`two workers b${i}`, socket2));
    }
    for (const c of await Promise.all(both)) conversations.push(c.conversationId);
    await expectEachOnce(conversations, 2, { timeoutMs: 30000 });
    const owners = await sqlOk(stack, `SELECT COUNT(DISTINCT claimed_by) FROM outbox WHERE id IN (${(await outboxIdsOf(conversations)).join(',')})`);
    assert.ok(Number(owners) >= 1);
  } finally {
    second.kill('SIGTERM');
    await new Promise((resolve) => second.once('exit', resolve));
  }
});

test('a guest message unanswered for N minutes mails the agents who asked for it, once', async () => {
  for (const name of ['admin', 'sara']) await stack.ctlJson(['admin', 'mail', name, '--unanswered-minutes', '5']);
  const { conversationId } = await startConversation('still waiting');
  const answered = await startConversation('answered in time');
  await stack.ctlJson(['conversations', 'reply', String(answered.conversationId), '--text', 'on it']);
  // Five minutes pass (for both conversations' messages).
  await sqlOk(stack, `UPDATE messages SET created_at = created_at - INTERVAL 6 MINUTE
    WHERE conversation_id IN (${conversationId}, ${answered.conversationId})`);
  await sqlOk(stack, `UPDATE conversations SET last_message_at = last_message_at - INTERVAL 6 MINUTE
    WHERE id IN (${conversationId}, ${answered.conversationId})`);
  const key = `unanswered:%`;
  const rows = await waitFor('unanswered mails queued', async () => {
    const r = await sqlOk(stack, `SELECT o.id, o.idempotency_key FROM outbox o WHERE o.idempotency_key LIKE '${key}'
      AND o.payload LIKE '%"conversationId":${conversationId},%'`, { rows: true });
    return r.length === 2 ? r : null;
  }, { timeoutMs: 10000 });
  const wanted = new Set(rows.map(([id]) => messageIdOf(Number(id))));
  await waitFor('unanswered mails', async () =>
    new Set((await sink.mails()).filter((m) => wanted.has(m.messageId)).map((m) => m.messageId)).size === 2,
  { timeoutMs: 10000 });
  await sleep(1000); // more polls: still one mail per agent
  const mails = (await sink.mails()).filter((m) => wanted.has(m.messageId));
  assert.equal(mails.length, 2);
  const en = mails.find((m) => m.to === '<agent@example.test>');
  assert.equal(en.headers.subject, `Unanswered message on Demo shop (#${conversationId})`);
  assert.ok(mailParts(en.raw)['text/plain'].includes('waited 5 minutes'));
  const none = await sqlOk(stack, `SELECT COUNT(*) FROM outbox WHERE idempotency_key LIKE '${key}'
      AND payload LIKE '%"conversationId":${answered.conversationId},%'`);
  assert.equal(none, '0', 'an answered conversation gets no such mail');
});

test('the panel edits the signed-in admin’s own mail preferences through the admin API', async () => {
  const who = await adminLogin(stack.chatUrl, 'admin', stack.adminPassword);
  const shown = await adminCall(stack.chatUrl, 'GET', 'mail-preferences', undefined, { who });
  assert.equal(shown.status, 200);
  assert.equal(shown.json.username, 'admin');
  assert.equal(shown.json.email, 'agent@example.test');
  for (const body of [{ email: 'x@y.test\r\nBcc: v@w.test' }, { locale: 'de' }, { unansweredMinutes: -1 },
    { unansweredMinutes: 1.5 }, { newConversation: 'yes' }, { email: 42 }]) {
    const refused = await adminCall(stack.chatUrl, 'PUT', 'mail-preferences', body, { who });
    assert.equal(refused.status, 400, JSON.stringify(body));
    assert.equal(refused.json.error, 'invalid_input');
  }
  const changed = await adminCall(stack.chatUrl, 'PUT', 'mail-preferences',
    { locale: 'fa', newConversation: false, unansweredMinutes: 15 }, { who });
  assert.equal(changed.status, 200, changed.text);
  assert.deepEqual(changed.json, { username: 'admin', email: 'agent@example.test', locale: 'fa',
    newConversation: false, unansweredMinutes: 15 });
  // The CLI reads what the panel stored (one table, one service).
  assert.deepEqual(await stack.ctlJson(['admin', 'mail', 'admin']), changed.json);
  // No new-conversation mail for this admin any more; the other agent still gets one.
  const { conversationId } = await startConversation('after opting out');
  const keys = (await sqlOk(stack, `SELECT idempotency_key FROM outbox WHERE idempotency_key LIKE 'new_conversation:${conversationId}:%'`, { rows: true })).map(([k]) => k);
  const sara = await sqlOk(stack, "SELECT id FROM admins WHERE username = 'sara'");
  assert.deepEqual(keys, [`new_conversation:${conversationId}:${sara}`]);
});
