// Lost live notices are recovered: an event committed whose notice never reached a stream (PUBLISH
// failed, or the writing worker could not reach Redis) still arrives on the idle stream within a
// heartbeat period, because every stream is checked against its conversation's newest event.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { startStack, BUILD } from '../lib/stack.mjs';
import { openEvents } from '../lib/sse.mjs';
import { workerRequest } from '../lib/worker.mjs';
import { newGuest, postWorkerMessage, guestHistory } from '../lib/guest.mjs';
import { sleep } from '../lib/wait.mjs';

// The check runs every heartbeat period: 1 s here, so a lost notice shows within about 2 s.
const HEARTBEAT_S = 1;

let stack;
before(async () => {
  stack = await startStack({ env: { EDGECHAT_WORKER_SSE_HEARTBEAT: String(HEARTBEAT_S) } });
});
after(async () => { await stack?.stop(); });

const auth = (token) => ({ 'Site-Key': stack.siteKey, Authorization: `Bearer ${token}` });
// A Redis that is not there: a publisher pointed at it fails, as a PUBLISH during an outage does.
const noRedis = () => ({ ...stack.env, EDGECHAT_REDIS_SOCKET: join(stack.varDir, 'run', 'no-redis.sock') });

/** A guest with a first message, its conversation id and an idle stream through the edge. */
async function guestWithStream() {
  const guest = await newGuest(stack);
  await postWorkerMessage(stack, guest.token, 'hello', 'c-0');
  const history = await guestHistory(stack, guest.token);
  const stream = await openEvents(stack, guest.token, { lastEventId: history.lastEventId });
  return { guest, conversationId: history.conversationId, stream };
}

/** Resolves to the next event and how long it took to come. */
async function timed(stream, timeoutMs) {
  const started = Date.now();
  const event = await stream.next(timeoutMs);
  return { event, ms: Date.now() - started };
}

test('a reply whose PUBLISH failed reaches the idle stream within the heartbeat period', async () => {
  const { conversationId, stream } = await guestWithStream();
  try {
    await sleep(200);  // the stream is idle
    // The CLI commits the reply, then cannot announce it: nothing tells the worker.
    const reply = await stack.ctl(['conversations', 'reply', String(conversationId), '--text', 'never announced', '--json'],
      { env: noRedis() });
    assert.equal(reply.code, 0, reply.stderr);
    assert.equal(JSON.parse(reply.stdout).created, true);
    const { event, ms } = await timed(stream, 3 * HEARTBEAT_S * 1000 + 1000);
    assert.equal(event.event, 'message');
    assert.equal(event.data.text, 'never announced');
    assert.ok(ms < 3 * HEARTBEAT_S * 1000, `caught up in ${ms} ms`);
  } finally {
    stream.close();
  }
});

test('two workers: a message written through a worker cut off from Redis reaches the stream on the other', async () => {
  const socket2 = join(stack.varDir, 'run', 'worker-alone.sock');
  const second = spawn(join(BUILD, 'edgechat-worker'), ['--config', join(stack.varDir, 'edgechat.conf')], {
    env: { ...noRedis(), EDGECHAT_WORKER_LISTEN: `unix:${socket2}` }, stdio: 'ignore',
  });
  const { guest, conversationId, stream } = await guestWithStream();  // on the first worker, behind the edge
  try {
    const deadline = Date.now() + 15000;
    for (;;) {
      try {
        if ((await workerRequest(socket2, 'GET', '/healthz')).status === 200) break;
      } catch { /* not listening yet */ }
      if (Date.now() > deadline) throw new Error('the second worker did not start');
      await sleep(100);
    }
    // Committed on the second worker; its notice goes to its own streams only.
    const sent = await workerRequest(socket2, 'POST', '/api/v1/external/messages', {
      headers: { ...auth(guest.token), 'Content-Type': 'application/json' }, body: { text: 'from the other worker', clientId: 'c-1' },
    });
    assert.equal(sent.status, 201, sent.text);
    const { event, ms } = await timed(stream, 3 * HEARTBEAT_S * 1000 + 1000);
    assert.equal(event.data.text, 'from the other worker');
    assert.equal(event.data.author, 'guest');
    assert.ok(ms < 3 * HEARTBEAT_S * 1000, `caught up in ${ms} ms`);
    // Delivered once: after it comes the next event (announced as usual), not a copy.
    assert.equal((await stack.ctlJson(['conversations', 'reply', String(conversationId), '--text', 'next'])).created, true);
    const next = await stream.next(5000);
    assert.equal(next.data.text, 'next');
    assert.ok(next.id > event.id);
  } finally {
    stream.close();
    second.kill('SIGTERM');
    await new Promise((resolve) => second.once('exit', resolve));
  }
});
