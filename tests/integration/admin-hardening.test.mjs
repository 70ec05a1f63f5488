// The admin API's hardening on the real stack (nginx with the module, the worker, MariaDB, Redis):
// login throttling per admin whatever the spelling and from whichever address, counted before
// the password check so a parallel burst cannot exceed the limit; "this is me" decided by admin
// id; client ids compared byte for byte; the session cookie's __Host- name over https.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../lib/stack.mjs';
import { adminCall } from '../lib/admin.mjs';
import { httpCall, workerRequest } from '../lib/worker.mjs';
import { join } from 'node:path';
import { sleep } from '../lib/wait.mjs';

// Long enough for 24 sequential Argon2id checks on a loaded 2-core box (8 s was not: the first
// attempts left the window before the last one was counted).
const LOGIN_WINDOW_S = 20;
let stack;
let admin;  // { cookie, csrf }
before(async () => {
  stack = await startStack({ env: { EDGECHAT_ADMIN_LOGIN_WINDOW: String(LOGIN_WINDOW_S) } });
  admin = await loginOk('admin', stack.adminPassword);
});
after(async () => { await stack?.stop(); });

/**
 * POST /api/v1/admin/login through nginx from source address `from` (any 127.x.y.z is loopback;
 * nginx passes it on as X-Forwarded-For). Resolves to { status, headers, json }.
 */
function loginFrom(from, username, password) {
  const url = new URL(`${stack.chatUrl}/api/v1/admin/login`);
  return httpCall({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST',
    localAddress: from, agent: false, headers: { 'Content-Type': 'application/json' } },
  { username, password });
}

async function loginOk(username, password, from = '127.0.0.1') {
  const res = await loginFrom(from, username, password);
  assert.equal(res.status, 200, JSON.stringify(res.json));
  return { cookie: res.headers['set-cookie'][0].split(';')[0], csrf: res.json.csrfToken };
}

function call(method, path, body, { who = admin } = {}) {
  return adminCall(stack.chatUrl, method, path, body, { who });
}

async function addAdmin(username, password) {
  const added = await call('POST', 'admins', { username, password });
  assert.equal(added.status, 201, added.text);
}

// Spellings the admins table's collation (utf8mb4_unicode_ci, PAD SPACE) takes for one name.
const spellings = (name) => [name, name.toUpperCase(), name[0].toUpperCase() + name.slice(1), `${name} `];

test('login throttle: one count per admin whatever the spelling, from any address; then the window ends', async () => {
  await addAdmin('carol', 'carols password');
  const variants = spellings('carol');
  const statuses = [];
  let retryAfter = 0;
  for (let i = 0; i < 12; i += 1) {
    const res = await loginFrom(`127.0.${10 + i}.${20 + i}`, variants[i % variants.length], `wrong ${i}`);
    statuses.push(res.status);
    if (res.status === 429) {
      assert.equal(res.json.error, 'too_many_attempts');
      retryAfter = Number(res.headers['retry-after']);
      assert.ok(retryAfter >= 1 && retryAfter <= LOGIN_WINDOW_S, `Retry-After ${retryAfter}`);
    }
  }
  assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429, 429, 429, 429, 429, 429],
    'five guesses in all for one admin');
  const refused = await loginFrom('127.0.99.1', 'CAROL', 'carols password');
  assert.equal(refused.status, 429, 'even the right password waits, from a fresh address');

  await sleep(Number(refused.headers['retry-after']) * 1000 + 300);
  const accepted = await loginFrom('127.0.99.2', 'Carol', 'carols password');
  assert.equal(accepted.status, 200, 'accepted after the window');
  assert.equal(accepted.json.admin.username, 'carol');
});

test('login throttle: a parallel burst of guesses gets exactly the limit of password checks', async () => {
  await addAdmin('dave', 'daves password');
  const variants = spellings('dave');
  const burst = await Promise.all(Array.from({ length: 16 }, (_, i) =>
    loginFrom(`127.1.${i}.${i + 1}`, variants[i % variants.length], `wrong ${i}`)));
  const count = (status) => burst.filter((r) => r.status === status).length;
  assert.equal(count(401), 5, `checked: ${burst.map((r) => r.status)}`);
  assert.equal(count(429), 11);
  assert.equal((await loginFrom('127.1.99.1', 'dave', 'daves password')).status, 429);
});

test('login throttle: unknown names are throttled the same way, whatever the spelling', async () => {
  const variants = spellings('nobody-here');
  const statuses = [];
  for (let i = 0; i < 7; i += 1) {
    statuses.push((await loginFrom(`127.2.${i}.1`, variants[i % variants.length], 'whatever it is')).status);
  }
  assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429]);
});

test('login throttle: one address is limited across admins; a success gives its slot back', async () => {
  // admin.login_failures_per_ip is 20: twenty different names from one address, then 429.
  const from = '127.3.0.1';
  for (let i = 0; i < 3; i += 1) await loginOk('admin', stack.adminPassword, from);
  const statuses = [];
  for (let i = 0; i < 21; i += 1) statuses.push((await loginFrom(from, `guess-${i}`, 'whatever it is')).status);
  assert.deepEqual(statuses, [...Array(20).fill(401), 429], 'the three logins were not counted');
  assert.equal((await loginFrom(from, 'admin', stack.adminPassword)).status, 429);
  assert.equal((await loginFrom('127.3.0.2', 'admin', stack.adminPassword)).status, 200, 'another address');
});

test('own password change needs the current password, whatever the spelling of one\'s name', async () => {
  await addAdmin('erin', 'erins password');
  const erin = await loginOk('erin', 'erins password');
  const erinElsewhere = await loginOk('erin', 'erins password');
  for (const name of ['ERIN', 'Erin', 'erin%20', 'erin']) {
    const bare = await call('PUT', `admins/${name}/password`, { password: 'taken over!' }, { who: erin });
    assert.equal(bare.status, 403, `${name} without currentPassword: ${bare.text}`);
    assert.equal(bare.json.error, 'bad_credentials');
    const wrong = await call('PUT', `admins/${name}/password`, { password: 'taken over!', currentPassword: 'nope nope' }, { who: erin });
    assert.equal(wrong.status, 403, `${name} with a wrong currentPassword`);
    assert.equal((await call('DELETE', `admins/${name}`, undefined, { who: erin })).status, 409, `${name}: not yourself`);
  }
  assert.equal((await call('GET', 'session', undefined, { who: erinElsewhere })).status, 200, 'her other session lives');
  assert.equal((await loginFrom('127.4.0.1', 'erin', 'erins password')).status, 200, 'the password is unchanged');

  const changed = await call('PUT', 'admins/ERIN/password', { password: 'erins new password', currentPassword: 'erins password' }, { who: erin });
  assert.equal(changed.status, 200, changed.text);
  assert.equal(changed.json.username, 'erin', 'the stored name, not the spelling');
  assert.equal((await call('GET', 'session', undefined, { who: erin })).status, 200, 'this session lives on');
  assert.equal((await call('GET', 'session', undefined, { who: erinElsewhere })).status, 401, 'the others end');

  // Another admin resets it with any spelling, without her current password; her sessions end.
  const reset = await call('PUT', 'admins/Erin%20/password', { password: 'reset by admin' });
  assert.equal(reset.status, 200, reset.text);
  assert.equal((await call('GET', 'session', undefined, { who: erin })).status, 401);
  await loginOk('ERIN', 'reset by admin', '127.4.0.2');
  const removed = await call('DELETE', 'admins/ERIN');
  assert.equal(removed.status, 200, removed.text);
  assert.equal(removed.json.removed, 'erin');
  assert.equal((await call('DELETE', 'admins/erin')).status, 404);
  const audit = (await call('GET', 'audit?limit=20')).json.entries.map((e) => `${e.action} ${e.target}`);
  for (const a of ['admin.password erin', 'admin.remove erin']) assert.ok(audit.includes(a), a);
});

test('the CLI resolves admin names like the panel does', async () => {
  await addAdmin('frank', 'franks password');
  const frank = await loginOk('frank', 'franks password');
  const passwd = await stack.ctl(['admin', 'passwd', 'FRANK', '--password', 'franks new password', '--json']);
  assert.equal(passwd.code, 0, passwd.stderr);
  assert.equal(JSON.parse(passwd.stdout).username, 'frank');
  assert.equal((await call('GET', 'session', undefined, { who: frank })).status, 401);
  await loginOk('frank', 'franks new password', '127.5.0.1');
  const removed = await stack.ctl(['admin', 'remove', 'Frank ', '--json']);
  assert.equal(removed.code, 0, removed.stderr);
  assert.equal(JSON.parse(removed.stdout).removed, 'frank');
  assert.equal((await stack.ctl(['admin', 'remove', 'frank'])).code, 3);
});

test('client ids compare byte for byte: c-A and c-a are two messages; a true retry still deduplicates', async () => {
  const guestRes = await fetch(`${stack.chatUrl}/api/v1/external/guests`, { method: 'POST', headers: { 'Site-Key': stack.siteKey } });
  assert.equal(guestRes.status, 201);
  const guest = await guestRes.json();
  const headers = { 'Site-Key': stack.siteKey, Authorization: `Bearer ${guest.token}`, 'Content-Type': 'application/json' };
  const send = async (text, clientId) => {
    const res = await fetch(`${stack.chatUrl}/api/v1/external/messages`, { method: 'POST', headers, body: JSON.stringify({ text, clientId }) });
    return { status: res.status, json: await res.json() };
  };
  const upper = await send('first, upper case id', 'c-A');
  assert.equal(upper.status, 201, JSON.stringify(upper.json));
  const lower = await send('second, lower case id', 'c-a');
  assert.equal(lower.status, 201, 'a different id, not a retry');
  assert.notEqual(lower.json.message.id, upper.json.message.id);
  const retry = await send('first, upper case id', 'c-A');
  assert.equal(retry.status, 200, 'a true retry');
  assert.equal(retry.json.message.id, upper.json.message.id);

  const history = await (await fetch(`${stack.chatUrl}/api/v1/external/messages`, { headers })).json();
  const ids = history.messages.map((m) => [m.clientId, m.text]);
  assert.deepEqual(ids, [['c-A', 'first, upper case id'], ['c-a', 'second, lower case id']]);

  // Agent replies keep their own ids the same way.
  const { conversationId } = history;
  const r1 = await call('POST', `conversations/${conversationId}/messages`, { text: 'one', clientId: 'r-X' });
  const r2 = await call('POST', `conversations/${conversationId}/messages`, { text: 'two', clientId: 'r-x' });
  assert.equal(r1.status, 201, r1.text);
  assert.equal(r2.status, 201, r2.text);
  const r3 = await call('POST', `conversations/${conversationId}/messages`, { text: 'one', clientId: 'r-X' });
  assert.equal(r3.status, 200);
  assert.equal(r3.json.message.id, r1.json.message.id);
});

test('session cookie: __Host-ec_admin (Secure) over https, and only that name is read there; ec_admin over http', async () => {
  // Over https nginx forwards X-Forwarded-Proto: https; the dev stack is http, so this part talks
  // to the worker's socket directly, as nginx would for an https server.
  const socket = join(stack.varDir, 'run', 'worker.sock');
  const https = (method, path, { cookie, body, csrf } = {}) => workerRequest(socket, method, `/api/v1/admin/${path}`, {
    headers: { 'X-Forwarded-Proto': 'https', 'X-Forwarded-For': '127.0.0.1', 'Content-Type': 'application/json', ...(cookie ? { Cookie: cookie } : {}), ...(csrf ? { 'X-CSRF-Token': csrf } : {}) },
    body,
  });
  const login = await https('POST', 'login', { body: { username: 'admin', password: stack.adminPassword } });
  assert.equal(login.status, 200, login.text);
  const setCookie = login.headers['set-cookie'][0];
  assert.match(setCookie, /^__Host-ec_admin=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict/);
  assert.match(setCookie, /; Secure(;|$)/);
  assert.doesNotMatch(setCookie, /Domain=/i, '__Host- cookies carry no Domain');
  const token = setCookie.split(';')[0].split('=')[1];

  assert.equal((await https('GET', 'session', { cookie: `__Host-ec_admin=${token}` })).status, 200);
  // The same session under the plain name (planted by a subdomain or over http) is not read over https.
  const planted = await https('GET', 'session', { cookie: `ec_admin=${token}` });
  assert.equal(planted.status, 401, planted.text);

  const logout = await https('POST', 'logout', { cookie: `__Host-ec_admin=${token}`, csrf: login.json.csrfToken });
  assert.equal(logout.status, 200, logout.text);
  assert.match(logout.headers['set-cookie']?.[0] ?? '', /^__Host-ec_admin=; .*Max-Age=0.*; Secure/);

  // Over http (through nginx, the dev stack) the plain name without Secure.
  const plain = await loginFrom('127.0.0.1', 'admin', stack.adminPassword);
  assert.equal(plain.status, 200);
  assert.match(plain.headers['set-cookie'][0], /^ec_admin=[A-Za-z0-9_-]{43}; /);
  assert.doesNotMatch(plain.headers['set-cookie'][0], /Secure/);
});
