// The worker's queue deadline (db.queue_deadline_ms) against the real stack: the test locks a
// conversation's row through its own MariaDB session, so the worker's two database threads hang on
// it; a third request then gets 503 busy at the deadline instead of waiting, and once the lock is
// released every acknowledged message is stored, once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startStack } from '../lib/stack.mjs';
import { stackWorkerRequest } from '../lib/worker.mjs';
import { guestHeaders, newGuest } from '../lib/guest.mjs';
import { sleep } from '../lib/wait.mjs';

const POOL = 2;
const DEADLINE_MS = 600;

let stack;
before(async () => {
  stack = await startStack({
    env: { EDGECHAT_DB_POOL_SIZE: String(POOL), EDGECHAT_DB_QUEUE_DEADLINE_MS: String(DEADLINE_MS) },
  });
});
after(async () => { await stack?.stop(); });

const worker = (method, path, options) => stackWorkerRequest(stack, method, path, options);
const auth = (token) => guestHeaders(stack, token);

/** POST /messages through the edge; resolves to {status, body, retryAfter, ms}. */
async function send(token, clientId) {
  const started = Date.now();
  const res = await fetch(`${stack.chatUrl}/api/v1/external/messages`, {
    method: 'POST', headers: auth(token), body: JSON.stringify({ text: `text of ${clientId}`, clientId }),
  });
  return { status: res.status, body: await res.json(), retryAfter: res.headers.get('retry-after'), ms: Date.now() - started };
}

/** A MariaDB session of the test's own that holds `conversationId`'s row lock until release(). */
async function lockConversation(conversationId) {
  const client = spawn('mariadb', ['--no-defaults', `--socket=${join(stack.varDir, 'run', 'mysql.sock')}`,
    '-uroot', '-N', '-B', '--unbuffered', 'edgechat'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  client.stdout.on('data', (chunk) => { out += chunk; });
  const exited = new Promise((resolve) => client.on('exit', resolve));
  client.stdin.write(`BEGIN; SELECT id FROM conversations WHERE id = ${Number(conversationId)} FOR UPDATE; SELECT 'locked';\n`);
  const deadline = Date.now() + 10000;
  while (!out.includes('locked')) {
    if (Date.now() > deadline) throw new Error(`the test's session did not take the lock: ${out}`);
    await sleep(20);
  }
  return {
    release: async () => {
      client.stdin.end('ROLLBACK;\n');
      await exited;
    },
  };
}

/** Statements of the worker's connections that are running now (they wait on the test's lock). */
async function lockWaits() {
  const res = await stack.sql("SELECT COUNT(*) FROM information_schema.processlist WHERE user = 'edgechat' " +
    "AND command IN ('Query', 'Execute') AND info LIKE '%conversations%'");
  return Number(res.stdout.trim());
}

test('a request queued behind a locked database gets 503 busy at the deadline; nothing acknowledged is lost', async () => {
  const a = await newGuest(stack);
  const b = await newGuest(stack);
  const first = await worker('POST', '/api/v1/external/messages', { headers: auth(a.token), body: { text: 'first', clientId: 'a-0' } });
  assert.equal(first.status, 201, first.text);
  const history = await worker('GET', '/api/v1/external/messages', { headers: auth(a.token) });
  const conversationId = history.json.conversationId;

  const lock = await lockConversation(conversationId);
  let held;
  try {
    // One message per database thread: each waits for the conversation's row lock.
    held = ['a-1', 'a-2'].map((clientId) => send(a.token, clientId));
    const deadline = Date.now() + 10000;
    while ((await lockWaits()) < POOL) {
      if (Date.now() > deadline) {
        const settled = await Promise.all(held.map((p) => Promise.race([p, sleep(10).then(() => 'waiting')])));
        const trx = await stack.sql('SHOW FULL PROCESSLIST');
        assert.fail(`both database threads wait on the lock: ${JSON.stringify(settled)} ${trx.stdout}`);
      }
      await sleep(50);
    }

    // Every thread is taken: the next request waits in the queue until its deadline, no longer.
    const busy = await send(b.token, 'b-1');
    assert.equal(busy.status, 503, JSON.stringify(busy.body));
    assert.equal(busy.body.error, 'busy');
    assert.equal(typeof busy.body.message, 'string');
    assert.equal(busy.retryAfter, '2');
    assert.ok(busy.ms >= DEADLINE_MS - 50, `answered after ${busy.ms} ms, not before the deadline`);
    assert.ok(busy.ms < DEADLINE_MS + 1500, `answered after ${busy.ms} ms, at the deadline`);
    const read = await fetch(`${stack.chatUrl}/api/v1/external/messages`, { headers: auth(b.token) });
    assert.equal(read.status, 503);
    assert.equal((await read.json()).error, 'busy');
    for (const pending of held) {
      assert.equal(await Promise.race([pending.then(() => 'answered'), sleep(100).then(() => 'waiting')]), 'waiting',
        'a started request is waited for, not answered busy');
    }
  } finally {
    await lock.release();
  }

  // The held messages complete once the lock is gone: acknowledged, and stored.
  const acknowledged = await Promise.all(held);
  for (const res of acknowledged) assert.equal(res.status, 201, JSON.stringify(res.body));
  const rows = await stack.sql(`SELECT client_id FROM messages WHERE conversation_id = ${Number(conversationId)} ORDER BY id`);
  assert.deepEqual(rows.stdout.trim().split('\n').sort(), ['a-0', 'a-1', 'a-2']);

  // The busy message never ran: its retry (same clientId) is stored now, once.
  const retried = await send(b.token, 'b-1');
  assert.equal(retried.status, 201, 'the 503 busy message had not been stored');
  const again = await send(b.token, 'b-1');
  assert.equal(again.status, 200);
  assert.equal(again.body.message.id, retried.body.message.id);
  const own = await stack.sql(`SELECT COUNT(*) FROM messages WHERE client_id = 'b-1'`);
  assert.equal(own.stdout.trim(), '1');

  const metrics = await worker('GET', '/metrics', {});
  const count = Number(/^edgechat_http_responses_busy_total (\d+)$/m.exec(metrics.text)?.[1]);
  assert.ok(count >= 2, `busy answers are counted (${count})`);
});
