// The edge's limits against the real stack (nginx with the module, the worker, MariaDB, Redis):
// one reading of the guest token at the edge and the worker, and the per-guest limit held from
// many client addresses (loopback has all of 127.0.0.0/8, so each address is another client IP).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startStack, run } from '../lib/stack.mjs';
import { workerRequest } from '../lib/worker.mjs';
import { newGuest, postWorkerMessage, guestHistory } from '../lib/guest.mjs';
import { sleep } from '../lib/wait.mjs';
import { edgeRequest } from '../lib/edge.mjs';
import { updateSitesSql } from '../lib/sites.mjs';

let stack;
before(async () => {
  stack = await startStack();
  // Three messages at once per client IP and per guest, then one every 30 minutes.
  await updateSitesSql(stack, 'rate_limit_messages = 2, rate_limit_window_s = 3600, ' +
    "rate_limit_burst = 2, rate_limit_message = 'Slow down.'");
});
after(async () => { await stack?.stop(); });

/** One request to /api/v1/external/`path` through the edge (see edgeRequest). */
const edge = (method, path, options) => edgeRequest(stack, method, `/api/v1/external/${path}`, options);

const messageCount = async (guestId) => Number((await stack.sql(
  `SELECT COUNT(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id
   JOIN guests g ON g.id = c.guest_id WHERE g.public_id = '${guestId}'`)).stdout.trim());

test('every spelling the worker accepts is limited as its guest; odd spellings get 401', async () => {
  const { guestId, token } = await newGuest(stack);
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

// The route limits at their defaults (conf/nginx/edgechat-dev.conf.in writes them out):
// reactions 60r/m burst=30, stream tickets 20r/m burst=10, history reads 120r/m burst=60.
const bearer = (token) => ({ Authorization: `Bearer ${token}` });

/** A guest with an agent's reply to react to (both made behind the edge). */
async function guestWithReply() {
  const guest = await newGuest(stack);
  await postWorkerMessage(stack, guest.token, 'hello', 'reply-me');
  const history = await guestHistory(stack, guest.token);
  const reply = await stack.ctlJson(['conversations', 'reply', String(history.conversationId),
    '--text', 'How can I help?', '--as', 'admin']);
  return { ...guest, replyId: reply.message.id };
}

const routes = {
  reaction: {
    capacity: 31, emissionMs: 1000,
    call: (guest, from, i) => edge('PUT', `messages/${guest.replyId}/reaction`, {
      from, headers: bearer(guest.token), body: { value: i % 2 ? 'dislike' : 'like' },
    }),
    ok: 200,
  },
  ticket: {
    capacity: 11, emissionMs: 3000,
    call: (guest, from) => edge('POST', 'events/ticket', { from, headers: bearer(guest.token), body: {} }),
    ok: 201,
  },
  history: {
    capacity: 61, emissionMs: 500,
    call: (guest, from) => edge('GET', 'messages', { from, headers: bearer(guest.token) }),
    ok: 200,
  },
};

/** Sends `count` requests as fast as they are answered; resolves to the statuses and 429s. */
async function flood(route, guest, from, count) {
  const started = Date.now();
  const statuses = [];
  let limited;
  for (let i = 0; i < count; i++) {
    const res = await route.call(guest, from, i);
    statuses.push(res.status);
    if (res.status === 429) limited ??= res;
  }
  return { statuses, limited, refills: Math.ceil((Date.now() - started) / route.emissionMs) + 1 };
}

function assertLimited(name, route, { statuses, limited, refills }, slack = 0) {
  const allowed = statuses.filter((status) => status !== 429);
  assert.ok(allowed.every((status) => status === route.ok), `${name}: ${statuses}`);
  assert.ok(allowed.length >= route.capacity - slack, `${name}: only ${allowed.length} allowed: ${statuses}`);
  assert.ok(allowed.length <= route.capacity + refills + slack, `${name}: ${allowed.length} allowed: ${statuses}`);
  assert.equal(statuses.at(-1), 429, `${name}: ${statuses}`);
  // The shape of the message limit's refusal: Retry-After and the site's own text.
  assert.equal(limited.json.error, 'rate_limited');
  assert.equal(limited.json.message, 'Slow down.');
  assert.ok(Number(limited.headers['retry-after']) >= 1);
}

for (const name of ['reaction', 'ticket']) {
  test(`${name}s: one guest's flood gets 429 after the burst, per guest and per address; others go on`, async () => {
    const route = routes[name];
    const [a, b, c] = [await guestWithReply(), await guestWithReply(), await guestWithReply()];
    const net = name === 'reaction' ? '127.0.5' : '127.0.6';
    const result = await flood(route, a, `${net}.1`, route.capacity + 10);
    // Under 32 requests at once a key is charged one request at a time: exact.
    assert.deepEqual(result.statuses.slice(0, route.capacity), Array(route.capacity).fill(route.ok));
    assertLimited(name, route, result);

    assert.equal((await route.call(b, `${net}.2`, 0)).status, route.ok, 'another guest elsewhere is unaffected');
    assert.equal((await route.call(a, `${net}.3`, 0)).status, 429, 'the guest is limited from any address');
    assert.equal((await route.call(c, `${net}.1`, 0)).status, 429, 'the address is limited for any guest');
  });
}

test('history reads: one guest\'s flood gets 429 after the burst; another guest is unaffected', async () => {
  const route = routes.history;
  const [a, b] = [await guestWithReply(), await guestWithReply()];
  const result = await flood(route, a, '127.0.7.1', route.capacity + 30);
  // Capacity 61 leases up to 3 credits a worker (docs/nginx-module.md): within 2 x 3/2 x 3.
  assertLimited('history', route, result, 9);
  const other = await route.call(b, '127.0.7.2', 0);
  assert.equal(other.status, 200, 'another guest elsewhere is unaffected');
  assert.equal(other.json.messages.length, 2);
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

  const { token } = await newGuest(stack);
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
