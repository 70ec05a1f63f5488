// The edge's limits against the real stack (nginx with the module, the worker, MariaDB, Redis):
// one reading of the guest token at the edge and the worker, and the per-guest limit held from
// many client addresses (loopback has all of 127.0.0.0/8, so each address is another client IP).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startStack, run } from '../lib/stack.mjs';
import { httpCall, workerRequest } from '../lib/worker.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let stack;
before(async () => {
  stack = await startStack();
  // Three messages at once per client IP and per guest, then one every 30 minutes.
  await stack.sql('UPDATE sites SET rate_limit_messages = 2, rate_limit_window_s = 3600, ' +
    "rate_limit_burst = 2, rate_limit_message = 'Slow down.'; " +
    'UPDATE registry_state SET revision = revision + 1 WHERE id = 1');
  await sleep(2500);
});
after(async () => { await stack?.stop(); });

/** One request through the edge from a chosen loopback address; resolves to {status, headers, json}. */
function edge(method, path, { from = '127.0.0.1', headers = {}, body } = {}) {
  const url = new URL(`${stack.chatUrl}/api/v1/external/${path}`);
  return httpCall({
    host: url.hostname, port: url.port, path: url.pathname + url.search, method, localAddress: from, agent: false,
    headers: { 'Site-Key': stack.siteKey, ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
  }, body);
}

// Guests come from the worker's socket: the edge limits guest creation per address.
async function newGuest() {
  const res = await workerRequest(join(stack.varDir, 'run', 'worker.sock'), 'POST',
    '/api/v1/external/guests', { headers: { 'Site-Key': stack.siteKey } });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

const messageCount = async (guestId) => Number((await stack.sql(
  `SELECT COUNT(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id
   JOIN guests g ON g.id = c.guest_id WHERE g.public_id = '${guestId}'`)).stdout.trim());

test('every spelling the worker accepts is limited as its guest; odd spellings get 401', async () => {
  const { guestId, token } = await newGuest();
  // Each from a new address: only the per-guest limit can refuse them.
  const accepted = [`Bearer ${token}`, `bearer ${token}`, `BEARER  ${token}`, `Bearer   ${token}`];
  const statuses = [];
  for (const [i, authorization] of accepted.entries()) {
    const res = await edge('POST', 'messages', {
      from: `127.0.1.${i + 1}`, headers: { Authorization: authorization },
      body: { text: `spelling ${i}`, clientId: `spelling-${i}` },
    });
    statuses.push(res.status);
    if (res.status === 429) {
      assert.equal(res.json.error, 'rate_limited');
      assert.ok(Number(res.headers['retry-after']) >= 1);
    }
  }
  assert.deepEqual(statuses, [201, 201, 201, 429]);

  const odd = [`Bearer\t${token}`, `Bearer ${token} x`, `Bearer ${token}=`, `Bearer ${token}${token}`,
    `Basic ${token}`, `Bearer${token}`, `Bearer ${token.slice(1)}`];
  for (const [i, authorization] of odd.entries()) {
    const res = await edge('POST', 'messages', {
      from: `127.0.2.${i + 1}`, headers: { Authorization: authorization },
      body: { text: 'odd', clientId: `odd-${i}` },
    });
    assert.equal(res.status, 401, JSON.stringify(authorization));
    assert.equal(res.json.error, 'invalid_token');
    assert.match(res.json.message, /Authorization: Bearer/);
  }
  assert.equal(await messageCount(guestId), 3, 'only the three allowed messages were stored');

  // The worker reads the header with the same grammar: what the edge refuses, it refuses too.
  for (const authorization of odd) {
    const res = await workerRequest(join(stack.varDir, 'run', 'worker.sock'), 'GET',
      '/api/v1/external/messages', { headers: { 'Site-Key': stack.siteKey, Authorization: authorization } });
    assert.equal(res.status, 401, JSON.stringify(authorization));
    assert.equal(res.json.error, 'invalid_token');
  }
});

// Last: it stops Redis and shrinks the fallback zone.
test('Redis down: a flood of random guest tokens cannot reset a real guest in the fallback zone', async () => {
  // The smallest zone (32k, a few hundred keys), so the flood could fill it many times over.
  const confPath = join(stack.varDir, 'nginx', 'conf', 'nginx.conf');
  const conf = await readFile(confPath, 'utf8');
  await writeFile(confPath, conf.replace(/edgechat_limit_zone [^;]+;/, 'edgechat_limit_zone 32k;'));
  const reload = await run('/usr/sbin/nginx', ['-p', join(stack.varDir, 'nginx'), '-c', 'conf/nginx.conf',
    '-e', join(stack.varDir, 'nginx', 'logs', 'error.log'), '-s', 'reload']);
  assert.equal(reload.code, 0, reload.stderr);
  await sleep(1500);
  await stack.killRecorded('redis', 'SIGKILL');
  await sleep(300);

  const { token } = await newGuest();
  const send = (from, authorization, i) => edge('POST', 'messages', {
    from, headers: { Authorization: authorization }, body: { text: 'flood', clientId: `f-${i}` },
  });
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push((await send('127.0.3.1', `Bearer ${token}`, i)).status);
  assert.notEqual(statuses[2], 429, `the guest's burst: ${statuses}`);
  assert.equal(statuses[3], 429, `the guest is spent: ${statuses}`);

  let floodLimited = 0;
  for (let i = 0; i < 800; i++) {
    const res = await send('127.0.3.2', `Bearer ${randomBytes(32).toString('base64url')}`, i);
    if (res.status === 429) floodLimited++;
  }
  assert.ok(floodLimited >= 790, `${floodLimited} of 800 flood requests limited`);

  // From a fresh address only the guest's own key can refuse it: it must still be spent.
  const after = await send('127.0.3.3', `Bearer ${token}`, 99);
  assert.equal(after.status, 429, 'the flood did not reset the guest');
  assert.equal(after.json.error, 'rate_limited');
  const status = JSON.parse((await edge('GET', '../../../edgechat/status')).text);
  assert.ok(status.counters.limitChecksLocal >= 800, 'the fallback zone decided');
});
