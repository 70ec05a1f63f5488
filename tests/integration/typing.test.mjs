// Typing indicators both ways, across two workers: never stored, rate-limited at the edge, and
// invisible to Last-Event-ID resumes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startStack } from '../lib/stack.mjs';
import { openWorkerStream, nextEventOf } from '../lib/sse.mjs';
import { updateSitesSql } from '../lib/sites.mjs';
import { workerRequest, startSecondWorker } from '../lib/worker.mjs';
import { guestHeaders, newGuest, guestHistory, postWorkerMessage } from '../lib/guest.mjs';
import { adminLogin } from '../lib/admin.mjs';
import { edgeRequest } from '../lib/edge.mjs';
import { sqlOk } from '../lib/sql.mjs';

let stack;
let second;
let socket1;
let socket2;
before(async () => {
  stack = await startStack();
  await updateSitesSql(stack, 'rate_limit_messages = 100000, rate_limit_burst = 10000');
  socket1 = join(stack.varDir, 'run', 'worker.sock');
  second = await startSecondWorker(stack);
  socket2 = second.socket;
});
after(async () => {
  await second?.stop();
  await stack?.stop();
});

const openStream = openWorkerStream;
const nextOf = nextEventOf;

async function eventRows(conversationId) {
  const out = await sqlOk(stack, `SELECT COUNT(*) AS n FROM events WHERE conversation_id = ${Number(conversationId)}`, { rows: true });
  return out;
}

test('a guest typing on one worker reaches an admin stream on the other, and is never stored', async () => {
  const admin = await adminLogin(stack.chatUrl, 'admin', stack.adminPassword);
  const guest = await newGuest(stack);
  await postWorkerMessage(stack, guest.token, 'hello', 'typing-1');
  const { conversationId } = await guestHistory(stack, guest.token);
  const before = await eventRows(conversationId);
  const adminStream = await openStream(socket2, '/api/v1/admin/events', { Cookie: admin.cookie });
  try {
    await new Promise((r) => setTimeout(r, 500)); // past the stream's start
    const res = await workerRequest(socket1, 'POST', '/api/v1/external/typing', { headers: guestHeaders(stack, guest.token) });
    assert.equal(res.status, 204, res.text);
    const typing = await nextOf(adminStream, 'typing');
    assert.deepEqual(typing.data, { conversationId, from: 'guest' });
  } finally {
    adminStream.close();
  }
  assert.deepEqual(await eventRows(conversationId), before, 'no events row for typing');
});

test("an agent's typing reaches the guest's stream on the other worker; a resume after it has no gap or duplicate", async () => {
  const admin = await adminLogin(stack.chatUrl, 'admin', stack.adminPassword);
  const guest = await newGuest(stack);
  await postWorkerMessage(stack, guest.token, 'hi', 'typing-2');
  const { conversationId, lastEventId } = await guestHistory(stack, guest.token);
  const headers = { 'Site-Key': stack.siteKey, Authorization: `Bearer ${guest.token}`, 'Last-Event-ID': String(lastEventId) };
  const onSecond = await openStream(socket2, '/api/v1/external/events', headers);
  let lastSeen;
  try {
    await new Promise((r) => setTimeout(r, 300));
    // The panel's call, through the edge to the first worker (CSRF like every change).
    const res = await fetch(`${stack.chatUrl}/api/v1/admin/conversations/${conversationId}/typing`, {
      method: 'POST', headers: { Cookie: admin.cookie, 'X-CSRF-Token': admin.csrf, 'Content-Type': 'application/json' }, body: '{}',
    });
    assert.equal(res.status, 204);
    const typing = await nextOf(onSecond, 'typing');
    assert.equal(typing.data.from, 'agent');
    assert.deepEqual(Object.keys(typing.data), ['from'], 'no name or other text: nothing from Redis reaches a visitor as text');
    assert.equal(typing.id, 0, 'no id line: this connection has seen no id yet');
    await stack.ctlJson(['conversations', 'reply', String(conversationId), '--text', 'after typing']);
    const reply = await nextOf(onSecond, 'message');
    assert.equal(reply.data.text, 'after typing');
    assert.ok(reply.id > lastEventId);
    lastSeen = reply.id;
  } finally {
    onSecond.close();
  }
  // Resume from before the typing: exactly the reply, once.
  const resumed = await openStream(socket2, '/api/v1/external/events', { ...headers, 'Last-Event-ID': String(lastEventId) });
  try {
    const first = await resumed.next(5000);
    assert.equal(first.event, 'message');
    assert.equal(first.id, lastSeen);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(resumed.pending(), 0, 'nothing else: no duplicate, no replayed typing');
  } finally {
    resumed.close();
  }
  const csrfless = await fetch(`${stack.chatUrl}/api/v1/admin/conversations/${conversationId}/typing`, {
    method: 'POST', headers: { Cookie: admin.cookie },
  });
  assert.equal(csrfless.status, 403);
});

test('typing is limited at the edge: 429 beyond the burst', async () => {
  const guest = await newGuest(stack);
  const statuses = [];
  for (let i = 0; i < 14; i++) {
    const res = await edgeRequest(stack, 'POST', '/api/v1/external/typing', { from: '127.0.0.77', headers: { Authorization: `Bearer ${guest.token}` }, body: {} });
    statuses.push(res.status);
  }
  assert.ok(statuses.slice(0, 10).every((s) => s === 204), statuses.join(','));
  assert.equal(statuses.at(-1), 429, statuses.join(','));
});
