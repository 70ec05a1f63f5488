// Agent presence across two workers: a panel's beat on one worker reaches the guest streams of
// the other (and of its own) as an ephemeral presence event; away and offline by hand; expiry
// after the panel stops refreshing (a closed tab) and after its worker is SIGKILLed (the Redis
// TTL); a stream opens with the current state; bad input is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { startStack, BUILD } from '../lib/stack.mjs';
import { openStream, nextPresence } from '../lib/presence.mjs';
import { waitFor } from '../lib/wait.mjs';
import { workerRequest } from '../lib/worker.mjs';
import { newGuest, postWorkerMessage } from '../lib/guest.mjs';
import { adminCall, adminLogin } from '../lib/admin.mjs';

const TTL_S = 3;
let stack;
let second;
let socket1;
let socket2;

function startSecond() {
  second = spawn(join(BUILD, 'edgechat-worker'), ['--config', join(stack.varDir, 'edgechat.conf')], {
    env: { ...stack.env, EDGECHAT_WORKER_LISTEN: `unix:${socket2}` }, stdio: 'ignore',
  });
  return waitFor('the second worker', async () => (await workerRequest(socket2, 'GET', '/healthz')).status === 200,
    { timeoutMs: 15000, tolerant: true });
}

before(async () => {
  stack = await startStack({ env: { EDGECHAT_PRESENCE_TTL: String(TTL_S), EDGECHAT_PRESENCE_BEAT: '1', EDGECHAT_PRESENCE_POLL_MS: '200' } });
  socket1 = join(stack.varDir, 'run', 'worker.sock');
  socket2 = join(stack.varDir, 'run', 'worker2.sock');
  await startSecond();
});
after(async () => {
  if (second && second.exitCode === null && second.signalCode === null) {
    second.kill('SIGTERM');
    await new Promise((resolve) => second.once('exit', resolve));
  }
  await stack?.stop();
});

/** A panel's beat, straight to the worker at `socket`. */
function beat(socket, who, state, idleMs = 0) {
  return workerRequest(socket, 'POST', '/api/v1/admin/presence', {
    headers: { Cookie: who.cookie, 'X-CSRF-Token': who.csrf, 'Content-Type': 'application/json' },
    body: { state, idleMs },
  });
}

async function guestStream(socket) {
  const guest = await newGuest(stack);
  await postWorkerMessage(stack, guest.token, 'anyone there?', `p-${Math.random()}`);
  return openStream(socket, { 'Site-Key': stack.siteKey, Authorization: `Bearer ${guest.token}` });
}

test('online on one worker reaches streams on both; away and offline by hand; the last agent leaving is pushed', async () => {
  const admin = await adminLogin(stack.chatUrl, 'admin', stack.adminPassword);
  const onFirst = await guestStream(socket1);
  const onSecond = await guestStream(socket2);
  try {
    // Nobody yet: both streams open with "away".
    assert.deepEqual((await nextPresence(onFirst)).data, { state: 'away' });
    assert.deepEqual((await nextPresence(onSecond)).data, { state: 'away' });
    const r = await beat(socket1, admin, 'online');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.state, 'online');
    assert.equal(r.json.ttlSeconds, TTL_S);
    const seen = await nextPresence(onSecond);
    assert.deepEqual(seen.data, { state: 'online' });
    assert.equal(seen.id, 0, 'ephemeral: no id line');
    assert.deepEqual((await nextPresence(onFirst)).data, { state: 'online' });
    // The panel lists the admin as online, on either worker.
    const listed = await workerRequest(socket2, 'GET', '/api/v1/admin/presence', { headers: { Cookie: admin.cookie } });
    assert.equal(listed.status, 200);
    assert.equal(listed.json.state, 'online');
    assert.equal(listed.json.visitorsSee, 'online');
    assert.equal(listed.json.agents.length, 1);
    // The CLI reads the same presence.
    const cli = await stack.ctlJson(['admin', 'presence']);
    assert.deepEqual(cli.admins.find((a) => a.username === 'admin'), { username: 'admin', state: 'online' });
    assert.equal(cli.visitorsSee, 'online');
    // Away by hand: visitors see away.
    assert.equal((await beat(socket2, admin, 'away')).json.state, 'away');
    assert.deepEqual((await nextPresence(onFirst)).data, { state: 'away' });
    assert.deepEqual((await nextPresence(onSecond)).data, { state: 'away' });
    // Online again, then offline by hand: pushed at once, no TTL wait.
    await beat(socket1, admin, 'online');
    assert.deepEqual((await nextPresence(onSecond)).data, { state: 'online' });
    const offAt = Date.now();
    assert.equal((await beat(socket1, admin, 'offline')).json.state, 'offline');
    assert.deepEqual((await nextPresence(onSecond)).data, { state: 'away' });
    assert.ok(Date.now() - offAt < TTL_S * 1000, 'offline by hand does not wait for the TTL');
    const after = await adminCall(stack.chatUrl, 'GET', 'presence', undefined, { who: admin });
    assert.equal(after.json.state, 'offline');
    assert.deepEqual(after.json.agents, []);
    const cliAfter = await stack.ctlJson(['admin', 'presence']);
    assert.equal(cliAfter.admins.find((a) => a.username === 'admin').state, 'offline');
    assert.equal(cliAfter.visitorsSee, 'away');
  } finally {
    onFirst.close();
    onSecond.close();
  }
});

test('an idle agent (the panel says how long since the last input) shows away', async () => {
  const admin = await adminLogin(stack.chatUrl, 'admin', stack.adminPassword);
  const r = await beat(socket1, admin, 'online', 301000);
  assert.equal(r.status, 200);
  assert.equal(r.json.state, 'away');
  const stream = await guestStream(socket2);
  try {
    assert.deepEqual((await nextPresence(stream)).data, { state: 'away' });
  } finally {
    stream.close();
    await beat(socket1, admin, 'offline');
  }
});

test('presence expires when the panel stops refreshing, and when its worker is killed', async () => {
  const admin = await adminLogin(stack.chatUrl, 'admin', stack.adminPassword);
  const stream = await guestStream(socket1);
  try {
    assert.deepEqual((await nextPresence(stream)).data, { state: 'away' });
    // A closed tab: one beat, then nothing.
    await beat(socket1, admin, 'online');
    assert.deepEqual((await nextPresence(stream)).data, { state: 'online' });
    const t0 = Date.now();
    assert.deepEqual((await nextPresence(stream, TTL_S * 1000 + 3000)).data, { state: 'away' });
    const took = Date.now() - t0;
    assert.ok(took >= (TTL_S - 1) * 1000, `away only once the TTL passed (${took} ms)`);
    // The beat went through the second worker, which is then SIGKILLed: still gone by the TTL.
    assert.equal((await beat(socket2, admin, 'online')).status, 200);
    assert.deepEqual((await nextPresence(stream)).data, { state: 'online' });
    second.kill('SIGKILL');
    await new Promise((resolve) => second.once('exit', resolve));
    assert.deepEqual((await nextPresence(stream, TTL_S * 1000 + 3000)).data, { state: 'away' });
  } finally {
    stream.close();
  }
});

test('bad presence input is refused with a clear error and changes nothing; CSRF is required', async () => {
  const admin = await adminLogin(stack.chatUrl, 'admin', stack.adminPassword);
  for (const body of [{ state: 'busy' }, { state: 'online', idleMs: -1 }, { state: 'online', idleMs: 1.5 }, {}, { state: 3 }]) {
    const r = await adminCall(stack.chatUrl, 'POST', 'presence', body, { who: admin });
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.ok(r.json.error && r.json.message, r.text);
  }
  const noCsrf = await adminCall(stack.chatUrl, 'POST', 'presence', { state: 'online' }, { who: admin, csrf: false });
  assert.equal(noCsrf.status, 403);
  const anonymous = await adminCall(stack.chatUrl, 'GET', 'presence');
  assert.equal(anonymous.status, 401);
  const now = await adminCall(stack.chatUrl, 'GET', 'presence', undefined, { who: admin });
  assert.equal(now.json.state, 'offline');
});
