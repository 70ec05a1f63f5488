// Admin changes are all-or-nothing on the real stack: a site is created with its settings and its
// audit row in one transaction (so a failing audit or settings write leaves no site behind), an
// admin with its audit row, and the registry document the edge reads is one consistent snapshot.
// Faults come from MariaDB itself: a trigger that refuses a write.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startStack, run } from '../lib/stack.mjs';
import { adminCall, adminLogin } from '../lib/admin.mjs';
import { sqlOk } from '../lib/sql.mjs';
import { sleep } from '../lib/wait.mjs';

// The registry publisher pauses this long between reading the revision and reading the sites
// (fault.registry_read_pause_ms), so the snapshot test can commit a change in between.
const REGISTRY_PAUSE_MS = 2500;

let stack;
let admin;
before(async () => {
  stack = await startStack({ env: { EDGECHAT_FAULT_REGISTRY_READ_PAUSE_MS: String(REGISTRY_PAUSE_MS) } });
  admin = await adminLogin(stack.chatUrl, 'admin', stack.adminPassword);
});
after(async () => { await stack?.stop(); });

const call = (method, path, body) => adminCall(stack.chatUrl, method, path, body, { who: admin });

/** A trigger that makes every `event` on `table` fail, for the duration of `fn`. */
async function withRefusingTrigger(table, event, fn) {
  const name = `test_refuse_${table}_${event.toLowerCase()}`;
  await sqlOk(stack, `CREATE TRIGGER ${name} BEFORE ${event} ON ${table} FOR EACH ROW ` +
    `SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused by test trigger'`);
  try {
    return await fn();
  } finally {
    await sqlOk(stack, `DROP TRIGGER ${name}`);
  }
}

async function auditActions(target) {
  return (await sqlOk(stack, `SELECT action FROM audit_log WHERE target = '${target}' ORDER BY id`)).split('\n').filter(Boolean);
}

test('POST sites applies lock and limits in the transaction that creates the site, audited once', async () => {
  const res = await call('POST', 'sites', {
    name: 'Locked from birth', origins: ['https://born-locked.example'], locked: true,
    limits: { messages: 3, windowSeconds: 60, burst: 1 },
  });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.json.locked, true);
  const key = res.json.key;
  assert.equal(await sqlOk(stack, `SELECT CONCAT(locked, ',', rate_limit_messages, ',', rate_limit_burst) FROM sites WHERE site_key = '${key}'`), '1,3,1');
  // One audit row for one change, naming the settings it was created with.
  assert.deepEqual(await auditActions(key), ['site.create']);
  const detail = JSON.parse(await sqlOk(stack, `SELECT detail FROM audit_log WHERE target = '${key}'`));
  assert.equal(detail.site, 'Locked from birth');
  assert.deepEqual(detail.origins, ['https://born-locked.example']);
  assert.equal(detail.settings.locked.to, true);
});

test('a settings write that fails leaves no half-made site (the edge never sees it unlocked)', async () => {
  const res = await withRefusingTrigger('sites', 'UPDATE', () =>
    call('POST', 'sites', { name: 'Half made', origins: ['https://half.example'], locked: true }));
  assert.ok(res.status >= 500, `expected a server error, got ${res.status} ${res.text}`);
  assert.equal(await sqlOk(stack, "SELECT COUNT(*) FROM sites WHERE name = 'Half made'"), '0');
});

test('an audit row that cannot be written undoes the change it describes (API and CLI)', async () => {
  await withRefusingTrigger('audit_log', 'INSERT', async () => {
    const site = await call('POST', 'sites', { name: 'Unaudited', origins: ['https://unaudited.example'] });
    assert.ok(site.status >= 500, `site: expected a server error, got ${site.status} ${site.text}`);
    const added = await call('POST', 'admins', { username: 'unaudited', password: 'a long password' });
    assert.ok(added.status >= 500, `admin: expected a server error, got ${added.status} ${added.text}`);
    const cli = await stack.ctl(['site', 'add', '--name', 'Unaudited CLI', '--origin', 'https://cli-unaudited.example']);
    assert.notEqual(cli.code, 0, `edgechatctl site add succeeded: ${cli.stdout}`);
    const origin = await call('POST', `sites/${stack.siteKey}/origins`, { origin: 'https://unaudited-origin.example' });
    assert.ok(origin.status >= 500, `origin: expected a server error, got ${origin.status} ${origin.text}`);
  });
  assert.equal(await sqlOk(stack, "SELECT COUNT(*) FROM sites WHERE name IN ('Unaudited', 'Unaudited CLI')"), '0');
  assert.equal(await sqlOk(stack, "SELECT COUNT(*) FROM admins WHERE username = 'unaudited'"), '0');
  assert.equal(await sqlOk(stack, "SELECT COUNT(*) FROM site_origins WHERE origin = 'https://unaudited-origin.example'"), '0');
  // With the trigger gone the same calls work and are audited.
  const again = await call('POST', 'admins', { username: 'unaudited', password: 'a long password' });
  assert.equal(again.status, 201, again.text);
  assert.deepEqual(await auditActions('unaudited'), ['admin.add']);
});

/** The registry document in Redis, or null. */
async function registryInRedis() {
  const result = await run('redis-cli', ['-s', join(stack.varDir, 'run', 'redis.sock'), '--raw', 'GET', 'edgechat:registry']);
  assert.equal(result.code, 0, result.stderr);
  const text = result.stdout.trim();
  return text ? JSON.parse(text) : null;
}

async function dbRevision() {
  return Number(await sqlOk(stack, 'SELECT revision FROM registry_state WHERE id = 1'));
}

async function waitForPublished(revision, limitMs) {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const doc = await registryInRedis();
    if (doc && doc.revision >= revision) return doc;
    if (Date.now() > deadline) throw new Error(`registry revision ${revision} not published within ${limitMs} ms`);
    await sleep(40);
  }
}

test('the registry document is one snapshot: a change committed while it is read waits for the next revision', async () => {
  // Quiet first: Redis holds the database's revision, and a build the publisher may have begun
  // before (at the worker's start, say) has had time to end.
  await waitForPublished(await dbRevision(), 4 * REGISTRY_PAUSE_MS);
  await sleep(REGISTRY_PAUSE_MS + 1000);
  const first = 'https://snapshot-first.example';
  const second = 'https://snapshot-second.example';

  const a = await call('POST', `sites/${stack.siteKey}/origins`, { origin: first });
  assert.equal(a.status, 201, a.text);
  const revisionA = await dbRevision();
  // The publisher (every 500 ms) has read revision A and is pausing before it reads the sites.
  await sleep(1000);
  const b = await call('POST', `sites/${stack.siteKey}/origins`, { origin: second });
  assert.equal(b.status, 201, b.text);
  const revisionB = await dbRevision();
  assert.ok(revisionB > revisionA);

  // Watch every document Redis holds until B's revision is out.
  const seen = new Map();
  const deadline = Date.now() + 4 * REGISTRY_PAUSE_MS + 2000;
  while (!seen.has(revisionB)) {
    assert.ok(Date.now() < deadline, `revision ${revisionB} not published; saw ${[...seen.keys()]}`);
    const doc = await registryInRedis();
    if (doc && doc.revision >= revisionA) seen.set(doc.revision, doc);
    await sleep(40);
  }
  const origins = (doc) => doc.sites.find((s) => s.key === stack.siteKey || s.siteKey === stack.siteKey)?.origins ?? [];
  const docA = seen.get(revisionA);
  assert.ok(docA, `revision ${revisionA} was never published on its own (saw ${[...seen.keys()]}); the pause did not catch it`);
  assert.ok(origins(docA).includes(first), `revision ${revisionA} lacks its own origin: ${JSON.stringify(origins(docA))}`);
  assert.ok(!origins(docA).includes(second), `revision ${revisionA} carries a later change: ${JSON.stringify(origins(docA))}`);
  assert.ok(origins(seen.get(revisionB)).includes(second));
});
