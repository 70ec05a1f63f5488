// The walking skeleton end to end over HTTP: widget.js from the module, the frame, config from the
// database, a guest's message stored by the worker in MySQL and listed by the CLI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, run, ROOT, BUILD } from '../lib/stack.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

test('scripts/start prints the URLs and the admin login', () => {
  assert.match(stack.startOutput, new RegExp(`Chat server +${stack.chatUrl}`));
  assert.match(stack.startOutput, new RegExp(`Demo host page +${stack.demoUrl}`));
  assert.match(stack.startOutput, new RegExp(`Admin login +admin / ${stack.adminPassword}`));
  assert.match(stack.startOutput, new RegExp(`Admin panel +${stack.chatUrl}/admin/`));
});

test('widget.js is served by the module with an ETag and revalidates to 304', async () => {
  const res = await fetch(`${stack.chatUrl}/widget.js`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /javascript/);
  const etag = res.headers.get('etag');
  assert.ok(etag, 'ETag header present');
  assert.match(await res.text(), /data-site-id|site-id|siteId/);
  const again = await fetch(`${stack.chatUrl}/widget.js`, { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
});

test('the demo host page embeds the widget with the two lines of the brief', async () => {
  const html = await (await fetch(`${stack.demoUrl}/`)).text();
  assert.ok(html.includes(`<script src="${stack.chatUrl}/widget.js" data-site-id="${stack.siteKey}"></script>`));
  assert.ok(html.includes('<div id="chat-container"></div>'));
});

test('the frame document loads from the chat origin', async () => {
  const res = await fetch(`${stack.chatUrl}/frame/?site=${stack.siteKey}`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /text\/html/);
});

test('config comes from the database for a known key, 401 otherwise', async () => {
  const res = await fetch(`${stack.chatUrl}/api/v1/external/config`, { headers: { 'Site-Key': stack.siteKey } });
  assert.equal(res.status, 200);
  const config = await res.json();
  assert.equal(config.title, 'Demo shop support');
  assert.equal(config.primaryColor, '#0f766e');
  assert.equal(config.locked, false);

  const missing = await fetch(`${stack.chatUrl}/api/v1/external/config`);
  assert.equal(missing.status, 401);
  assert.equal((await missing.json()).error, 'missing_site_key');

  const unknown = await fetch(`${stack.chatUrl}/api/v1/external/config`, {
    headers: { 'Site-Key': 'ek_' + 'x'.repeat(24) },
  });
  assert.equal(unknown.status, 401);
  assert.equal((await unknown.json()).error, 'unknown_site_key');
});

test('a guest message is stored once in MySQL and listed by the CLI', async () => {
  const headers = { 'Site-Key': stack.siteKey, 'Content-Type': 'application/json' };
  const guestRes = await fetch(`${stack.chatUrl}/api/v1/external/guests`, { method: 'POST', headers, body: '{}' });
  assert.equal(guestRes.status, 201);
  const guest = await guestRes.json();
  assert.match(guest.guestId, /^g_[A-Za-z0-9]{24}$/);
  assert.ok(guest.token.length >= 22, 'token carries at least 128 bits');

  const auth = { ...headers, Authorization: `Bearer ${guest.token}` };
  const text = 'سلام! Hello from the skeleton test 👋';
  const body = JSON.stringify({ text, clientId: 'skeleton-1' });
  const first = await fetch(`${stack.chatUrl}/api/v1/external/messages`, { method: 'POST', headers: auth, body });
  assert.equal(first.status, 201);
  const stored = (await first.json()).message;
  assert.equal(stored.text, text);

  const retry = await fetch(`${stack.chatUrl}/api/v1/external/messages`, { method: 'POST', headers: auth, body });
  assert.equal(retry.status, 200, 'a retry with the same clientId is not a new message');
  assert.equal((await retry.json()).message.id, stored.id);

  const history = await (await fetch(`${stack.chatUrl}/api/v1/external/messages`, { headers: auth })).json();
  assert.deepEqual(history.messages.map((m) => m.text), [text]);

  const listed = await stack.ctlJson(['messages', 'list', '--site', stack.siteKey]);
  const mine = listed.filter((m) => m.clientId === 'skeleton-1');
  assert.equal(mine.length, 1);
  assert.equal(mine[0].text, text);
  assert.equal(mine[0].source, 'external');
});

test('a bad token is refused', async () => {
  const res = await fetch(`${stack.chatUrl}/api/v1/external/messages`, {
    headers: { 'Site-Key': stack.siteKey, Authorization: 'Bearer not-a-real-token' },
  });
  assert.equal(res.status, 401);
  assert.equal((await res.json()).error, 'invalid_token');
});

test('running scripts/start again is harmless', async () => {
  const again = await stack.script('start');
  assert.equal(again.code, 0, again.stderr);
  const res = await fetch(`${stack.chatUrl}/api/v1/external/config`, { headers: { 'Site-Key': stack.siteKey } });
  assert.equal(res.status, 200);
});

test('the CLI lists the demo site and rejects bad usage', async () => {
  const sites = await stack.ctlJson(['site', 'list']);
  const demo = sites.find((s) => s.key === stack.siteKey);
  assert.ok(demo, 'demo site listed');
  const bad = await stack.ctl(['site', 'add', '--name', 'x', '--origin', 'https://evil.test/path']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /path/i);
  const unknown = await stack.ctl(['no-such-command']);
  assert.equal(unknown.code, 2);
});

test('the CLI names an unreachable database and exits 4', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ec-cfg-'));
  try {
    const config = join(dir, 'edgechat.conf');
    await writeFile(config, `db.socket = ${join(dir, 'nothing.sock')}\ndb.user = edgechat\ndb.name = edgechat\n`);
    const res = await run(join(BUILD, 'edgechatctl'), ['--config', config, 'site', 'list']);
    assert.equal(res.code, 4);
    assert.match(res.stderr, /nothing\.sock/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('scripts/start names a port that is already taken', async () => {
  const blocker = createServer();
  await new Promise((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const taken = blocker.address().port;
  const dir = await mkdtemp(join(tmpdir(), 'ec-'));
  try {
    const env = { ...stack.env, EDGECHAT_VAR: dir, EDGECHAT_PORT: String(taken), EDGECHAT_PUBLIC_URL: `http://127.0.0.1:${taken}` };
    const res = await run(join(ROOT, 'scripts', 'start'), [], { env });
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, new RegExp(`port ${taken} is already in use`));
  } finally {
    blocker.close();
    await run(join(ROOT, 'scripts', 'stop'), [], { env: { ...stack.env, EDGECHAT_VAR: dir } });
    await rm(dir, { recursive: true, force: true });
  }
});
