// Event streams are bounded, through the real stack: per guest (the worker answers 429
// too_many_streams), per client address (nginx's limit_conn answers 429), in all (the worker answers
// 503 stream_capacity, admin panel streams included) and the worker's open-files limit is raised to
// the hard limit. Meanwhile another visitor, from another address, keeps chatting live.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { startStack, BUILD } from '../lib/stack.mjs';
import { sseReader } from '../lib/sse.mjs';
import { sleep, waitFor } from '../lib/wait.mjs';
import { edgeRequest } from '../lib/edge.mjs';
import { httpCall, workerRequest } from '../lib/worker.mjs';
import { newGuest, guestHistory } from '../lib/guest.mjs';
import { adminLogin } from '../lib/admin.mjs';

// Small enough to reach with a few dozen streams instead of thousands of descriptors.
const MAX_STREAMS = 48;
const PER_GUEST = 8;  // events.max_streams_per_guest's default

let stack;
let visitor;  // the other visitor: {guest, stream, conversationId}
before(async () => {
  stack = await startStack({ env: { EDGECHAT_EVENTS_MAX_STREAMS: String(MAX_STREAMS) } });
  visitor = { guest: await newGuest(stack) };
  assert.equal((await send(visitor.guest.token, 'hello', 'v-0')).status, 201);
  visitor.stream = await openStream(visitor.guest.token, '127.0.0.2');
  assert.equal(visitor.stream.status, 200);
  visitor.conversationId = (await guestHistory(stack, visitor.guest.token)).conversationId;
});
after(async () => {
  visitor?.stream?.close?.();
  await stack?.stop();
});

const socket = () => join(stack.varDir, 'run', 'worker.sock');
const auth = (token) => ({ 'Site-Key': stack.siteKey, Authorization: `Bearer ${token}` });

/** A guest message through the edge from the visitor's address. */
function send(token, text, clientId) {
  return edgeRequest(stack, 'POST', '/api/v1/external/messages',
    { from: '127.0.0.2', headers: { Authorization: `Bearer ${token}` }, body: { text, clientId } });
}

/**
 * GET events through the edge from `localAddress` (as a fetch-reading widget would). Resolves to
 * {status, headers, text} when refused, or {status: 200, next, close} for an open stream.
 */
function openStream(token, localAddress, path = '/api/v1/external/events', headers = auth(token)) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: stack.port, localAddress, path, headers, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => { text += chunk; });
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
        return;
      }
      const reader = sseReader(res, () => req.destroy());
      resolve({ status: 200, headers: res.headers, ...reader });
    });
    req.on('error', reject);
    req.end();
  });
}

const closeAll = (streams) => { for (const s of streams) if (s.status === 200) s.close(); };

// The visitor next door: a message it sends and an agent's reply both arrive on its live stream.
let round = 0;
async function visitorChats() {
  round += 1;
  const sent = await send(visitor.guest.token, `still here ${round}`, `v-${round}`);
  assert.equal(sent.status, 201, sent.text);
  assert.equal((await visitor.stream.next(5000)).data.text, `still here ${round}`);
  const reply = await stack.ctlJson(['conversations', 'reply', String(visitor.conversationId), '--text', `answer ${round}`]);
  assert.equal(reply.created, true);
  assert.equal((await visitor.stream.next(5000)).data.text, `answer ${round}`);
}

/** Opens until `open` answers 200 (a closed stream's place is freed when the worker notices). */
async function openOnceFreed(open) {
  const deadline = Date.now() + 10000;
  for (;;) {
    const stream = await open();
    if (stream.status === 200) return stream;
    if (Date.now() > deadline) throw new Error(`still refused: ${stream.status} ${stream.text}`);
    await sleep(100);
  }
}

test('one guest: streams beyond events.max_streams_per_guest get 429 too_many_streams', async () => {
  const guest = await newGuest(stack);
  const open = [];
  try {
    for (let i = 0; i < PER_GUEST; i++) open.push(await openStream(guest.token, '127.0.0.3'));
    assert.deepEqual(open.map((s) => s.status), Array(PER_GUEST).fill(200));
    // A flood of more, all at once (under the edge's per-address limit): every one refused by the
    // worker, none accepted past the cap.
    const flood = await Promise.all(Array.from({ length: 20 }, () => openStream(guest.token, '127.0.0.3')));
    open.push(...flood);
    for (const refused of flood) {
      assert.equal(refused.status, 429);
      assert.equal(JSON.parse(refused.text).error, 'too_many_streams');
      assert.ok(Number(refused.headers['retry-after']) > 0, 'Retry-After');
    }
    await visitorChats();
    // A closed stream frees its place.
    open[0].close();
    open.push(await openOnceFreed(() => openStream(guest.token, '127.0.0.3')));
    assert.equal((await openStream(guest.token, '127.0.0.3')).status, 429, 'full again');
  } finally {
    closeAll(open);
  }
});

test('one address: streams of many guests beyond the edge\'s limit_conn get 429 from nginx', async () => {
  const conf = await readFile(join(stack.varDir, 'nginx', 'conf', 'nginx.conf'), 'utf8');
  const perAddress = Number(/limit_conn edgechat_streams (\d+);/.exec(conf)[1]);
  assert.ok(perAddress < MAX_STREAMS - PER_GUEST, 'the edge limit is reached before the worker\'s');
  const guests = [];
  for (let i = 0; i < perAddress + 10; i++) guests.push(await newGuest(stack));
  // From the demo page's origin, as the widget's frame on an allowed site would ask.
  const fromPage = (g) => ({ ...auth(g.token), Origin: stack.demoUrl });
  const streams = await Promise.all(guests.map((g) =>
    openStream(g.token, '127.0.0.4', '/api/v1/external/events', fromPage(g))));
  try {
    const accepted = streams.filter((s) => s.status === 200);
    const refused = streams.filter((s) => s.status !== 200);
    assert.equal(accepted.length, perAddress);
    assert.equal(refused.length, 10);
    for (const r of refused) {
      assert.equal(r.status, 429);
      assert.doesNotMatch(r.text, /too_many_streams|stream_capacity/, 'refused by nginx, not the worker');
      // Readable by the widget: the edge's CORS grant is on nginx's own error page too.
      assert.equal(r.headers['access-control-allow-origin'], stack.demoUrl);
      assert.match(r.headers.vary, /Origin/);
    }
    const log = await readFile(join(stack.varDir, 'nginx', 'logs', 'error.log'), 'utf8');
    assert.match(log, /limiting connections by zone "edgechat_streams"/);
    await visitorChats();
    // The limit is the address's: the same guests from another address are served.
    const elsewhere = await openStream(guests.at(-1).token, '127.0.0.5');
    assert.equal(elsewhere.status, 200);
    elsewhere.close();
    // Other requests from the limited address are not counted.
    const history = await httpCall({ host: '127.0.0.1', port: stack.port, localAddress: '127.0.0.4', agent: false,
      path: '/api/v1/external/messages', headers: auth(guests[0].token) });
    assert.equal(history.status, 200);
  } finally {
    closeAll(streams);
  }
});

test('in all: beyond events.max_streams the worker answers 503 stream_capacity, admin streams included', async () => {
  const streams = [];
  try {
    // The visitor holds one; fill the rest from two addresses (each under the edge's limit).
    await waitFor('the earlier tests\' streams to close', async () => {
      const metrics = await workerRequest(socket(), 'GET', '/metrics');
      return Number(/^edgechat_sse_open_streams (\d+)/m.exec(metrics.text)[1]) === 1;
    }, { timeoutMs: 10000 });
    for (let i = 1; i < MAX_STREAMS; i++) {
      const s = await openStream((await newGuest(stack)).token, i % 2 ? '127.0.0.6' : '127.0.0.7');
      streams.push(s);
      assert.equal(s.status, 200, s.text);
    }
    const full = await openStream((await newGuest(stack)).token, '127.0.0.8');
    streams.push(full);
    assert.equal(full.status, 503);
    assert.equal(JSON.parse(full.text).error, 'stream_capacity');
    assert.ok(Number(full.headers['retry-after']) > 0, 'Retry-After');
    const metrics = await workerRequest(socket(), 'GET', '/metrics');
    assert.equal(Number(/^edgechat_sse_refused_total (\d+)/m.exec(metrics.text)[1]), 1);
    const admin = await adminLogin(stack.chatUrl, 'admin', stack.adminPassword);
    const panel = await openStream(null, '127.0.0.1', '/api/v1/admin/events', { Cookie: admin.cookie });
    streams.push(panel);
    assert.equal(panel.status, 503, 'the panel\'s stream counts against the same total');
    assert.equal(JSON.parse(panel.text).error, 'stream_capacity');
    // Requests that are not streams are still served, and the open streams stay live.
    await visitorChats();
    streams[0].close();
    streams.push(await openOnceFreed(() => openStream(null, '127.0.0.1', '/api/v1/admin/events', { Cookie: admin.cookie })));
  } finally {
    closeAll(streams);
  }
});

test('the worker raises its open-files limit to the hard limit and logs it', async () => {
  const socket2 = join(stack.varDir, 'run', 'worker-nofile.sock');
  // A worker started with a low soft limit, as a service manager may start it.
  const second = spawn('bash', ['-c', 'ulimit -S -n 256 && exec "$0" --config "$1"',
    join(BUILD, 'edgechat-worker'), join(stack.varDir, 'edgechat.conf')], {
    env: { ...stack.env, EDGECHAT_WORKER_LISTEN: `unix:${socket2}`, EDGECHAT_EVENTS_MAX_STREAMS: 'auto' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  second.stderr.setEncoding('utf8');
  second.stderr.on('data', (chunk) => { log += chunk; });
  try {
    const deadline = Date.now() + 15000;
    while (!/event streams: at most/.test(log)) {
      if (Date.now() > deadline) throw new Error(`no start-up line from the worker: ${log}`);
      await sleep(50);
    }
    const limits = await readFile(`/proc/${second.pid}/limits`, 'utf8');
    const [, soft, hard] = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limits);
    assert.equal(soft, hard, 'soft raised to hard');
    assert.match(log, new RegExp(`open files: ${hard} \\(soft, was 256\\), hard ${hard}`));
    // The total cap follows from the raised limit (less a reserve of an eighth, 64 to 2048).
    const files = hard === 'unlimited' ? 1000000 : Number(hard);
    const expected = files - Math.min(2048, Math.max(64, Math.floor(files / 8)));
    assert.match(log, new RegExp(`event streams: at most ${expected} in all, ${PER_GUEST} per guest`));
  } finally {
    second.kill('SIGTERM');
    await new Promise((resolve) => second.once('exit', resolve));
  }
});
