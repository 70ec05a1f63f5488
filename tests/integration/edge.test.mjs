// The edge against real nginx (Debian's binary with our module, configured by the dev template
// conf/nginx/edgechat-dev.conf.in) and a real Redis. The worker is replaced by a recording stub on
// the worker's unix socket, and the registry is written into Redis the way the worker publishes
// it, so these tests need neither MariaDB nor the worker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, readdir, writeFile, rm, symlink, access } from 'node:fs/promises';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, BUILD, run, freePort } from '../lib/stack.mjs';
import { sleep } from '../lib/wait.mjs';

const MODULE = join(BUILD, 'ngx_http_edgechat_module.so');

const SITE = 'ek_EdgeTestSiteKey000000001';
const OTHER = 'ek_EdgeTestSiteKey000000002';
const UNKNOWN = `ek_${'Z'.repeat(24)}`;
const SHOP = 'http://shop.test:5000';
const TOKEN_A = 'a'.repeat(43);

/** One HTTP request with full control over headers (Origin included). */
function request(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function registry(revision, { origins = [SHOP, '*.example.org'], limits = {}, locked = false } = {}) {
  return {
    revision,
    sites: [
      {
        key: SITE, name: 'shop', title: 'Chat with us', primaryColor: '#2563eb', locked,
        lockedMessage: locked ? 'We are closed today.' : '', locale: null, main: false, origins,
        limits: { messages: 100, windowSeconds: 60, burst: 50, message: 'Easy there!', ...limits },
      },
      {
        key: OTHER, name: 'other', title: 'Other', primaryColor: '#000000', locked: false,
        lockedMessage: '', locale: 'fa', main: false, origins: ['https://other.test'],
        limits: { messages: 20, windowSeconds: 60, burst: 5, message: 'Other limit' },
      },
    ],
  };
}

class Redis {
  constructor(dir) {
    this.dir = dir;
    this.socket = join(dir, 'redis.sock');
  }

  async start() {
    await mkdir(join(this.dir, 'data'), { recursive: true });
    const conf = [
      'port 0', `unixsocket ${this.socket}`, 'unixsocketperm 700', 'daemonize yes',
      `pidfile ${join(this.dir, 'redis.pid')}`, `dir ${join(this.dir, 'data')}`,
      `logfile ${join(this.dir, 'redis.log')}`, 'save ""', 'appendonly no',
    ].join('\n');
    await writeFile(join(this.dir, 'redis.conf'), `${conf}\n`);
    const started = await run('redis-server', [join(this.dir, 'redis.conf')]);
    assert.equal(started.code, 0, started.stderr);
    for (let i = 0; i < 100; i++) {
      if ((await this.cli('PING')).stdout.trim() === 'PONG') return;
      await sleep(50);
    }
    throw new Error('Redis did not start');
  }

  async stop() {
    const pid = Number((await readFile(join(this.dir, 'redis.pid'), 'utf8').catch(() => '')).trim());
    if (!pid) return;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      return;
    }
    for (let i = 0; i < 100; i++) {
      try {
        process.kill(pid, 0);
      } catch {
        break;
      }
      await sleep(20);
    }
    await rm(join(this.dir, 'redis.pid'), { force: true });
    await rm(this.socket, { force: true });
  }

  cli(...args) {
    return run('redis-cli', ['-s', this.socket, ...args]);
  }

  async publish(document) {
    await this.cli('SET', 'edgechat:registry', JSON.stringify(document));
    await this.cli('SET', 'edgechat:registry:rev', String(document.revision));
  }
}

class Nginx {
  constructor(varDir, port, redisSocket) {
    this.var = varDir;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.redisSocket = redisSocket;
  }

  args(...extra) {
    return ['-p', join(this.var, 'nginx'), '-c', 'conf/nginx.conf', '-e', join(this.var, 'nginx', 'logs', 'error.log'), ...extra];
  }

  async render(demoPort, patch = (conf) => conf) {
    for (const dir of ['run', 'nginx/conf', 'nginx/logs', 'nginx/tmp', 'demo']) {
      await mkdir(join(this.var, dir), { recursive: true });
    }
    await symlink(this.redisSocket, join(this.var, 'run', 'redis.sock'));
    const template = await readFile(join(ROOT, 'conf', 'nginx', 'edgechat-dev.conf.in'), 'utf8');
    const conf = template
      .replaceAll('@VAR@', this.var).replaceAll('@ROOT@', ROOT).replaceAll('@MODULE@', MODULE)
      .replaceAll('@PORT@', String(this.port)).replaceAll('@DEMO_PORT@', String(demoPort))
      .replaceAll('@PUBLIC_URL@', this.url).replaceAll('@DEMO_LISTEN_V6@', '') // IPv4 is enough here
      .replaceAll('@REDIS_AUTH@', '') // Redis without a password
      .replaceAll('@BUILD@', BUILD);
    await writeFile(join(this.var, 'nginx', 'conf', 'nginx.conf'), patch(conf));
    await writeFile(join(this.var, 'demo', 'index.html'), '<!doctype html><title>demo</title>\n');
  }

  async start() {
    const result = await run('/usr/sbin/nginx', this.args());
    assert.equal(result.code, 0, result.stderr);
    for (let i = 0; i < 100; i++) {
      try {
        await request(`${this.url}/widget.js`);
        return;
      } catch {
        await sleep(50);
      }
    }
    throw new Error('nginx did not start');
  }

  async stop() {
    await run('/usr/sbin/nginx', this.args('-s', 'quit'));
    const pidFile = join(this.var, 'run', 'nginx.pid');
    for (let i = 0; i < 100; i++) {
      try {
        await access(pidFile);
      } catch {
        return;
      }
      await sleep(50);
    }
  }

  errorLog() {
    return readFile(join(this.var, 'nginx', 'logs', 'error.log'), 'utf8');
  }

  api(path, { key = SITE, origin, method = 'GET', headers = {}, body } = {}) {
    const all = { ...headers };
    if (key) all['Site-Key'] = key;
    if (origin) all.Origin = origin;
    if (body !== undefined) all['Content-Type'] ??= 'application/json';
    return request(`${this.url}/api/v1/external/${path}`, { method, headers: all, body });
  }
}

/** Stands in for the worker on its unix socket and records what the edge passes on. */
class FakeWorker {
  constructor(socket) {
    this.socket = socket;
    this.requests = [];
  }

  start() {
    this.server = createHttpServer((req, res) => {
      const chunks = [];
      req.on('data', (chunk) => chunks.push(chunk));
      req.on('end', () => {
        this.requests.push({ method: req.method, url: req.url, headers: req.headers });
        res.writeHead(200, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' });
        res.end(JSON.stringify({ ok: true, siteKey: req.headers['x-edgechat-site-key'] ?? null }));
      });
    });
    return new Promise((resolve) => this.server.listen(this.socket, resolve));
  }

  stop() {
    return new Promise((resolve) => this.server.close(resolve));
  }
}

let base;
let redis;
let edge;
let edge2;
let worker;

before(async () => {
  await access(MODULE).catch(() => {
    throw new Error(`${MODULE} is missing: build the ngx_http_edgechat_module target first`);
  });
  base = await mkdtemp(join(tmpdir(), 'ece-'));
  redis = new Redis(join(base, 'redis'));
  await mkdir(redis.dir, { recursive: true });
  await redis.start();
  await redis.publish(registry(1));

  edge = new Nginx(join(base, 'a'), await freePort(), redis.socket);
  await edge.render(await freePort());
  worker = new FakeWorker(join(edge.var, 'run', 'worker.sock'));
  await worker.start();
  await edge.start();

  // A second nginx host sharing the same Redis (and worker).
  edge2 = new Nginx(join(base, 'b'), await freePort(), redis.socket);
  await edge2.render(await freePort());
  await symlink(worker.socket, join(edge2.var, 'run', 'worker.sock'));
  await edge2.start();

  // Both hosts learn the registry within a poll interval.
  for (const host of [edge, edge2]) {
    for (let i = 0; i < 60; i++) {
      if ((await host.api('config')).status === 200) break;
      await sleep(100);
    }
  }
});

after(async () => {
  await edge?.stop();
  await edge2?.stop();
  await worker?.stop();
  await redis?.stop();
  if (base && !process.env.EDGECHAT_KEEP_VAR) await rm(base, { recursive: true, force: true });
});

test('config is answered at the edge from the registry', async () => {
  const before = worker.requests.length;
  const res = await edge.api('config');
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'], /^application\/json/);
  assert.equal(res.headers.vary, 'Origin');
  assert.deepEqual(res.json, {
    title: 'Chat with us', primaryColor: '#2563eb', locked: false, lockedMessage: '', locale: null,
    limits: { maxMessageLength: 2000, messages: 100, windowSeconds: 60, burst: 50, message: 'Easy there!' },
  });
  assert.equal(worker.requests.length, before, 'config never reaches the worker');
});

test('missing and unknown site keys get 401 JSON without reaching the worker', async () => {
  const before = worker.requests.length;
  const missing = await edge.api('messages', { key: null });
  assert.equal(missing.status, 401);
  assert.equal(missing.json.error, 'missing_site_key');
  assert.equal(typeof missing.json.message, 'string');
  for (const key of [UNKNOWN, 'not-a-key', `${SITE}x`]) {
    const unknown = await edge.api('messages', { key });
    assert.equal(unknown.status, 401, key);
    assert.equal(unknown.json.error, 'unknown_site_key');
  }
  assert.equal(worker.requests.length, before);
});

test('CORS: the chat origin and whitelisted origins are granted, with Vary: Origin', async () => {
  for (const origin of [edge.url, SHOP, 'https://a.example.org', 'https://x.y.example.org']) {
    const res = await edge.api('config', { origin });
    assert.equal(res.status, 200, origin);
    assert.equal(res.headers['access-control-allow-origin'], origin);
    assert.equal(res.headers.vary, 'Origin');
  }
});

test('CORS: other origins get 403 without a grant and never reach the worker', async () => {
  const before = worker.requests.length;
  const denied = [
    'null', 'http://evil.test', 'https://shop.test:5000', 'http://shop.test:5001', 'http://shop.test',
    'http://shop.test:5000.evil.test', 'http://evilshop.test:5000', 'https://example.org',
    'https://evilexample.org', 'https://example.org.evil.test', 'http://a.example.org',
    'http://SHOP.test:5000/', 'http://user@shop.test:5000', 'https://other.test',
  ];
  for (const origin of denied) {
    const res = await edge.api('messages', { origin });
    assert.equal(res.status, 403, origin);
    assert.equal(res.json.error, 'origin_not_allowed');
    assert.equal(res.headers['access-control-allow-origin'], undefined, origin);
    assert.equal(res.headers.vary, 'Origin');
  }
  assert.equal(worker.requests.length, before);
});

test('CORS headers are on 401 for allowed origins too, and never * from upstream', async () => {
  const res = await edge.api('messages', { key: UNKNOWN, origin: SHOP });
  assert.equal(res.status, 401);
  assert.equal(res.headers['access-control-allow-origin'], SHOP);
  const passed = await edge.api('messages', { origin: SHOP });
  assert.equal(passed.status, 200);
  assert.equal(passed.headers['access-control-allow-origin'], SHOP, 'the stub sends *; the edge replaces it');
});

test('preflights are answered at the edge from the Origin alone', async () => {
  const before = worker.requests.length;
  for (const path of ['config', 'guests', 'messages', 'messages/42/reaction', 'events']) {
    const res = await request(`${edge.url}/api/v1/external/${path}`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://other.test', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'site-key,content-type' },
    });
    assert.equal(res.status, 204, path);
    assert.equal(res.headers['access-control-allow-origin'], 'https://other.test');
    assert.equal(res.headers['access-control-max-age'], '7200');
    assert.match(res.headers['access-control-allow-headers'], /Site-Key/);
    assert.equal(res.headers.vary, 'Origin');
  }
  const denied = await request(`${edge.url}/api/v1/external/messages`, {
    method: 'OPTIONS', headers: { Origin: 'null', 'Access-Control-Request-Method': 'POST' },
  });
  assert.equal(denied.status, 403);
  assert.equal(denied.headers['access-control-allow-origin'], undefined);
  assert.equal(denied.headers.vary, 'Origin');
  assert.equal(worker.requests.length, before);
});

test('the worker receives the validated site key, never a client-sent copy', async () => {
  const res = await edge.api('messages', { headers: { 'X-Edgechat-Site-Key': OTHER } });
  assert.equal(res.status, 200);
  assert.equal(res.json.siteKey, SITE);
  assert.equal(worker.requests.at(-1).headers['x-edgechat-site-key'], SITE);
});

test('request hygiene: routes, methods, content type, body size, repeated headers', async () => {
  const unknown = await edge.api('admin');
  assert.equal(unknown.status, 404);
  const method = await edge.api('config', { method: 'DELETE' });
  assert.equal(method.status, 405);
  assert.equal(method.headers.allow, 'GET, HEAD, OPTIONS');
  const type = await edge.api('guests', { method: 'POST', body: 'x', headers: { 'Content-Type': 'text/plain' } });
  assert.equal(type.status, 415);
  const big = await edge.api('guests', { method: 'POST', body: `{"x":"${'a'.repeat(20000)}"}`, origin: SHOP });
  assert.equal(big.status, 413);
  assert.equal(big.headers['access-control-allow-origin'], SHOP, 'nginx errors stay readable');
  const twice = await request(`${edge.url}/api/v1/external/config`, {
    headers: { 'Site-Key': [SITE, OTHER] },
  });
  assert.equal(twice.status, 400);
});

test('the frame carries frame-ancestors from the whitelist; unknown sites are never framed', async () => {
  const res = await request(`${edge.url}/frame/?site=${SITE}`);
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'], /^text\/html/);
  const csp = res.headers['content-security-policy'];
  assert.match(csp, /frame-ancestors http:\/\/shop\.test:5000 https:\/\/\*\.example\.org(;|$)/);
  for (const directive of ["default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'none'"]) {
    assert.ok(csp.includes(directive), directive);
  }
  assert.match(res.headers.etag, /^"[0-9a-f]+"$/);
  const again = await request(`${edge.url}/frame/?site=${SITE}`, { headers: { 'If-None-Match': res.headers.etag } });
  assert.equal(again.status, 304);
  assert.equal(again.headers['content-security-policy'], csp);
  const other = await request(`${edge.url}/frame/?site=${OTHER}`, { headers: { 'If-None-Match': res.headers.etag } });
  assert.equal(other.status, 200, 'another whitelist, another ETag');
  const unknown = await request(`${edge.url}/frame/?site=${UNKNOWN}`);
  assert.equal(unknown.status, 404);
  assert.match(unknown.headers['content-security-policy'], /frame-ancestors 'none'/);
  const missing = await request(`${edge.url}/frame/`);
  assert.equal(missing.status, 404);
  const script = await request(`${edge.url}/frame/frame.js`);
  assert.equal(script.status, 200);
  assert.equal((await request(`${edge.url}/frame/frame.css`)).status, 200);
  // The document is only ever served with its policy.
  for (const path of ['/frame/index.html', `/frame/index.html?site=${SITE}`, '/frame/x/../index.html']) {
    assert.equal((await request(`${edge.url}${path}`)).status, 404, path);
  }
});

test('a whitelist change is enforced within 2 seconds, without a reload', async () => {
  const origin = 'https://new.test';
  assert.equal((await edge.api('config', { origin })).status, 403);
  const started = Date.now();
  await redis.publish(registry(2, { origins: [SHOP, '*.example.org', origin] }));
  let elapsed = Infinity;
  while (Date.now() - started < 3000) {
    const [a, b] = await Promise.all([edge.api('config', { origin }), edge2.api('config', { origin })]);
    if (a.status === 200 && b.status === 200) {
      elapsed = Date.now() - started;
      break;
    }
    await sleep(50);
  }
  assert.ok(elapsed < 2000, `took ${elapsed} ms`);
  const frame = await request(`${edge.url}/frame/?site=${SITE}`);
  assert.match(frame.headers['content-security-policy'], /https:\/\/new\.test/);

  // And removed again.
  await redis.publish(registry(3));
  const removedAt = Date.now();
  while (Date.now() - removedAt < 3000 && (await edge.api('config', { origin })).status !== 403) await sleep(50);
  assert.equal((await edge.api('config', { origin })).status, 403);
  assert.ok(Date.now() - removedAt < 2000);
});

test('a locked site refuses new messages at the edge', async () => {
  await redis.publish(registry(4, { locked: true }));
  for (let i = 0; i < 40 && !(await edge.api('config')).json?.locked; i++) await sleep(50);
  const config = await edge.api('config');
  assert.equal(config.json.locked, true);
  assert.equal(config.json.lockedMessage, 'We are closed today.');
  const res = await edge.api('messages', { method: 'POST', body: '{"text":"hi","clientId":"c1"}' });
  assert.equal(res.status, 403);
  assert.equal(res.json.error, 'site_locked');
  assert.equal(res.json.message, 'We are closed today.');
  await redis.publish(registry(5));
  for (let i = 0; i < 40 && (await edge.api('config')).json?.locked; i++) await sleep(50);
});

async function setLimits(revision, limits) {
  await redis.publish(registry(revision, { limits }));
  for (const host of [edge, edge2]) {
    for (let i = 0; i < 40; i++) {
      if ((await host.api('config')).json?.limits?.messages === limits.messages) break;
      await sleep(50);
    }
  }
  // Each worker process polls on its own (every 500 ms) and drops its leases and cached denials
  // when it installs the new registry: let every worker catch up.
  await sleep(600);
  const keys = (await redis.cli('--scan', '--pattern', 'edgechat:rl:*')).stdout.split('\n').filter(Boolean);
  if (keys.length) await redis.cli('DEL', ...keys);
}

const post = (host, token, origin) =>
  host.api('messages', {
    method: 'POST', body: '{"text":"hi","clientId":"x"}', origin,
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });

test('429 with Retry-After, the site message and CORS headers', async () => {
  await setLimits(10, { messages: 2, windowSeconds: 60, burst: 1, message: 'Slow down, friend.' });
  const statuses = [];
  let limited;
  for (let i = 0; i < 4; i++) {
    const res = await post(edge, TOKEN_A, SHOP);
    statuses.push(res.status);
    if (res.status === 429) limited = res;
  }
  assert.deepEqual(statuses, [200, 200, 429, 429]);
  assert.equal(limited.json.error, 'rate_limited');
  assert.equal(limited.json.message, 'Slow down, friend.');
  assert.ok(Number(limited.headers['retry-after']) >= 1);
  assert.equal(limited.headers['access-control-allow-origin'], SHOP);
  assert.equal(limited.headers.vary, 'Origin');
  const keys = (await redis.cli('--scan', '--pattern', 'edgechat:rl:*')).stdout;
  assert.ok(!keys.includes(TOKEN_A), 'guest tokens are hashed in Redis');
  // Reading is not limited.
  assert.equal((await edge.api('messages')).status, 200);
});

test('two nginx hosts share one limit through Redis', async () => {
  await setLimits(11, { messages: 3, windowSeconds: 60, burst: 2, message: 'Shared limit' });
  const statuses = [];
  for (let i = 0; i < 6; i++) statuses.push((await post(i % 2 ? edge2 : edge, null)).status);
  assert.deepEqual(statuses, [200, 200, 200, 429, 429, 429]);
});

const evalshaCalls = async () =>
  Number((await redis.cli('INFO', 'commandstats')).stdout.match(/cmdstat_evalsha:calls=(\d+)/)?.[1] ?? 0);

test('two hosts with a large burst lease credits: few Redis calls, overshoot within the bound', async (t) => {
  // Capacity 320 (burst 319 + 1), one more per second: each worker leases min(32, 320 / 16) = 20
  // credits at a time and holds at most 3/2 of that unspent (docs/performance.md).
  const capacity = 320;
  const lease = 20;
  const workers = 4; // two hosts, worker_processes 2 each
  await setLimits(14, { messages: 60, windowSeconds: 60, burst: capacity - 1, message: 'Leased' });
  const callsBefore = await evalshaCalls();
  const started = Date.now();
  let allowed = 0;
  let limited = 0;
  for (let i = 0; i < 480; i++) {
    const { status } = await post(i % 2 ? edge2 : edge, null);
    if (status === 200) allowed++;
    else if (status === 429) limited++;
    else assert.fail(`unexpected status ${status}`);
  }
  const refilled = Math.ceil((Date.now() - started) / 1000) + 1;
  const calls = (await evalshaCalls()) - callsBefore;
  const bound = (workers * lease * 3) / 2;
  t.diagnostic(`allowed ${allowed} of 480 (exact: ${capacity} + up to ${refilled}), ${calls} EVALSHA calls`);
  assert.ok(allowed <= capacity + refilled + bound, `allowed ${allowed} over ${capacity} + ${refilled} + ${bound}`);
  assert.ok(allowed >= capacity - bound, `allowed ${allowed}: leases stranded too many credits`);
  assert.ok(limited > 0);
  assert.ok(calls * 4 < allowed, `${calls} EVALSHA calls for ${allowed} allowed requests`);

  // Once Redis has refused the key, each worker refuses it locally until Retry-After.
  const beforeFlood = await evalshaCalls();
  let floodLimited = 0;
  for (let i = 0; i < 40; i++) if ((await post(i % 2 ? edge2 : edge, null)).status === 429) floodLimited++;
  assert.ok(floodLimited >= 20, `only ${floodLimited} of 40 limited`);
  const floodCalls = (await evalshaCalls()) - beforeFlood;
  t.diagnostic(`flood: ${floodLimited} of 40 limited, ${floodCalls} EVALSHA calls`);
  assert.ok(floodCalls <= workers * 2, `${floodCalls} EVALSHA calls for 40 limited requests`);
  const status = JSON.parse((await request(`${edge.url}/edgechat/status`)).text);
  assert.ok(status.counters.limitChecksCached > 0);
});

test('Redis stalled: limits fall back after the command timeout, no 5xx, then heal', async () => {
  await setLimits(20, { messages: 3, windowSeconds: 60, burst: 2, message: 'Stalled' });
  const pid = Number((await readFile(join(redis.dir, 'redis.pid'), 'utf8')).trim());
  process.kill(pid, 'SIGSTOP');
  try {
    const results = [];
    for (let i = 0; i < 5; i++) {
      const started = Date.now();
      const res = await post(edge2, TOKEN_A);
      results.push({ status: res.status, ms: Date.now() - started });
    }
    assert.deepEqual(results.map((r) => r.status), [200, 200, 200, 429, 429]);
    assert.ok(results.every((r) => r.ms < 1500), JSON.stringify(results));
    assert.equal((await edge2.api('config')).status, 200);
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  // Back on Redis by itself.
  let healed = false;
  for (let i = 0; i < 60 && !healed; i++) {
    await sleep(250);
    const status = JSON.parse((await request(`${edge2.url}/edgechat/status`)).text);
    healed = status.worker.redis === 'connected';
  }
  assert.ok(healed);
});

test('Redis killed: known sites still served, limits per host, no 5xx; restarted: shared again', async () => {
  await setLimits(12, { messages: 3, windowSeconds: 60, burst: 2, message: 'Fallback limit' });
  await redis.stop();
  const statuses = [];
  for (let i = 0; i < 5; i++) statuses.push((await post(edge, null)).status);
  assert.deepEqual(statuses, [200, 200, 200, 429, 429], 'the per-host limiter takes over');
  const config = await edge.api('config', { origin: SHOP });
  assert.equal(config.status, 200);
  assert.equal(config.headers['access-control-allow-origin'], SHOP);
  assert.equal((await edge.api('config', { origin: 'http://evil.test' })).status, 403);

  await redis.start();
  await redis.publish(registry(13, { limits: { messages: 3, windowSeconds: 60, burst: 2, message: 'Back' } }));
  // The edge reconnects by itself (backoff starts at 0.5 s) and the limiter returns to Redis.
  let shared = false;
  for (let i = 0; i < 60 && !shared; i++) {
    await sleep(250);
    await post(edge2, null);
    shared = (await redis.cli('--scan', '--pattern', 'edgechat:rl:*')).stdout.trim() !== '';
  }
  assert.ok(shared, 'limiter keys appear in Redis again');
  const log = await edge.errorLog();
  assert.match(log, /Redis limiter unavailable/);
  assert.equal(log.match(/limiting per host until it is back/g)?.length <= 2, true, 'logged once per worker');
});

test('edgechat_status reports host-wide counters and the worker\'s registry state', async () => {
  const res = await request(`${edge.url}/edgechat/status`);
  assert.equal(res.status, 200);
  const { counters, worker: state } = res.json;
  assert.ok(counters.apiRequests > 10);
  assert.ok(counters.api401 >= 3);
  assert.ok(counters.api403 >= 10);
  assert.ok(counters.api429 >= 2);
  assert.ok(counters.apiPreflights >= 5);
  assert.ok(counters.limitChecksRedis >= 1);
  assert.ok(counters.limitChecksLocal >= 1, 'the Redis outage went to the fallback');
  assert.ok(counters.frames >= 1 && counters.framesRefused >= 1);
  assert.equal(typeof state.registryRevision, 'number');
  assert.equal(state.sites, 2);
  assert.equal((await request(`${edge.url}/edgechat/status`, { method: 'POST' })).status, 405);
});

test('edgechat_request_limit holds every guarded request per client IP and site', async () => {
  const host = new Nginx(join(base, 'c'), await freePort(), redis.socket);
  await host.render(await freePort(), (conf) =>
    conf.replace('edgechat_limit_zone 4m;', 'edgechat_limit_zone 4m;\n    edgechat_request_limit 1r/m burst=2;'));
  await symlink(worker.socket, join(host.var, 'run', 'worker.sock'));
  await host.start();
  try {
    for (let i = 0; i < 60 && (await host.api('config', { key: OTHER })).status !== 200; i++) await sleep(50);
    const keys = (await redis.cli('--scan', '--pattern', `edgechat:rl:{${SITE}}:r:*`)).stdout.split('\n').filter(Boolean);
    if (keys.length) await redis.cli('DEL', ...keys);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await host.api(i % 2 ? 'messages' : 'config')).status);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    const preflight = await request(`${host.url}/api/v1/external/config`, {
      method: 'OPTIONS', headers: { Origin: SHOP, 'Access-Control-Request-Method': 'GET' },
    });
    assert.equal(preflight.status, 204, 'preflights are not limited');
  } finally {
    await host.stop();
  }
});

test('nginx -t names the directive on a bad value', async () => {
  const conf = join(edge.var, 'nginx', 'conf', 'bad.conf');
  const good = await readFile(join(edge.var, 'nginx', 'conf', 'nginx.conf'), 'utf8');
  const cases = [
    [/edgechat_public_origin [^;]+;/, 'edgechat_public_origin https://chat.example/path;', /edgechat_public_origin.*must not have a path/],
    [/edgechat_redis unix:[^;]+;/, 'edgechat_redis unix:relative.sock;', /edgechat_redis.*absolute path/],
    [/edgechat_widget [^;]+;/, 'edgechat_widget /nonexistent/widget.js;', /edgechat_widget.*cannot open/],
    [/edgechat_limit_zone [^;]+;/, 'edgechat_limit_zone lots;', /edgechat_limit_zone.*invalid size/],
    [/edgechat_limit_zone [^;]+;/, 'edgechat_limit_zone 4m; edgechat_guest_limit 5r/d;', /edgechat_guest_limit.*RATE/],
    [/edgechat_limit_zone [^;]+;/, 'edgechat_limit_zone 4m; edgechat_limit_lease 0;', /edgechat_limit_lease must be between 1 and/],
    [/edgechat_history_limit [^;]+;/, 'edgechat_history_limit 10r/d;', /edgechat_history_limit.*RATE.*or off/],
    [/edgechat_ticket_limit [^;]+;/, 'edgechat_ticket_limit 20r/m; edgechat_ticket_limit off;', /"edgechat_ticket_limit" directive is duplicate/],
    [/edgechat_status prometheus;/, 'edgechat_status json;', /edgechat_status: unknown format "json" \(only "prometheus"\)/],
    [/edgechat_status prometheus;/, 'edgechat_status prometheus extra;', /invalid number of arguments in "edgechat_status"/],
    // Names would need a DNS lookup that blocks nginx: refused before any is made.
    [/edgechat_redis unix:[^;]+;/, 'edgechat_redis redis.internal:6379;', /edgechat_redis: invalid address "redis\.internal:6379": host names are not resolved/],
    [/edgechat_redis unix:[^;]+;/, 'edgechat_redis localhost;', /edgechat_redis: invalid address "localhost": host names are not resolved/],
  ];
  for (const [pattern, replacement, message] of cases) {
    await writeFile(conf, good.replace(pattern, replacement));
    const result = await run('/usr/sbin/nginx', ['-t', '-p', join(edge.var, 'nginx'), '-c', 'conf/bad.conf', '-e', '/dev/null']);
    assert.notEqual(result.code, 0, replacement);
    assert.match(result.stderr, message);
  }
  const fine = [
    [/edgechat_redis unix:[^;]+;/, 'edgechat_redis 127.0.0.1:6379;'],
    [/edgechat_redis unix:[^;]+;/, 'edgechat_redis [::1];'],
    [/edgechat_history_limit [^;]+;/, 'edgechat_history_limit off;'],
  ];
  for (const [pattern, replacement] of fine) {
    await writeFile(conf, good.replace(pattern, replacement));
    const result = await run('/usr/sbin/nginx', ['-t', '-p', join(edge.var, 'nginx'), '-c', 'conf/bad.conf', '-e', '/dev/null']);
    assert.equal(result.code, 0, `${replacement}: ${result.stderr}`);
  }
});

/** A third nginx host with a Redis of its own (which a test may stop), sharing the stub worker. */
async function privateHost(name, patch) {
  const own = new Redis(join(base, `redis-${name}`));
  await mkdir(own.dir, { recursive: true });
  await own.start();
  await own.publish(registry(1));
  const host = new Nginx(join(base, name), await freePort(), own.socket);
  await host.render(await freePort(), patch);
  await symlink(worker.socket, join(host.var, 'run', 'worker.sock'));
  await host.start();
  for (let i = 0; i < 60 && (await host.api('config')).status !== 200; i++) await sleep(50);
  return { host, redis: own };
}

/** The nginx processes under a host's master: pid and title ("nginx: worker process"...). */
async function children(host) {
  const master = Number((await readFile(join(host.var, 'run', 'nginx.pid'), 'utf8')).trim());
  const { stdout } = await run('ps', ['-o', 'pid=,args=', '--ppid', String(master)]);
  return stdout.split('\n').filter(Boolean).map((line) => {
    const [, pid, title] = line.trim().match(/^(\d+)\s+(.*)$/);
    return { pid: Number(pid), title };
  }).sort((a, b) => a.pid - b.pid);
}

test('a client that leaves while its request waits on a stalled Redis is finalized at once', async () => {
  const { host, redis: own } = await privateHost('d', (conf) =>
    conf.replace('edgechat_redis_timeout 250ms;', 'edgechat_redis_timeout 4s;'));
  const redisPid = Number((await readFile(join(own.dir, 'redis.pid'), 'utf8')).trim());
  const accessLog = join(host.var, 'nginx', 'logs', 'access.log');
  const left = async () => (await readFile(accessLog, 'utf8')).split('\n')
    .filter((line) => line.includes('"GET /api/v1/external/messages HTTP/1.1" 499 '));
  // A history read from a guest no limiter key knows yet: its check has to wait for Redis.
  const abandon = async (token) => {
    const socket = connect(host.port, '127.0.0.1');
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.write(`GET /api/v1/external/messages HTTP/1.1\r\nHost: chat\r\nSite-Key: ${SITE}\r\n` +
      `Authorization: Bearer ${token}\r\n\r\n`);
    await sleep(300);
    socket.destroy();
  };
  const waitForLeft = async (count) => {
    for (let i = 0; i < 30 && (await left()).length < count; i++) await sleep(50);
    return (await left()).length;
  };
  const tokens = ['b'.repeat(43), 'c'.repeat(43)];
  try {
    const before = await children(host);
    assert.equal(before.length, 2);
    let stopped = false;
    try {
      process.kill(redisPid, 'SIGSTOP');
      stopped = true;
      // Redis answers after the client left: the answer finds no request.
      await abandon(tokens[0]);
      assert.equal(await waitForLeft(1), 1, 'finalized (499) while Redis was still stopped');
      process.kill(redisPid, 'SIGCONT');
      stopped = false;
      await sleep(500);
      // The command times out after the client left: the timeout finds no request.
      process.kill(redisPid, 'SIGSTOP');
      stopped = true;
      await abandon(tokens[1]);
      assert.equal(await waitForLeft(2), 2, 'finalized (499) while Redis was still stopped');
      await sleep(4500);
      process.kill(redisPid, 'SIGCONT');
      stopped = false;
    } finally {
      if (stopped) process.kill(redisPid, 'SIGCONT');
    }
    for (const line of await left()) {
      const seconds = Number(line.match(/" 499 \d+ ([\d.]+) /)[1]);
      assert.ok(seconds < 1.5, line);
    }
    // The same worker processes go on serving; neither abandoned request reached the worker.
    let healed = false;
    for (let i = 0; i < 60 && !healed; i++) {
      await sleep(250);
      healed = JSON.parse((await request(`${host.url}/edgechat/status`)).text).worker.redis === 'connected';
    }
    assert.ok(healed, 'back on Redis');
    assert.equal((await host.api('messages', { headers: { Authorization: `Bearer ${'d'.repeat(43)}` } })).status, 200);
    assert.deepEqual(await children(host), before);
    const reached = worker.requests.filter((req) => tokens.some((token) => req.headers.authorization?.includes(token)));
    assert.deepEqual(reached, []);
    assert.doesNotMatch(await host.errorLog(), /\[alert\]|\[crit\]|exited on signal/);
  } finally {
    await host.stop();
    await own.stop();
  }
});

test('the cache manager and loader start no runtime: one Redis connection per worker process', async () => {
  const { host, redis: own } = await privateHost('e', (conf) => conf.replace('edgechat_limit_zone 4m;',
    `edgechat_limit_zone 4m;\n    proxy_cache_path ${join(base, 'e', 'nginx', 'tmp', 'cache')} keys_zone=edgecache:1m;`));
  try {
    const titles = (await children(host)).map((child) => child.title);
    assert.ok(titles.some((title) => title.includes('cache manager process')), titles.join(', '));
    assert.ok(titles.some((title) => title.includes('cache loader process')), titles.join(', '));
    await sleep(1000); // every process that would connect has done so
    // CLIENT LIST lists redis-cli's own connection too.
    const clients = (await own.cli('CLIENT', 'LIST')).stdout.split('\n').filter(Boolean).length - 1;
    assert.equal(clients, 2, 'one connection for each of the two worker processes');
  } finally {
    await host.stop();
    await own.stop();
  }
});

test('the registry cache is written by one worker, whole, with its size and time logged', async () => {
  const cache = (host) => join(host.var, 'nginx', 'registry-cache.json');
  const { host, redis: own } = await privateHost('f', (conf) =>
    conf.replace(/error_log ([^;]+) notice;/, 'error_log $1 info;'));
  try {
    // Revision 17: a document of another size than revision 1's, which the host cached at start.
    await own.publish(registry(17));
    let written;
    for (let i = 0; i < 60 && written?.revision !== 17; i++) {
      await sleep(100);
      written = JSON.parse(await readFile(cache(host), 'utf8').catch(() => 'null'));
    }
    assert.deepEqual(written, registry(17));
    const bytes = Buffer.byteLength(JSON.stringify(registry(17)));
    const log = await host.errorLog();
    const lines = log.match(new RegExp(`registry cache ".*registry-cache\\.json" written: ${bytes} bytes in \\d+ ms`, 'g'));
    assert.equal(lines?.length, 1, 'one writer for revision 17');
    const leftovers = (await readdir(join(host.var, 'nginx'))).filter((name) => name.includes('.tmp'));
    assert.deepEqual(leftovers, []);
    // A restart with Redis down still knows the sites, from the cache.
    await host.stop();
    await own.stop();
    await host.start();
    let config;
    for (let i = 0; i < 40 && config?.status !== 200; i++) {
      config = await host.api('config');
      if (config.status !== 200) await sleep(50);
    }
    assert.equal(config.status, 200);
  } finally {
    await host.stop();
    await own.stop();
  }
});

test('nginx -s reload keeps serving and keeps the shared-memory limits', async () => {
  const result = await run('/usr/sbin/nginx', edge.args('-s', 'reload'));
  assert.equal(result.code, 0, result.stderr);
  await sleep(1000);
  assert.equal((await edge.api('config')).status, 200);
  assert.equal((await request(`${edge.url}/widget.js`)).status, 200);
});

/**
 * A strict reader of Prometheus text (format 0.0.4) as edgechat_status prometheus writes it: every
 * line is HELP, TYPE or a sample with an integer value; a family's HELP and TYPE come once, before
 * its samples; every sample's family has a TYPE. Returns Map family -> { type, samples: [{labels, value}] }.
 */
function parseMetrics(text) {
  assert.ok(text.endsWith('\n'), 'the text ends with a newline');
  const families = new Map();
  let current = null;
  for (const line of text.slice(0, -1).split('\n')) {
    let m;
    if ((m = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line))) {
      assert.ok(!families.has(m[1]), `one HELP for ${m[1]}`);
      families.set(m[1], { help: m[2], type: null, samples: [] });
      current = m[1];
    } else if ((m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge)$/.exec(line))) {
      assert.equal(m[1], current, `TYPE ${m[1]} follows its HELP`);
      assert.equal(families.get(m[1]).type, null, `one TYPE for ${m[1]}`);
      families.get(m[1]).type = m[2];
    } else if ((m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9]+)$/.exec(line))) {
      assert.equal(m[1], current, `sample ${line} belongs to the family just declared`);
      assert.ok(families.get(m[1]).type, `${m[1]} has a TYPE`);
      const labels = {};
      if (m[2] !== undefined) {
        const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/y;
        let consumed = 0;
        while (consumed < m[2].length) {
          re.lastIndex = consumed;
          const l = re.exec(m[2]);
          assert.ok(l, `labels of ${line}`);
          labels[l[1]] = l[2];
          consumed = re.lastIndex;
        }
      }
      families.get(m[1]).samples.push({ labels, value: Number(m[3]) });
    } else {
      assert.fail(`not HELP, TYPE or a sample: ${JSON.stringify(line)}`);
    }
  }
  return families;
}

/** The value of the one sample of `family` whose labels include `labels`. */
function sample(families, family, labels = {}) {
  const found = (families.get(family)?.samples ?? []).filter((s) =>
    Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  assert.equal(found.length, 1, `one ${family} ${JSON.stringify(labels)}`);
  return found[0].value;
}

test('edgechat_status prometheus: counters move by what was done; limiter mode and Redis errors follow an outage', async () => {
  const host = new Nginx(join(base, 'm'), await freePort(), redis.socket);
  await host.render(await freePort(), (conf) =>
    conf.replace('edgechat_limit_zone 4m;', 'edgechat_limit_zone 4m;\n    edgechat_request_limit 1r/m burst=2;'));
  await symlink(worker.socket, join(host.var, 'run', 'worker.sock'));
  await host.start();
  const document = (await redis.cli('GET', 'edgechat:registry')).stdout.trim();
  const revision = Number((await redis.cli('GET', 'edgechat:registry:rev')).stdout.trim());
  const scrape = async () => {
    const res = await request(`${host.url}/edgechat/metrics`);
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    return parseMetrics(res.text);
  };
  try {
    // Wait for the registry with a request that is not limited (and not counted as an API reply).
    for (let i = 0; i < 60 && (await request(`${host.url}/frame/?site=${SITE}`)).status !== 200; i++) await sleep(50);
    const keys = (await redis.cli('--scan', '--pattern', `edgechat:rl:{${SITE}}:r:*`)).stdout.split('\n').filter(Boolean);
    if (keys.length) await redis.cli('DEL', ...keys);

    const before = await scrape();
    for (const family of ['edgechat_edge_requests_total', 'edgechat_edge_limit_checks_total',
      'edgechat_edge_redis_round_trips_total', 'edgechat_edge_redis_errors_total']) {
      assert.equal(before.get(family)?.type, 'counter', family);
    }
    assert.equal((await host.api('config', { key: UNKNOWN })).status, 401);
    assert.equal((await host.api('config', { origin: 'https://evil.test' })).status, 403);
    const preflight = await request(`${host.url}/api/v1/external/config`, {
      method: 'OPTIONS', headers: { Origin: SHOP, 'Access-Control-Request-Method': 'GET' },
    });
    assert.equal(preflight.status, 204);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await host.api('config')).status);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    const after = await scrape();
    const moved = (outcome) => sample(after, 'edgechat_edge_requests_total', { outcome }) -
      sample(before, 'edgechat_edge_requests_total', { outcome });
    assert.deepEqual(
      Object.fromEntries(['allowed', 'unauthorized', 'forbidden', 'limited', 'preflight', 'other_4xx', '5xx', 'other']
        .map((o) => [o, moved(o)])),
      { allowed: 3, unauthorized: 1, forbidden: 1, limited: 1, preflight: 1, other_4xx: 0, '5xx': 0, other: 0 });
    const checks = (m) => ['redis', 'cached', 'local']
      .reduce((sum, by) => sum + sample(m, 'edgechat_edge_limit_checks_total', { by }), 0);
    assert.equal(checks(after) - checks(before), 4, 'four limit checks');
    assert.ok(sample(after, 'edgechat_edge_redis_round_trips_total') > sample(before, 'edgechat_edge_redis_round_trips_total'));
    assert.ok(sample(after, 'edgechat_edge_frames_total', { result: 'served' }) >= 1);
    assert.equal(sample(after, 'edgechat_edge_registry_revision'), revision);
    assert.equal(sample(after, 'edgechat_edge_registry_sites'), 2);
    assert.ok(sample(after, 'edgechat_edge_registry_age_seconds') >= 0);
    assert.equal(sample(after, 'edgechat_edge_limiter_mode', { mode: 'redis' }), 1);
    assert.equal(sample(after, 'edgechat_edge_limiter_mode', { mode: 'shared_memory' }), 0);
    assert.equal(sample(after, 'edgechat_edge_redis_configured'), 1);

    // The JSON form is unchanged: the same counters, in the same order.
    const json = (await request(`${host.url}/edgechat/status`)).json;
    assert.deepEqual(Object.keys(json.counters), ['apiRequests', 'apiPreflights', 'api2xx', 'api401',
      'api403', 'api429', 'apiOther4xx', 'api5xx', 'limitChecksRedis', 'limitChecksLocal',
      'limitChecksCached', 'frames', 'framesRefused', 'widget']);
    assert.deepEqual(Object.keys(json.worker), ['pid', 'registryRevision', 'sites', 'redis']);

    // The alert rules and the dashboard use only metrics the edge exports.
    const names = new Set(after.keys());
    const rules = await run('python3', ['-c', 'import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))',
      join(ROOT, 'conf', 'prometheus', 'edgechat-alerts.yml')]);
    assert.equal(rules.code, 0, rules.stderr);
    const groups = JSON.parse(rules.stdout).groups;
    const exprs = groups.flatMap((g) => g.rules).map((r) => {
      assert.ok(r.alert && r.expr && r.annotations?.summary && r.annotations?.description, JSON.stringify(r));
      return r.expr;
    });
    assert.ok(exprs.length >= 4);
    const dashboard = JSON.parse(await readFile(join(ROOT, 'conf', 'grafana', 'edgechat-edge.json'), 'utf8'));
    exprs.push(...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)));
    for (const expr of exprs) {
      const used = expr.match(/edgechat_[a-z0-9_]+/g) ?? [];
      assert.ok(used.length > 0, expr);
      for (const name of used) assert.ok(names.has(name), `${name} (in ${expr}) is exported`);
    }

    // Redis goes away: the limiter falls back to shared memory and Redis errors rise.
    await redis.stop();
    await host.api('messages');
    let mode;
    let errors;
    const errorsBefore = ['command', 'connection']
      .reduce((sum, kind) => sum + sample(after, 'edgechat_edge_redis_errors_total', { kind }), 0);
    for (let i = 0; i < 60; i++) {
      const now = await scrape();
      mode = sample(now, 'edgechat_edge_limiter_mode', { mode: 'shared_memory' });
      errors = ['command', 'connection']
        .reduce((sum, kind) => sum + sample(now, 'edgechat_edge_redis_errors_total', { kind }), 0);
      if (mode === 1 && errors > errorsBefore) {
        assert.equal(sample(now, 'edgechat_edge_limiter_mode', { mode: 'redis' }), 0);
        assert.equal(sample(now, 'edgechat_edge_redis_connected'), 0);
        break;
      }
      await sleep(100);
    }
    assert.equal(mode, 1, 'limiter on shared memory');
    assert.ok(errors > errorsBefore, 'Redis errors rose');
  } finally {
    await host.stop();
    await redis.start();
    await redis.cli('SET', 'edgechat:registry', document);
    await redis.cli('SET', 'edgechat:registry:rev', String(revision));
  }
});

test('a graceful stop leaves no alerts, crashes or leaked sockets in the error logs', async () => {
  await edge2.stop();
  const stopped = edge2;
  edge2 = null;
  for (const log of [await stopped.errorLog(), await edge.errorLog()]) {
    assert.doesNotMatch(log, /\[alert\]|\[crit\]|\[emerg\]|exited on signal/);
  }
});
