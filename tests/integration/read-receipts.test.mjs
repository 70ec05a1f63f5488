// Read receipts both ways, across two workers: stored (a "read" event and a marker that survives a
// reload), forward only, own conversation only, rate-limited at the edge, and resumed by
// Last-Event-ID without gap or duplicate.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startStack } from '../lib/stack.mjs';
import { openWorkerStream, nextEventOf } from '../lib/sse.mjs';
import { updateSitesSql } from '../lib/sites.mjs';
import { workerRequest, startSecondWorker } from '../lib/worker.mjs';
import { guestHeaders, newGuest, guestHistory, postWorkerMessage } from '../lib/guest.mjs';
import { adminCall, adminLogin } from '../lib/admin.mjs';
import { edgeRequest } from '../lib/edge.mjs';

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


const readAt = (socket, token, body) => workerRequest(socket, 'POST', '/api/v1/external/read',
  { headers: guestHeaders(stack, token), body });

test("a visitor's read reaches an admin stream on the other worker; forward only; another guest's message refused", async () => {
  const admin = await adminLogin(stack.chatUrl, 'admin', stack.adminPassword);
  const guest = await newGuest(stack);
  const mine = await postWorkerMessage(stack, guest.token, 'hello', 'read-1');
  const { conversationId } = await guestHistory(stack, guest.token);
  const reply = (await stack.ctlJson(['conversations', 'reply', String(conversationId), '--text', 'hi there'])).message;
  const adminStream = await openStream(socket2, '/api/v1/admin/events', { Cookie: admin.cookie });
  try {
    await new Promise((r) => setTimeout(r, 500));
    const own = await readAt(socket1, guest.token, { upToMessageId: mine.id });
    assert.equal(own.status, 204, own.text);
    const res = await readAt(socket1, guest.token, { upToMessageId: reply.id });
    assert.equal(res.status, 204, res.text);
    const read = await nextOf(adminStream, 'read');
    assert.deepEqual(read.data, { conversationId, event: { conversationId, by: 'visitor', upToMessageId: reply.id } });
    assert.ok(read.id > 0, 'a stored event with an id');
    // Backwards changes nothing and announces nothing.
    assert.equal((await readAt(socket1, guest.token, { upToMessageId: mine.id })).status, 204);
    await new Promise((r) => setTimeout(r, 700));
    const later = [];
    while (adminStream.pending()) later.push(await adminStream.next(100));
    assert.equal(later.filter((e) => e.event === 'read').length, 0, 'no receipt for a step back');
  } finally {
    adminStream.close();
  }
  const shown = await adminCall(stack.chatUrl, 'GET', `conversations/${conversationId}?markRead=0`, undefined, { who: admin });
  assert.equal(shown.json.visitorReadUpTo, reply.id, 'stored: the panel sees it after a reload');
  // Another guest's message id is not in this guest's conversation.
  const other = await newGuest(stack);
  const theirs = await postWorkerMessage(stack, other.token, 'mine', 'read-2');
  const refused = await readAt(socket1, guest.token, { upToMessageId: theirs.id });
  assert.equal(refused.status, 404, refused.text);
  assert.equal(refused.json.error, 'message_not_found');
  const noConversation = await readAt(socket1, (await newGuest(stack)).token, { upToMessageId: mine.id });
  assert.equal(noConversation.status, 404);
  for (const bad of [{ upToMessageId: 0 }, { upToMessageId: '5' }, { upToMessageId: -1 }, {}]) {
    const r = await readAt(socket1, guest.token, bad);
    assert.equal(r.status, 400, JSON.stringify(bad));
    assert.equal(r.json.error, 'invalid_message_id');
  }
});

test("an agent's read reaches the guest's stream on the other worker; the history carries it; a resume has no gap or duplicate", async () => {
  const admin = await adminLogin(stack.chatUrl, 'admin', stack.adminPassword);
  const guest = await newGuest(stack);
  const mine = await postWorkerMessage(stack, guest.token, 'question', 'read-3');
  const { conversationId, lastEventId, agentReadUpTo } = await guestHistory(stack, guest.token);
  assert.equal(agentReadUpTo, 0);
  const headers = { 'Site-Key': stack.siteKey, Authorization: `Bearer ${guest.token}`, 'Last-Event-ID': String(lastEventId) };
  const onSecond = await openStream(socket2, '/api/v1/external/events', headers);
  let receiptId;
  try {
    await new Promise((r) => setTimeout(r, 300));
    // The panel opens the conversation (through the edge, to the first worker): it is read.
    const opened = await adminCall(stack.chatUrl, 'GET', `conversations/${conversationId}`, undefined, { who: admin });
    assert.equal(opened.status, 200);
    const read = await nextOf(onSecond, 'read');
    assert.deepEqual(read.data, { conversationId, by: 'agent', upToMessageId: mine.id });
    receiptId = read.id;
    // Opening it again reads nothing new: no second receipt.
    await adminCall(stack.chatUrl, 'GET', `conversations/${conversationId}`, undefined, { who: admin });
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(onSecond.pending(), 0, 'one receipt per step forward');
  } finally {
    onSecond.close();
  }
  assert.equal((await guestHistory(stack, guest.token)).agentReadUpTo, mine.id, 'a reload shows Seen');
  const resumed = await openStream(socket2, '/api/v1/external/events', headers);
  try {
    const first = await resumed.next(5000);
    assert.equal(first.event, 'read');
    assert.equal(first.id, receiptId);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(resumed.pending(), 0, 'exactly the receipt, once');
  } finally {
    resumed.close();
  }
});

test('read receipts are limited at the edge: 429 beyond the burst', async () => {
  const guest = await newGuest(stack);
  const m = await postWorkerMessage(stack, guest.token, 'x', 'read-4');
  const statuses = [];
  for (let i = 0; i < 14; i++) {
    const res = await edgeRequest(stack, 'POST', '/api/v1/external/read', { from: '127.0.0.78', headers: { Authorization: `Bearer ${guest.token}` }, body: { upToMessageId: m.id } });
    statuses.push(res.status);
  }
  assert.ok(statuses.slice(0, 10).every((s) => s === 204), statuses.join(','));
  assert.equal(statuses.at(-1), 429, statuses.join(','));
});
