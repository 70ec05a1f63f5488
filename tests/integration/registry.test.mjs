// Site changes made with the CLI reach the edge through the registry (MySQL -> worker/CLI ->
// Redis -> nginx) within 2 seconds, without an nginx reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startStack } from '../lib/stack.mjs';
import { sleep } from '../lib/wait.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

/** Polls `check` until it holds; returns the milliseconds it took. Fails after `limitMs`. */
async function within(limitMs, what, check) {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > limitMs) throw new Error(`${what}: not within ${limitMs} ms`);
    await sleep(50);
  }
}

/** A request with an explicit Origin header (fetch would not let us set it). */
function get(path, headers) {
  return new Promise((resolve, reject) => {
    const req = request(`${stack.chatUrl}${path}`, { headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function nginxPid() {
  return (await readFile(join(stack.varDir, 'run', 'nginx.pid'), 'utf8')).trim();
}

test('an origin added with the CLI is granted within 2 s; removed, refused again', async () => {
  const origin = 'https://added.example';
  const config = () => get('/api/v1/external/config', { 'Site-Key': stack.siteKey, Origin: origin });
  assert.equal((await config()).status, 403);
  const pid = await nginxPid();

  await stack.ctlJson(['site', 'update', stack.siteKey, '--add-origin', origin]);
  await within(2000, 'origin granted', async () => {
    const res = await config();
    return res.status === 200 && res.headers['access-control-allow-origin'] === origin;
  });

  await stack.ctlJson(['site', 'update', stack.siteKey, '--remove-origin', origin]);
  await within(2000, 'origin refused', async () => (await config()).status === 403);
  assert.equal(await nginxPid(), pid, 'no nginx restart');
});

test('a lock made with the CLI shows in config and refuses messages within 2 s', async () => {
  const guest = await (await fetch(`${stack.chatUrl}/api/v1/external/guests`, {
    method: 'POST', headers: { 'Site-Key': stack.siteKey },
  })).json();
  await stack.ctlJson(['site', 'update', stack.siteKey, '--lock', '--locked-message', 'Back on Monday']);
  try {
    await within(2000, 'locked config', async () => {
      const res = await get('/api/v1/external/config', { 'Site-Key': stack.siteKey });
      const body = JSON.parse(res.body);
      return body.locked === true && body.lockedMessage === 'Back on Monday';
    });
    const res = await fetch(`${stack.chatUrl}/api/v1/external/messages`, {
      method: 'POST',
      headers: { 'Site-Key': stack.siteKey, Authorization: `Bearer ${guest.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: 'hello?', clientId: 'locked-cli' }),
    });
    assert.equal(res.status, 403);
    assert.equal((await res.json()).error, 'site_locked');
  } finally {
    await stack.ctlJson(['site', 'update', stack.siteKey, '--unlock', '--locked-message', '']);
  }
  await within(2000, 'unlocked config', async () =>
    JSON.parse((await get('/api/v1/external/config', { 'Site-Key': stack.siteKey })).body).locked === false);
});

test('colour and title changes reach the edge config within 2 s', async () => {
  await stack.ctlJson(['site', 'update', stack.siteKey, '--color', '#112233', '--title', 'پشتیبانی']);
  await within(2000, 'new appearance', async () => {
    const body = JSON.parse((await get('/api/v1/external/config', { 'Site-Key': stack.siteKey })).body);
    return body.primaryColor === '#112233' && body.title === 'پشتیبانی';
  });
});

test('a rotated site key replaces the old one within 2 s', async () => {
  const main = (await stack.ctlJson(['site', 'list'])).find((s) => s.main);
  const rotated = await stack.ctlJson(['site', 'rotate-key', main.key]);
  assert.notEqual(rotated.key, main.key);
  assert.match(rotated.key, /^ek_[A-Za-z0-9]{24}$/);
  await within(2000, 'new key known, old key unknown', async () => {
    const fresh = await get('/api/v1/external/config', { 'Site-Key': rotated.key });
    const old = await get('/api/v1/external/config', { 'Site-Key': main.key });
    return fresh.status === 200 && old.status === 401;
  });
});

test('secret keys: shown once, stored hashed, listed by prefix, revocable', async () => {
  const added = await stack.ctlJson(['secret', 'add', stack.siteKey, '--label', 'ci']);
  assert.match(added.secret, /^esk_[A-Za-z0-9]{40}$/);
  assert.equal(added.prefix, added.secret.slice(0, 10));
  const listed = await stack.ctlJson(['secret', 'list', stack.siteKey]);
  const mine = listed.find((k) => k.id === added.id);
  assert.equal(mine.label, 'ci');
  assert.equal(mine.revokedAt, null);
  assert.equal(JSON.stringify(listed).includes(added.secret), false, 'the secret is never listed');
  const revoked = await stack.ctlJson(['secret', 'revoke', stack.siteKey, added.prefix]);
  assert.ok(revoked.revokedAt);
  const missing = await stack.ctl(['secret', 'revoke', stack.siteKey, 'esk_nothin']);
  assert.equal(missing.code, 3);
});

test('CLI errors: unknown site 3, bad origin 2', async () => {
  assert.equal((await stack.ctl(['site', 'update', 'ek_nope', '--lock'])).code, 3);
  assert.equal((await stack.ctl(['site', 'update', stack.siteKey, '--add-origin', 'null'])).code, 2);
  assert.equal((await stack.ctl(['site', 'update', stack.siteKey, '--remove-origin', 'https://never.example'])).code, 3);
});
