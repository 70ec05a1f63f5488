// Event retention against the real stack: `edgechatctl events prune` (the pass the worker runs
// periodically) deletes aged events in batches but keeps each conversation's newest and every
// message, raises the watermark, and a stream resuming from a pruned id gets one `reset` event
// whose id is the conversation's newest, while a resume from a recent id is unaffected.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { startStack, run, ROOT } from '../lib/stack.mjs';
import { openEvents } from '../lib/sse.mjs';
import { sqlOk } from '../lib/sql.mjs';
import { workerRequest } from '../lib/worker.mjs';
import { newGuest, postWorkerMessage, guestHistory } from '../lib/guest.mjs';
import { sleep } from '../lib/wait.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

/** A request straight to the worker's unix socket (no edge limits: this file sends in bursts). */
const worker = (method, path, options) =>
  workerRequest(join(stack.varDir, 'run', 'worker.sock'), method, path, options);

let sent = 0;
const send = (guest, text) => postWorkerMessage(stack, guest.token, text, `retention-${++sent}`);

const history = (guest) => guestHistory(stack, guest.token);

const eventIdsOf = async (conversationId) =>
  (await sqlOk(stack, `SELECT id FROM events WHERE conversation_id = ${Number(conversationId)} ORDER BY id`, { rows: true })).map(([id]) => Number(id));

async function prune(args) {
  const out = await stack.ctl(['events', 'prune', ...args, '--json']);
  assert.equal(out.code, 0, out.stderr);
  return JSON.parse(out.stdout);
}

// Shared by the tests below, in order.
let busy; // a guest with aged events and a recent one
let quiet; // a guest whose only event is aged (its conversation's newest)
let busyConversation;
let quietConversation;
let agedBusyIds;
let pruneReport;

test('prune deletes aged events in batches, keeps each conversation newest and every message', async () => {
  busy = await newGuest(stack);
  quiet = await newGuest(stack);
  await send(quiet, 'quiet and old');
  quietConversation = (await history(quiet)).conversationId;
  await send(busy, 'old one');
  await send(busy, 'old two');
  busyConversation = (await history(busy)).conversationId;
  await stack.ctlJson(['conversations', 'reply', String(busyConversation), '--text', 'old reply']);
  agedBusyIds = await eventIdsOf(busyConversation);
  assert.equal(agedBusyIds.length, 3);
  const [quietId] = await eventIdsOf(quietConversation);

  // Everything so far is 40 days old (ids and created_at grow together, as in production).
  await sqlOk(stack, 'UPDATE events SET created_at = created_at - INTERVAL 40 DAY');
  await send(busy, 'recent');
  const recentId = (await eventIdsOf(busyConversation)).at(-1);

  // A retention longer than the events' age deletes nothing.
  const none = await prune(['--older-than-days', '41']);
  assert.equal(none.deleted, 0);
  assert.deepEqual(await eventIdsOf(busyConversation), [...agedBusyIds, recentId]);

  pruneReport = await prune(['--older-than-days', '30', '--batch', '2']);
  assert.ok(pruneReport.deleted >= 3, JSON.stringify(pruneReport));
  assert.ok(pruneReport.batches >= 2, `batches of 2: ${JSON.stringify(pruneReport)}`);
  assert.equal(pruneReport.olderThanDays, 30);
  assert.match(pruneReport.before, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.deepEqual(await eventIdsOf(busyConversation), [recentId], 'aged events gone, the recent one kept');
  assert.deepEqual(await eventIdsOf(quietConversation), [quietId], 'a conversation keeps its newest event');
  const [[watermark]] = await sqlOk(stack, 'SELECT pruned_through FROM event_retention WHERE id = 1', { rows: true });
  assert.equal(Number(watermark), pruneReport.prunedThrough);
  assert.ok(pruneReport.prunedThrough >= agedBusyIds.at(-1) && pruneReport.prunedThrough < recentId);

  // Messages are never pruned, and the history still ends at the newest event.
  const h = await history(busy);
  assert.deepEqual(h.messages.map((m) => m.text), ['old one', 'old two', 'old reply', 'recent']);
  assert.equal(h.lastEventId, recentId);
  assert.equal((await history(quiet)).lastEventId, quietId);

  // A second pass finds nothing more.
  assert.equal((await prune(['--older-than-days', '30'])).deleted, 0);
});

test('a stream resuming from a pruned id gets one reset event with the newest id, then goes on', async () => {
  const newest = (await history(busy)).lastEventId;
  const stream = await openEvents(stack, busy.token, { lastEventId: agedBusyIds[0] });
  try {
    const reset = await stream.next();
    assert.deepEqual(reset, { id: newest, event: 'reset', data: { reason: 'expired' } });
    await sleep(300);
    assert.equal(stream.pending(), 0, 'only the reset, none of the events after it');
    const later = await send(busy, 'after the reset');
    const next = await stream.next();
    assert.equal(next.event, 'message');
    assert.equal(next.data.text, later.text);
    assert.ok(next.id > newest);
  } finally {
    stream.close();
  }
});

test('a resume from a recent id, or with nothing newer in the conversation, is unaffected', async () => {
  const ids = await eventIdsOf(busyConversation);
  assert.ok(ids[0] > pruneReport.prunedThrough);
  const recent = await openEvents(stack, busy.token, { lastEventId: ids[0] });
  try {
    const next = await recent.next();
    assert.equal(next.event, 'message');
    assert.equal(next.id, ids[1]);
    assert.equal(next.data.text, 'after the reset');
  } finally {
    recent.close();
  }

  // The quiet guest's only event is below the watermark but is its newest: nothing was missed.
  const [quietId] = await eventIdsOf(quietConversation);
  assert.ok(quietId < pruneReport.prunedThrough, 'the quiet event is older than pruned ones');
  const quietStream = await openEvents(stack, quiet.token, { lastEventId: quietId });
  try {
    await sleep(300);
    assert.equal(quietStream.pending(), 0, 'no reset');
    await send(quiet, 'quiet again');
    const next = await quietStream.next();
    assert.equal(next.event, 'message');
    assert.equal(next.data.text, 'quiet again');
  } finally {
    quietStream.close();
  }
});

test('events.retention_days 0 or out of range is refused with a clear message', async () => {
  for (const bad of ['0', '3651']) {
    const out = await stack.ctl(['events', 'prune'], { env: { ...stack.env, EDGECHAT_EVENTS_RETENTION_DAYS: bad } });
    assert.equal(out.code, 2, out.stderr);
    assert.match(out.stderr, /events\.retention_days must be a whole number from 1 to 3650/);
  }
  const flag = await stack.ctl(['events', 'prune', '--older-than-days', '0']);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /--older-than-days must be a number from 1 to 3650/);
});

test('the worker prunes by itself with its configured retention, and takes its admin login limits from its config', async () => {
  const guest = await newGuest(stack);
  for (const text of ['old one', 'old two', 'old three']) await send(guest, text);
  const { conversationId } = await history(guest);
  const before = await eventIdsOf(conversationId);
  assert.equal(before.length, 3);
  // All of them: a pass walks events in id order and stops at the first one still young.
  await sqlOk(stack, 'UPDATE events SET created_at = NOW(6) - INTERVAL 3 DAY');

  // Restart the worker with settings from its environment; it prunes once as it starts.
  await stack.killRecorded('worker', 'SIGTERM');
  const restarted = await run(join(ROOT, 'scripts', 'start'), [], {
    env: { ...stack.env, EDGECHAT_EVENTS_RETENTION_DAYS: '2', EDGECHAT_ADMIN_LOGIN_FAILURES_PER_USER: '2' },
  });
  assert.equal(restarted.code, 0, restarted.stderr);
  let left = before;
  for (let i = 0; i < 100 && left.length > 1; i++) {
    await sleep(100);
    left = await eventIdsOf(conversationId);
  }
  assert.deepEqual(left, [before[2]], 'the aged events went, the newest stayed');
  const log = await readFile(join(stack.varDir, 'log', 'worker.log'), 'utf8');
  assert.match(log, /"component":\s*"retention"/);

  // admin.login_failures_per_user = 2: the third failed login in a row is throttled.
  const login = (password) => worker('POST', '/api/v1/admin/login', {
    headers: { 'Content-Type': 'application/json' }, body: { username: 'admin', password },
  });
  assert.equal((await login('wrong 1')).status, 401);
  assert.equal((await login('wrong 2')).status, 401);
  const throttled = await login('wrong 3');
  assert.equal(throttled.status, 429, throttled.text);
});
