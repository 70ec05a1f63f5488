// The admin API on the real stack: every operation the panel uses and its authorization (no
// session 401, wrong CSRF token 403, expired session 401, throttled logins), the audit log, the
// admin event stream, and a whitelist change made here enforced by the edge within 2 seconds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { execFile } from 'node:child_process';
import { startStack, ROOT } from '../lib/stack.mjs';
import { adminCall, adminLogin } from '../lib/admin.mjs';
import { eventStreamParser } from '../lib/sse.mjs';
import { sleep } from '../lib/wait.mjs';

let stack;
let admin;  // { cookie, csrf }
before(async () => {
  stack = await startStack();
  admin = await login('admin', stack.adminPassword);
});
after(async () => { await stack?.stop(); });

/** edgechatctl with `input` on its stdin. */
function ctlWithInput(args, input) {
  return new Promise((resolve) => {
    const child = execFile(join(ROOT, 'scripts', 'edgechatctl'), args, { env: stack.env }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

const login = (username, password) => adminLogin(stack.chatUrl, username, password);

/** A call of the admin API as `who` (default: the demo admin); `csrf: false` leaves it out. */
function call(method, path, body, { who = admin, csrf } = {}) {
  return adminCall(stack.chatUrl, method, path, body, { who, csrf });
}

async function eventually(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return Date.now();
    if (Date.now() > deadline) assert.fail(`not within ${timeoutMs} ms: ${what}`);
    await sleep(100);
  }
}

test('login: cookie flags, session, CSRF token, wrong password, logout', async () => {
  assert.match(admin.setCookie, /^ec_admin=[A-Za-z0-9_-]{43}; /);
  assert.match(admin.setCookie, /HttpOnly/);
  assert.match(admin.setCookie, /SameSite=Strict/);
  assert.match(admin.setCookie, /Path=\//);
  assert.doesNotMatch(admin.setCookie, /Secure/, 'plain http here');
  const session = await call('GET', 'session');
  assert.equal(session.status, 200);
  assert.equal(session.json.admin.username, 'admin');
  assert.equal(session.json.csrfToken, admin.csrf);
  assert.equal(session.headers.get('cache-control'), 'no-store');

  const wrong = await fetch(`${stack.chatUrl}/api/v1/admin/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'not the password' }),
  });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.headers.get('set-cookie'), null);

  // Behind an https edge (nginx sets X-Forwarded-Proto) the cookie is Secure.
  const secure = await new Promise((resolve, reject) => {
    const req = httpRequest({ socketPath: join(stack.varDir, 'run', 'worker.sock'), method: 'POST',
      path: '/api/v1/admin/login', headers: { 'Content-Type': 'application/json', 'X-Forwarded-Proto': 'https' } },
    (res) => { res.resume(); res.on('end', () => resolve(res)); });
    req.on('error', reject);
    req.end(JSON.stringify({ username: 'admin', password: stack.adminPassword }));
  });
  assert.equal(secure.statusCode, 200);
  assert.match(secure.headers['set-cookie'][0], /; Secure/);

  const other = await login('admin', stack.adminPassword);
  const out = await call('POST', 'logout', {}, { who: other });
  assert.equal(out.status, 200);
  assert.match(out.headers.get('set-cookie'), /Max-Age=0/);
  assert.equal((await call('GET', 'session', undefined, { who: other })).status, 401);
  assert.equal((await call('GET', 'session')).status, 200, 'other sessions live on');
});

test('no session → 401, bad or missing CSRF token → 403, expired session → 401', async () => {
  const routes = [['GET', 'sites'], ['GET', 'conversations'], ['GET', 'admins'], ['GET', 'audit'],
    ['GET', 'events'], ['POST', 'sites', { name: 'nope' }], ['POST', 'logout', {}]];
  for (const [method, path, body] of routes) {
    const res = await call(method, path, body, { who: null });
    assert.equal(res.status, 401, `${method} ${path}`);
    const forged = await call(method, path, body, { who: { cookie: 'ec_admin=' + 'A'.repeat(43) } });
    assert.equal(forged.status, 401, `${method} ${path} with a made-up cookie`);
  }
  const site = (await call('GET', 'sites')).json.sites.find((s) => !s.main);
  const changes = [['POST', 'sites', { name: 'csrf-test' }], ['PATCH', `sites/${site.key}`, { title: 'x' }],
    ['DELETE', `sites/${site.key}`], ['POST', `sites/${site.key}/origins`, { origin: 'https://x.test' }],
    ['POST', `sites/${site.key}/key`, {}], ['POST', `sites/${site.key}/secret-keys`, {}],
    ['POST', 'admins', { username: 'x', password: 'xxxxxxxxxx' }], ['DELETE', 'admins/admin'],
    ['PUT', 'admins/admin/password', { password: 'xxxxxxxxxx' }], ['POST', 'logout', {}]];
  for (const [method, path, body] of changes) {
    assert.equal((await call(method, path, body, { csrf: false })).status, 403, `${method} ${path} without token`);
    assert.equal((await call(method, path, body, { csrf: 'A'.repeat(43) })).status, 403, `${method} ${path} wrong token`);
  }
  assert.equal((await call('GET', 'sites')).status, 200, 'nothing above ended the session');
  assert.equal((await call('GET', `sites/${site.key}`)).json.title, site.title, 'nothing changed');

  const stale = await login('admin', stack.adminPassword);
  await stack.sql("UPDATE admin_sessions SET last_seen_at = UTC_TIMESTAMP(6) - INTERVAL 2 HOUR " +
    `WHERE csrf_token = '${stale.csrf}'`);
  const expired = await call('GET', 'sites', undefined, { who: stale });
  assert.equal(expired.status, 401);
  assert.equal(expired.json.error, 'session_expired');
  assert.equal((await call('GET', 'sites', undefined, { who: stale })).status, 401, 'and stays gone');
});

test('failed logins are throttled per username', async () => {
  const add = await call('POST', 'admins', { username: 'throttled', password: 'correct horse 1' });
  assert.equal(add.status, 201, add.text);
  const statuses = [];
  for (let i = 0; i < 6; i += 1) {
    const res = await fetch(`${stack.chatUrl}/api/v1/admin/login`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'throttled', password: `wrong ${i}` }),
    });
    statuses.push(res.status);
    if (res.status === 429) assert.ok(Number(res.headers.get('retry-after')) > 0);
  }
  assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
  const blocked = await fetch(`${stack.chatUrl}/api/v1/admin/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'throttled', password: 'correct horse 1' }),
  });
  assert.equal(blocked.status, 429, 'even the right password waits');
});

test('sites: create, read, edit, origins, key regeneration, secret keys, remove; all audited', async () => {
  const created = await call('POST', 'sites', {
    name: 'Books', title: 'Ask us', primaryColor: '#AA0011',
    origins: ['https://Books.Example:443', '*.books.example', 'https://books.example'],
    locked: true, lockedMessage: 'Back soon', limits: { messages: 7, windowSeconds: 30, burst: 2, message: 'Slow down' },
  });
  assert.equal(created.status, 201, created.text);
  const site = created.json;
  assert.match(site.key, /^ek_[A-Za-z0-9]{24}$/);
  assert.equal(site.primaryColor, '#aa0011');
  assert.deepEqual(site.origins, ['https://books.example', 'https://*.books.example']);
  assert.equal(site.locked, true);
  assert.deepEqual(site.limits, { messages: 7, windowSeconds: 30, burst: 2, message: 'Slow down' });
  assert.equal((await call('POST', 'sites', { name: 'Books' })).status, 409, 'names are unique');
  assert.equal((await call('POST', 'sites', { name: 'Bad', origins: ['https://x.test/path'] })).status, 400);
  assert.equal((await call('POST', 'sites', { name: 'Bad', origins: ['null'] })).status, 400);
  assert.equal((await call('POST', 'sites', { name: '' })).status, 400);

  const edited = await call('PATCH', `sites/${site.key}`, { title: 'Ask the librarians', locked: false,
    primaryColor: '#0f766e', locale: 'fa', limits: { messages: 9 } });
  assert.equal(edited.status, 200, edited.text);
  assert.equal(edited.json.title, 'Ask the librarians');
  assert.equal(edited.json.locale, 'fa');
  assert.equal(edited.json.limits.messages, 9);
  assert.equal(edited.json.limits.burst, 2, 'untouched');
  assert.equal((await call('PATCH', `sites/${site.key}`, { primaryColor: 'red' })).status, 400);
  assert.equal((await call('PATCH', `sites/${site.key}`, { limits: { messages: 0 } })).status, 400);
  assert.equal((await call('PATCH', 'sites/ek_000000000000000000000000', { title: 'x' })).status, 404);

  const withOrigin = await call('POST', `sites/${site.key}/origins`, { origin: 'HTTP://Shop.Test:8080' });
  assert.equal(withOrigin.status, 201, withOrigin.text);
  assert.ok(withOrigin.json.origins.includes('http://shop.test:8080'));
  assert.equal((await call('POST', `sites/${site.key}/origins`, { origin: 'http://shop.test:8080' })).status, 409);
  assert.equal((await call('POST', `sites/${site.key}/origins`, { origin: 'ftp://x.test' })).status, 400);
  const without = await call('DELETE', `sites/${site.key}/origins`, { origin: 'http://shop.test:8080' });
  assert.equal(without.status, 200);
  assert.ok(!without.json.origins.includes('http://shop.test:8080'));
  assert.equal((await call('DELETE', `sites/${site.key}/origins`, { origin: 'http://shop.test:8080' })).status, 404);

  const regenerated = await call('POST', `sites/${site.key}/key`, {});
  assert.equal(regenerated.status, 200);
  assert.notEqual(regenerated.json.key, site.key);
  assert.equal((await call('GET', `sites/${site.key}`)).status, 404, 'the old key is gone');
  const key = regenerated.json.key;

  const secret = await call('POST', `sites/${key}/secret-keys`, { label: 'billing server' });
  assert.equal(secret.status, 201);
  assert.match(secret.json.secret, /^esk_[A-Za-z0-9]{40}$/);
  assert.equal(secret.json.prefix, secret.json.secret.slice(0, 10));
  const listed = await call('GET', `sites/${key}/secret-keys`);
  assert.equal(listed.json.secretKeys.length, 1);
  assert.equal(listed.json.secretKeys[0].secret, undefined, 'shown once only');
  assert.equal(listed.json.secretKeys[0].label, 'billing server');
  const [stored] = (await stack.sql(`SELECT key_hash FROM site_secret_keys WHERE id = ${secret.json.id}`)).stdout.trim().split('\n');
  const { createHash } = await import('node:crypto');
  assert.equal(stored, createHash('sha256').update(secret.json.secret).digest('hex'), 'stored as SHA-256');
  const revoked = await call('DELETE', `sites/${key}/secret-keys/${secret.json.id}`);
  assert.equal(revoked.status, 200);
  assert.ok(revoked.json.revokedAt);
  assert.equal((await call('DELETE', `sites/${stack.siteKey}/secret-keys/${secret.json.id}`)).status, 404,
    'a key is revoked only through its own site');

  const removed = await call('DELETE', `sites/${key}`);
  assert.equal(removed.status, 200);
  assert.equal((await call('GET', `sites/${key}`)).status, 404);

  const audit = (await call('GET', 'audit?limit=50')).json.entries;
  const actions = audit.map((e) => e.action);
  for (const action of ['site.create', 'site.update', 'origin.add', 'origin.remove', 'site.key_regenerate',
    'secret_key.create', 'secret_key.revoke', 'site.remove']) {
    assert.ok(actions.includes(action), `audit has ${action}`);
  }
  assert.ok(audit.filter((e) => !e.actor.startsWith('cli:')).every((e) => e.actor === 'admin' && e.createdAt));
  const update = audit.find((e) => e.action === 'site.update' && e.detail.changes.title);
  assert.deepEqual(update.detail.changes.title, { from: 'Ask us', to: 'Ask the librarians' });
});

test('a whitelist change made through the admin API is enforced by the edge within 2 s', async () => {
  const origin = 'https://newshop.test';
  const config = () => fetch(`${stack.chatUrl}/api/v1/external/config`, {
    headers: { 'Site-Key': stack.siteKey, Origin: origin },
  });
  const frameCsp = async () => (await fetch(`${stack.chatUrl}/frame/?site=${stack.siteKey}`))
    .headers.get('content-security-policy') || '';
  assert.equal((await config()).status, 403);
  const start = Date.now();
  assert.equal((await call('POST', `sites/${stack.siteKey}/origins`, { origin })).status, 201);
  await eventually(async () => {
    const res = await config();
    return res.status === 200 && res.headers.get('access-control-allow-origin') === origin;
  }, 2000, 'the edge allows the new origin');
  assert.ok((await frameCsp()).includes(origin), 'the frame may be embedded there');
  assert.ok(Date.now() - start <= 2000);

  const removedAt = Date.now();
  assert.equal((await call('DELETE', `sites/${stack.siteKey}/origins`, { origin })).status, 200);
  await eventually(async () => (await config()).status === 403, 2000, 'the edge refuses the removed origin');
  assert.ok(!(await frameCsp()).includes(origin));
  assert.ok(Date.now() - removedAt <= 2000);

  // A lock made here reaches the edge's config too.
  assert.equal((await call('PATCH', `sites/${stack.siteKey}`, { locked: true, lockedMessage: 'Closed' })).status, 200);
  await eventually(async () => {
    const res = await fetch(`${stack.chatUrl}/api/v1/external/config`, { headers: { 'Site-Key': stack.siteKey } });
    return (await res.json()).locked === true;
  }, 2000, 'the site is locked');
  assert.equal((await call('PATCH', `sites/${stack.siteKey}`, { locked: false, lockedMessage: '' })).status, 200);
  await eventually(async () => {
    const res = await fetch(`${stack.chatUrl}/api/v1/external/config`, { headers: { 'Site-Key': stack.siteKey } });
    return (await res.json()).locked === false;
  }, 2000, 'the site is unlocked');
});

test('inbox: list with labels and unread counts, read, reply, likes, resolve, reopen, live events', async () => {
  // A visitor of the demo (external) site writes.
  const guestRes = await fetch(`${stack.chatUrl}/api/v1/external/guests`, { method: 'POST', headers: { 'Site-Key': stack.siteKey } });
  const guest = await guestRes.json();
  const headers = { 'Site-Key': stack.siteKey, Authorization: `Bearer ${guest.token}`, 'Content-Type': 'application/json' };

  // The admin stream is open before anything happens.
  const abort = new AbortController();
  const streamRes = await fetch(`${stack.chatUrl}/api/v1/admin/events`, { headers: { Cookie: admin.cookie }, signal: abort.signal });
  assert.equal(streamRes.status, 200);
  assert.match(streamRes.headers.get('content-type'), /text\/event-stream/);
  const events = [];
  const parser = eventStreamParser(({ type, data }) => events.push({ type, data: JSON.parse(data) }));
  (async () => {
    try {
      for await (const chunk of streamRes.body) parser.push(chunk);
    } catch { /* aborted */ }
  })();
  await sleep(300);

  const sent = await fetch(`${stack.chatUrl}/api/v1/external/messages`, { method: 'POST', headers,
    body: JSON.stringify({ text: 'Where is my order? <img src=x onerror=alert(1)>', clientId: 'c1' }) });
  assert.equal(sent.status, 201, await sent.clone().text());
  const guestMessage = await sent.json();
  const conversationId = guestMessage.conversationId ?? guestMessage.message?.conversationId;
  await eventually(async () => events.some((e) => e.type === 'message'), 2000, 'the admin stream shows the message');
  const convId = conversationId ?? events.find((e) => e.type === 'message').data.conversationId;

  const list = await call('GET', 'conversations?source=external&status=open');
  assert.equal(list.status, 200);
  const row = list.json.conversations.find((c) => c.id === convId);
  assert.ok(row, 'listed');
  assert.equal(row.sourceLabel, 'External Source');
  assert.equal(row.siteName, 'Demo shop');
  assert.equal(row.unread, 1);
  assert.equal((await call('GET', 'conversations?source=main')).json.conversations.find((c) => c.id === convId), undefined);
  assert.equal((await call('GET', `conversations?site=${stack.mainSiteKey}`)).json.conversations.length, 0);
  assert.equal((await call('GET', 'conversations?source=elsewhere')).status, 400);

  const shown = await call('GET', `conversations/${convId}`);
  assert.equal(shown.status, 200);
  assert.equal(shown.json.sourceLabel, 'External Source');
  assert.equal(shown.json.messages[0].text, 'Where is my order? <img src=x onerror=alert(1)>');
  assert.equal((await call('GET', 'conversations?source=external')).json.conversations.find((c) => c.id === convId).unread, 0,
    'reading clears the unread count');

  const reply = await call('POST', `conversations/${convId}/messages`, { text: 'On its way!', clientId: 'r1' });
  assert.equal(reply.status, 201, reply.text);
  assert.equal(reply.json.message.author, 'agent');
  const again = await call('POST', `conversations/${convId}/messages`, { text: 'On its way!', clientId: 'r1' });
  assert.equal(again.status, 200, 'a retried reply is not duplicated');
  assert.equal(again.json.message.id, reply.json.message.id);
  assert.equal((await call('POST', `conversations/${convId}/messages`, { text: '   ' })).status, 400);
  assert.equal((await call('POST', 'conversations/999999/messages', { text: 'hi' })).status, 404);

  // The visitor sees the reply and likes it; the admin sees the like, live.
  const like = await fetch(`${stack.chatUrl}/api/v1/external/messages/${reply.json.message.id}/reaction`, {
    method: 'PUT', headers, body: JSON.stringify({ value: 'like' }) });
  assert.equal(like.status, 200);
  await eventually(async () => events.some((e) => e.type === 'reaction'), 2000, 'the admin stream shows the like');
  const withLike = await call('GET', `conversations/${convId}`);
  const liked = withLike.json.messages.find((m) => m.id === reply.json.message.id);
  assert.equal(liked.likes, 1);
  assert.equal(liked.dislikes, 0);

  const resolved = await call('POST', `conversations/${convId}/resolve`, {});
  assert.deepEqual(resolved.json, { id: convId, status: 'resolved', changed: true });
  assert.equal((await call('GET', 'conversations?status=resolved')).json.conversations.some((c) => c.id === convId), true);
  await eventually(async () => events.some((e) => e.type === 'status'), 2000, 'the admin stream shows the status');
  const reopened = await call('POST', `conversations/${convId}/reopen`, {});
  assert.equal(reopened.json.status, 'open');
  abort.abort();
});

test('admins: list, add, change password, remove; the last admin stays', async () => {
  const added = await call('POST', 'admins', { username: 'bob', displayName: 'Bob <b>', password: 'bobs password' });
  assert.equal(added.status, 201, added.text);
  assert.equal((await call('POST', 'admins', { username: 'bob', password: 'bobs password' })).status, 409);
  assert.equal((await call('POST', 'admins', { username: 'carl', password: 'short' })).status, 400);
  const listed = (await call('GET', 'admins')).json.admins;
  assert.ok(listed.some((a) => a.username === 'bob' && a.displayName === 'Bob <b>'));
  assert.ok(listed.every((a) => a.passwordHash === undefined && a.password_hash === undefined));

  const bob = await login('bob', 'bobs password');
  // Bob changes his own password: the current one is required, his other sessions end.
  const bobElsewhere = await login('bob', 'bobs password');
  assert.equal((await call('PUT', 'admins/bob/password', { password: 'bobs new password' }, { who: bob })).status, 403);
  const changed = await call('PUT', 'admins/bob/password', { password: 'bobs new password', currentPassword: 'bobs password' }, { who: bob });
  assert.equal(changed.status, 200, changed.text);
  assert.equal((await call('GET', 'session', undefined, { who: bob })).status, 200, 'this session lives on');
  assert.equal((await call('GET', 'session', undefined, { who: bobElsewhere })).status, 401, 'the others end');
  await login('bob', 'bobs new password');

  // Another admin may reset it.
  assert.equal((await call('PUT', 'admins/bob/password', { password: 'reset by admin' })).status, 200);
  await login('bob', 'reset by admin');

  assert.equal((await call('DELETE', 'admins/admin', undefined, { who: admin })).status, 409, 'not yourself');
  const removed = await call('DELETE', 'admins/bob');
  assert.equal(removed.status, 200);
  assert.equal((await call('GET', 'session', undefined, { who: bob })).status, 401, 'a removed admin is logged out');
  assert.equal((await call('DELETE', 'admins/bob')).status, 404);

  const actions = (await call('GET', 'audit')).json.entries.map((e) => `${e.action} ${e.target}`);
  for (const a of ['admin.add bob', 'admin.password bob', 'admin.remove bob']) assert.ok(actions.includes(a), a);
});

test('the panel is served at /admin/ with a strict CSP and never framed', async () => {
  const res = await fetch(`${stack.chatUrl}/admin/`);
  assert.equal(res.status, 200);
  const csp = res.headers.get('content-security-policy');
  assert.match(csp, /frame-ancestors 'none'/);
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.equal(res.headers.get('x-frame-options'), 'DENY');
  assert.match(await res.text(), /panel\.js/);
  for (const file of ['panel.js', 'panel.css']) {
    const asset = await fetch(`${stack.chatUrl}/admin/${file}`);
    assert.equal(asset.status, 200, file);
  }
  const redirect = await fetch(`${stack.chatUrl}/admin`, { redirect: 'manual' });
  assert.equal(redirect.status, 301);
});

test('edgechatctl does what the panel does: admins, site removal, export; audited as cli:USER', async () => {
  const added = await ctlWithInput(['admin', 'add', 'dana', '--password-stdin', '--json'], 'danas password\n');
  assert.equal(added.code, 0, added.stderr);
  assert.equal(JSON.parse(added.stdout).username, 'dana');
  const listed = await stack.ctlJson(['admin', 'list']);
  assert.ok(listed.some((a) => a.username === 'dana'));
  assert.ok(listed.every((a) => !('passwordHash' in a)));
  assert.equal((await stack.ctl(['admin', 'add', 'eve', '--password', 'short'])).code, 2);

  const dana = await login('dana', 'danas password');
  const passwd = await ctlWithInput(['admin', 'passwd', 'dana', '--password-stdin'], 'danas second password\n');
  assert.equal(passwd.code, 0, passwd.stderr);
  assert.equal((await call('GET', 'session', undefined, { who: dana })).status, 401, 'her sessions ended');
  await login('dana', 'danas second password');
  assert.equal((await stack.ctl(['admin', 'passwd', 'nobody', '--password', 'whatever123'])).code, 3);
  assert.equal((await stack.ctl(['admin', 'remove', 'dana'])).code, 0);
  assert.equal((await stack.ctl(['admin', 'remove', 'dana'])).code, 3);
  assert.ok(!(await call('GET', 'admins')).json.admins.some((a) => a.username === 'dana'), 'the panel agrees');

  // Export: JSON lines, one conversation per line, with its messages.
  const exported = await stack.ctl(['conversations', 'export', '--source', 'external']);
  assert.equal(exported.code, 0, exported.stderr);
  const lines = exported.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(lines.length >= 1);
  for (const c of lines) {
    assert.equal(c.sourceLabel, 'External Source');
    assert.ok(Array.isArray(c.messages) && c.messages.length === c.messageCount);
  }
  assert.ok(lines.some((c) => c.messages.some((m) => m.author === 'agent' && m.likes === 1)));
  assert.equal((await stack.ctl(['conversations', 'export', '--status', 'maybe'])).code, 2);

  // A site removed from the CLI is refused by the edge within 2 s.
  const site = await stack.ctlJson(['site', 'add', '--name', 'Short lived', '--origin', 'https://short.test']);
  const config = () => fetch(`${stack.chatUrl}/api/v1/external/config`, { headers: { 'Site-Key': site.key } });
  await eventually(async () => (await config()).status === 200, 2000, 'the edge knows the new site');
  assert.equal((await stack.ctl(['site', 'remove', site.key])).code, 0);
  await eventually(async () => (await config()).status === 401, 2000, 'the edge refuses the removed site');
  assert.equal((await stack.ctl(['site', 'remove', site.key])).code, 3);

  const audit = (await call('GET', 'audit?limit=100')).json.entries;
  for (const action of ['admin.add', 'admin.password', 'admin.remove', 'site.create', 'site.remove']) {
    assert.ok(audit.some((e) => e.action === action && e.actor.startsWith('cli:')), `${action} by the CLI`);
  }
});

test('edgechatctl and the panel apply one set of rules (origins optional, one transaction, same bounds)', async () => {
  // A site without origins is valid in both; the CLI says how to add one.
  const bare = await stack.ctl(['site', 'add', '--name', '  Originless  ', '--json']);
  assert.equal(bare.code, 0, bare.stderr);
  const site = JSON.parse(bare.stdout);
  assert.equal(site.name, 'Originless', 'trimmed as the panel trims');
  assert.deepEqual(site.origins, []);
  assert.match(bare.stderr, new RegExp(`no origins yet: add one with site update ${site.key} --add-origin URL`));
  const panelSite = await call('POST', 'sites', { name: 'Originless too' });
  assert.equal(panelSite.status, 201);
  assert.deepEqual(panelSite.json.origins, []);
  assert.equal((await call('DELETE', `sites/${panelSite.json.key}`)).status, 200);

  // Several changes are one transaction: a failing origin leaves the title as it was.
  const failed = await stack.ctl(['site', 'update', site.key, '--title', 'Changed', '--add-origin', 'https://a.test',
    '--remove-origin', 'https://never.test']);
  assert.equal(failed.code, 3, failed.stderr);
  const after = await stack.ctlJson(['site', 'show', site.key]);
  assert.equal(after.title, 'Chat with us');
  assert.deepEqual(after.origins, []);
  const updated = await stack.ctlJson(['site', 'update', site.key, '--title', 'Changed', '--add-origin', 'https://A.test:443']);
  assert.equal(updated.title, 'Changed');
  assert.deepEqual(updated.origins, ['https://a.test']);

  // The same bounds as the panel: 100000 messages is the most, in both.
  assert.equal((await stack.ctl(['site', 'update', site.key, '--rate-messages', '100001'])).code, 2);
  assert.equal((await call('PATCH', `sites/${site.key}`, { limits: { messages: 100001 } })).status, 400);
  assert.equal((await stack.ctl(['site', 'update', site.key, '--rate-messages', '100000'])).code, 0);
  assert.equal((await call('PATCH', `sites/${site.key}`, { limits: { messages: 100000 } })).status, 200);
  // Lengths in characters, not bytes: 200 Persian letters (400 bytes) are a valid name.
  assert.equal((await stack.ctl(['site', 'update', site.key, '--name', 'ش'.repeat(200)])).code, 0);
  assert.equal((await stack.ctl(['site', 'update', site.key, '--name', 'ش'.repeat(201)])).code, 2);
  assert.equal((await stack.ctl(['site', 'remove', site.key])).code, 0);
});

test('the admin event stream ends when its session does (logout)', async () => {
  const who = await login('admin', stack.adminPassword);
  const res = await fetch(`${stack.chatUrl}/api/v1/admin/events`, { headers: { Cookie: who.cookie } });
  assert.equal(res.status, 200);
  const reader = res.body.getReader();
  await reader.read();  // the stream is live
  assert.equal((await call('POST', 'logout', {}, { who })).status, 200);
  const ended = (async () => {
    for (;;) {
      const { done } = await reader.read();
      if (done) return true;
    }
  })();
  const timeout = sleep(9000).then(() => false);
  assert.equal(await Promise.race([ended, timeout]), true, 'the stream outlived its session');
});
