// Redis as a trust root, against the real stack: Redis requires a password (an ACL user, then the
// default user), and the edge, the worker and the CLI authenticate on every connection; a wrong
// password makes the edge limit per host and the worker say so; TLS and bad password files are
// refused at configuration time; and notices forged on the events channel reach no stream.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startStack, run, BUILD } from '../lib/stack.mjs';
import { workerRequest } from '../lib/worker.mjs';
import { newGuest, guestHistory } from '../lib/guest.mjs';
import { openEvents } from '../lib/sse.mjs';
import { sleep, waitFor } from '../lib/wait.mjs';
import { edgeRequest } from '../lib/edge.mjs';

const USER = 'edgechat';
const PASSWORD = randomBytes(12).toString('hex');

/** Helpers bound to one stack. */
function on(stack) {
  const socket = join(stack.varDir, 'run', 'redis.sock');
  const workerSocket = join(stack.varDir, 'run', 'worker.sock');
  const nginxConf = join(stack.varDir, 'nginx', 'conf', 'nginx.conf');
  const nginx = (...args) => run('/usr/sbin/nginx', ['-p', join(stack.varDir, 'nginx'), '-c', 'conf/nginx.conf',
    '-e', join(stack.varDir, 'nginx', 'logs', 'error.log'), ...args]);
  const edge = (method, path, options) => edgeRequest(stack, method, path, options);
  return {
    socket,
    nginxConf,
    nginx,
    edge,
    /** redis-cli on the stack's socket; the password travels in the environment, as for an operator. */
    redis: (args, { user, password } = {}) => run('redis-cli',
      ['-s', socket, ...(user ? ['--user', user] : []), ...args],
      { env: { ...process.env, ...(password ? { REDISCLI_AUTH: password } : {}) } }),
    status: async () => JSON.parse((await edge('GET', '/edgechat/status')).text),
    errorLog: () => readFile(join(stack.varDir, 'nginx', 'logs', 'error.log'), 'utf8'),
    workerLog: () => readFile(join(stack.varDir, 'log', 'worker.log'), 'utf8'),
    metric: async (name, socketPath = workerSocket) => {
      const text = (await workerRequest(socketPath, 'GET', '/metrics')).text;
      const line = text.split('\n').find((l) => l.startsWith(`${name} `));
      return line === undefined ? undefined : Number(line.split(' ')[1]);
    },
    newGuest: () => newGuest(stack),
    send: (token, text, clientId) => edge('POST', '/api/v1/external/messages',
      { headers: { Authorization: `Bearer ${token}` }, body: { text, clientId } }),
    history: (token) => guestHistory(stack, token, { via: 'edge' }),
    /** The guest's event stream through the edge, as the widget reads it. */
    events: (token, lastEventId) => openEvents(stack, token, { lastEventId }),
    /** Reloads nginx with `edit` applied to its configuration; resolves once the reload is accepted. */
    reloadWith: async (edit) => {
      const original = await readFile(nginxConf, 'utf8');
      const edited = edit(original);
      assert.notEqual(edited, original, 'the edit changed the configuration');
      await writeFile(nginxConf, edited);
      const reloaded = await nginx('-s', 'reload');
      assert.equal(reloaded.code, 0, reloaded.stderr);
      return original;
    },
  };
}

/** The messages, the limits and a live agent reply from the CLI, with every client authenticated. */
async function messagesFlow(s, stack) {
  await waitFor('the edge to reach Redis', async () => (await s.status()).worker.redis === 'connected');
  const status = await s.status();
  assert.ok(status.worker.registryRevision !== null && status.worker.sites >= 2, 'the worker published, the edge fetched');
  const guest = await s.newGuest();
  assert.equal((await s.send(guest.token, 'hello with AUTH', 'auth-1')).status, 201);
  const after = await s.status();
  assert.ok(after.counters.limitChecksRedis > status.counters.limitChecksRedis, 'limited through Redis');
  const { conversationId, lastEventId } = await s.history(guest.token);
  const stream = await s.events(guest.token, lastEventId);
  try {
    // The CLI publishes through Redis; the worker's subscriber relays it to the stream.
    const reply = await stack.ctlJson(['conversations', 'reply', String(conversationId), '--text', 'agent via Redis']);
    const event = await stream.next(5000);
    assert.equal(event.event, 'message');
    assert.equal(event.data.id, reply.message.id);
    assert.equal(event.data.text, 'agent via Redis');
  } finally {
    stream.close();
  }
  assert.equal(await s.metric('edgechat_redis_up'), 1);
}

let stack;
let s;
before(async () => {
  stack = await startStack({ env: { EDGECHAT_REDIS_USER: USER, EDGECHAT_REDIS_PASSWORD: PASSWORD } });
  s = on(stack);
});
after(async () => { await stack?.stop(); });

test('Redis with an ACL user: the edge, the worker and the CLI authenticate on every connection', async () => {
  const anonymous = await s.redis(['PING']);
  assert.match(anonymous.stdout + anonymous.stderr, /NOAUTH/, 'Redis refuses clients without AUTH');
  assert.equal((await s.redis(['PING'], { user: USER, password: PASSWORD })).stdout.trim(), 'PONG');
  await messagesFlow(s, stack);
  const conf = await readFile(s.nginxConf, 'utf8');
  assert.doesNotMatch(conf, new RegExp(PASSWORD), 'the password is not in nginx.conf');
  assert.doesNotMatch(await readFile(join(stack.varDir, 'edgechat.conf'), 'utf8'), new RegExp(PASSWORD));
});

test('forged and malformed notices on the events channel reach no stream; a real message still does', async () => {
  const guest = await s.newGuest();
  assert.equal((await s.send(guest.token, 'first', 'forge-1')).status, 201);
  const { conversationId, lastEventId } = await s.history(guest.token);
  const guestId = Number((await stack.sql(`SELECT id FROM guests WHERE public_id = '${guest.guestId}'`)).stdout.trim());
  assert.ok(guestId > 0);
  const stream = await s.events(guest.token, lastEventId);
  try {
    const shape = {
      id: lastEventId + 1, conversationId, guestId, type: 'message', prevId: lastEventId,
      data: JSON.stringify({ id: 999999, author: 'agent', text: 'forged', createdAt: '2026-01-01T00:00:00Z' }),
    };
    // Well formed, exactly the next event in sequence: the worst case. It may make the stream read
    // MySQL, which has no such event, and nothing more.
    const wellFormed = [shape, { ...shape, id: lastEventId + 1000 }].map((n) => JSON.stringify(n));
    const malformed = [
      'not json', '[]', JSON.stringify({ ...shape, id: -1 }), JSON.stringify({ ...shape, id: String(lastEventId + 1) }),
      JSON.stringify({ ...shape, id: 1.5 }), JSON.stringify({ ...shape, conversationId: 0 }),
      JSON.stringify({ ...shape, type: 'reset' }), JSON.stringify({ ...shape, type: 'message\nevent: x' }),
      JSON.stringify({ ...shape, data: '{"text":"x"}\n\ndata: {"text":"injected"}' }),
      JSON.stringify({ ...shape, prevId: lastEventId + 1 }), JSON.stringify({ ...shape, sse: 'id: 1' }),
      JSON.stringify({ ...shape, data: JSON.stringify({ text: 'x'.repeat(70000) }) }),
    ];
    const rejectedBefore = await s.metric('edgechat_redis_notices_rejected_total');
    for (const text of [...wellFormed, ...malformed]) {
      const published = await s.redis(['PUBLISH', 'edgechat:events', text], { user: USER, password: PASSWORD });
      assert.equal(published.code, 0, published.stderr);
      assert.ok(Number(published.stdout.trim()) >= 1, 'the worker is subscribed');
    }
    await waitFor('the worker to count the malformed notices', async () =>
      (await s.metric('edgechat_redis_notices_rejected_total')) === rejectedBefore + malformed.length);
    await sleep(500);
    assert.equal(stream.pending(), 0, 'nothing reached the stream');
    assert.match(await s.workerLog(), /dropped a notice from Redis/);

    const reply = await stack.ctlJson(['conversations', 'reply', String(conversationId), '--text', 'the real reply']);
    const event = await stream.next(5000);
    assert.equal(event.data.text, 'the real reply');
    assert.equal(event.data.id, reply.message.id);
    assert.ok(event.id > lastEventId);
    await sleep(300);
    assert.equal(stream.pending(), 0);
  } finally {
    stream.close();
  }
});

test('a worker skips its own notices when Redis hands them back; the CLI\'s and other workers\' reach its streams', async () => {
  const guest = await s.newGuest();
  const ownBefore = await s.metric('edgechat_redis_notices_own_total');
  const rejectedBefore = await s.metric('edgechat_redis_notices_rejected_total');
  assert.equal(typeof ownBefore, 'number', 'the worker counts its own notices');
  assert.equal((await s.send(guest.token, 'mine', 'own-1')).status, 201);
  await waitFor('the worker to know its own notice', async () =>
    (await s.metric('edgechat_redis_notices_own_total')) > ownBefore);
  const { conversationId, lastEventId } = await s.history(guest.token);
  const guestId = Number((await stack.sql(`SELECT id FROM guests WHERE public_id = '${guest.guestId}'`)).stdout.trim());
  const stream = await s.events(guest.token, lastEventId);
  try {
    const ownAfterSend = await s.metric('edgechat_redis_notices_own_total');
    // Another worker's notice (its own sender id) is accepted and only makes the stream read MySQL.
    const other = JSON.stringify({ id: lastEventId + 1, conversationId, guestId, type: 'message', prevId: lastEventId,
      data: '{}', sender: 'w_AnotherWorker0000000000' });
    const published = await s.redis(['PUBLISH', 'edgechat:events', other], { user: USER, password: PASSWORD });
    assert.equal(published.code, 0, published.stderr);
    // The CLI's notice carries no sender: the worker's subscriber delivers it.
    const reply = await stack.ctlJson(['conversations', 'reply', String(conversationId), '--text', 'from the CLI']);
    const event = await stream.next(5000);
    assert.equal(event.data.id, reply.message.id);
    assert.equal(event.data.text, 'from the CLI');
    assert.equal(await s.metric('edgechat_redis_notices_own_total'), ownAfterSend, 'neither is the worker\'s own');
    assert.equal(await s.metric('edgechat_redis_notices_rejected_total'), rejectedBefore, 'neither is refused');
  } finally {
    stream.close();
  }
});

test('a wrong password: the edge limits per host and logs it once without the password; right again, it heals', async () => {
  const wrong = `wrong${randomBytes(8).toString('hex')}`;
  const wrongFile = join(stack.varDir, 'redis-password-wrong');
  await writeFile(wrongFile, `${wrong}\n`, { mode: 0o600 });
  const logBefore = (await s.errorLog()).length;
  const original = await s.reloadWith((conf) =>
    conf.replace(/edgechat_redis_password_file [^;\n]+;/, `edgechat_redis_password_file ${wrongFile};`));
  try {
    // Every nginx worker process (the dev conf runs 2), not just the one that answered first: the
    // guest's message below may reach either.
    const downPids = new Set();
    await waitFor('both nginx worker processes to give Redis up', async () => {
      const status = await s.status();
      if (status.worker.redis === 'down') downPids.add(status.worker.pid);
      return downPids.size >= 2;
    }, { timeoutMs: 10000 });
    const before = await s.status();
    const config = await s.edge('GET', '/api/v1/external/config');
    assert.equal(config.status, 200, 'known sites are still served');
    const guest = await s.newGuest();
    assert.equal((await s.send(guest.token, 'limited per host', 'wrong-1')).status, 201);
    const now = await s.status();
    assert.ok(now.counters.limitChecksLocal > before.counters.limitChecksLocal, 'the shared-memory limiter decided');
    await sleep(1500);  // a few reconnects with backoff
    const log = (await s.errorLog()).slice(logBefore);
    const refusals = log.split('\n').filter((l) => l.includes('refused authentication'));
    assert.ok(refusals.length >= 1, log);
    assert.match(refusals[0], /as user "edgechat"/);
    assert.match(refusals[0], /WRONGPASS/);
    assert.match(refusals[0], /limiting per host/);
    // Once per nginx worker process and outage, not once per reconnect.
    const pids = new Set(refusals.map((l) => /(\d+)#\d+:/.exec(l)?.[1]));
    assert.equal(refusals.length, pids.size, log);
    assert.ok(!log.includes(wrong) && !log.includes(PASSWORD), 'no password in the log');
  } finally {
    await writeFile(s.nginxConf, original);
    const reloaded = await s.nginx('-s', 'reload');
    assert.equal(reloaded.code, 0, reloaded.stderr);
  }
  await waitFor('the edge to reach Redis again', async () => (await s.status()).worker.redis === 'connected');
});

test('no credentials while Redis wants them: the edge says so and limits per host', async () => {
  const logBefore = (await s.errorLog()).length;
  const original = await s.reloadWith((conf) =>
    conf.replace(/edgechat_redis_password_file [^;\n]+;/, '').replace(/edgechat_redis_user [^;\n]+;/, ''));
  try {
    await waitFor('the refusal in the log', async () =>
      (await s.errorLog()).slice(logBefore).includes('refused authentication without credentials'));
    const log = (await s.errorLog()).slice(logBefore);
    assert.match(log, /NOAUTH/);
    assert.match(log, /set edgechat_redis_password_file/);
    const guest = await s.newGuest();
    assert.equal((await s.send(guest.token, 'no credentials', 'noauth-1')).status, 201);
  } finally {
    await writeFile(s.nginxConf, original);
    const reloaded = await s.nginx('-s', 'reload');
    assert.equal(reloaded.code, 0, reloaded.stderr);
  }
  await waitFor('the edge to reach Redis again', async () => (await s.status()).worker.redis === 'connected');
});

test('a wrong password: the worker and the CLI report it clearly and keep serving', async () => {
  const wrong = `wrong${randomBytes(8).toString('hex')}`;
  const wrongFile = join(stack.varDir, 'redis-password-wrong');
  await writeFile(wrongFile, `${wrong}\n`, { mode: 0o600 });
  const socketPath = join(stack.varDir, 'run', 'worker-wrong.sock');
  const child = spawn(join(BUILD, 'edgechat-worker'), ['--config', join(stack.varDir, 'edgechat.conf')], {
    env: { ...process.env, EDGECHAT_REDIS_PASSWORD_FILE: wrongFile, EDGECHAT_WORKER_LISTEN: `unix:${socketPath}` },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  try {
    await waitFor('the worker to report the refusal', async () => stderr.includes('refused authentication'), { timeoutMs: 10000 });
    assert.match(stderr, /Redis unix:\S+ refused authentication as user \\"edgechat\\": WRONGPASS/);
    assert.match(stderr, /check redis.user and redis.password_file/);
    await waitFor('the worker socket', async () => {
      try { return (await workerRequest(socketPath, 'GET', '/healthz')).status === 200; } catch { return false; }
    });
    assert.equal(await s.metric('edgechat_redis_up', socketPath), 0);
    const res = await workerRequest(socketPath, 'POST', '/api/v1/external/guests', { headers: { 'Site-Key': stack.siteKey } });
    assert.equal(res.status, 201, 'requests are still served');
    assert.ok(!stderr.includes(wrong) && !stderr.includes(PASSWORD), 'no password in the log');
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }

  // The CLI stores the reply, and says why it could not announce it.
  const guest = await s.newGuest();
  assert.equal((await s.send(guest.token, 'cli', 'cli-wrong-1')).status, 201);
  const { conversationId } = await s.history(guest.token);
  const cli = await stack.ctl(['conversations', 'reply', String(conversationId), '--text', 'stored anyway', '--json'],
    { env: { ...stack.env, EDGECHAT_REDIS_PASSWORD_FILE: wrongFile } });
  assert.equal(cli.code, 0, cli.stderr);
  assert.equal(JSON.parse(cli.stdout).created, true);
  assert.match(cli.stderr, /refused authentication as user \\"edgechat\\"/);
  assert.ok(!cli.stderr.includes(wrong));
  // Without credentials at all, the CLI says what to set.
  const none = await stack.ctl(['conversations', 'reply', String(conversationId), '--text', 'no credentials', '--json'],
    { env: { ...stack.env, EDGECHAT_REDIS_PASSWORD_FILE: '', EDGECHAT_REDIS_USER: '' } });
  assert.equal(none.code, 0, none.stderr);
  assert.match(none.stderr, /requires authentication \(NOAUTH.*set redis\.password_file/);
});

test('bad password files and TLS are refused when the configuration is loaded', async () => {
  const empty = join(stack.varDir, 'redis-password-empty');
  await writeFile(empty, '');
  const conf = await readFile(s.nginxConf, 'utf8');
  const testConf = join(stack.varDir, 'nginx', 'conf', 'refused.conf');
  const nginxTest = async (edit) => {
    const edited = edit(conf);
    assert.ok(edited !== conf || edit.length === 0, 'the edit changed the configuration');
    await writeFile(testConf, edited);
    return run('/usr/sbin/nginx', ['-p', join(stack.varDir, 'nginx'), '-c', 'conf/refused.conf',
      '-e', join(stack.varDir, 'nginx', 'logs', 'refused.log'), '-t']);
  };
  const cases = [
    [(c) => c.replace(/edgechat_redis_password_file [^;\n]+;/, `edgechat_redis_password_file ${stack.varDir}/missing;`),
      /edgechat_redis_password_file: password file ".*missing": cannot open: No such file or directory/],
    [(c) => c.replace(/edgechat_redis_password_file [^;\n]+;/, `edgechat_redis_password_file ${empty};`),
      /edgechat_redis_password_file: password file ".*empty": empty/],
    [(c) => c.replace(/edgechat_redis_password_file [^;\n]+;/, `edgechat_redis_password_file ${stack.varDir};`),
      /not a regular file/],
    [(c) => c.replace(/edgechat_redis_password_file [^;\n]+;/, ''),
      /edgechat_redis_user needs "edgechat_redis_password_file"/],
    [(c) => c.replace(/edgechat_redis_user [^;\n]+;/, 'edgechat_redis_user "two words";'), /invalid user/],
    [(c) => c.replace(/edgechat_redis unix:[^;\n]+;/, 'edgechat_redis rediss://127.0.0.1:6380;'),
      /TLS to Redis is not supported by this build \(hiredis 0\.14\)/],
  ];
  for (const [edit, message] of cases) {
    const result = await nginxTest(edit);
    assert.notEqual(result.code, 0, String(message));
    assert.match(result.stderr, message);
  }
  assert.equal((await nginxTest(() => conf)).code, 0, 'the unchanged configuration passes');

  const worker = (env) => run(join(BUILD, 'edgechat-worker'), ['--config', join(stack.varDir, 'edgechat.conf')],
    { env: { ...process.env, EDGECHAT_WORKER_LISTEN: `unix:${stack.varDir}/run/never.sock`, ...env } });
  const emptyFile = await worker({ EDGECHAT_REDIS_PASSWORD_FILE: empty });
  assert.equal(emptyFile.code, 2);
  assert.match(emptyFile.stderr, /redis\.password_file .*empty/);
  const tls = await worker({ EDGECHAT_REDIS_TLS: 'on' });
  assert.equal(tls.code, 2);
  assert.match(tls.stderr, /redis\.tls: TLS to Redis is not supported by this build/);
  const url = await worker({ EDGECHAT_REDIS_HOST: 'rediss://127.0.0.1:6380', EDGECHAT_REDIS_SOCKET: '' });
  assert.equal(url.code, 2);
  assert.match(url.stderr, /redis\.host: TLS to Redis is not supported/);
});

// Last: its own stack, where the password is the default user's (requirepass, AUTH password).
test('Redis with a password for the default user: the same flow', async () => {
  await stack.stop();
  stack = await startStack({ env: { EDGECHAT_REDIS_PASSWORD: PASSWORD } });
  s = on(stack);
  const anonymous = await s.redis(['PING']);
  assert.match(anonymous.stdout + anonymous.stderr, /NOAUTH/);
  assert.equal((await s.redis(['PING'], { password: PASSWORD })).stdout.trim(), 'PONG');
  assert.doesNotMatch(await readFile(s.nginxConf, 'utf8'), /edgechat_redis_user/);
  await messagesFlow(s, stack);
});
