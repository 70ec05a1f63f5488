// Secret keys and verified identity (docs/server-api.md, "Verified identity"): a key made with
// identity.key_file set keeps a sealed copy (never the key in clear) and can sign identities; a
// key without one (made before migration 012) is listed as "cannot sign identities"; a key file
// of the wrong size stops `secret add` with a clear error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startStack } from '../lib/stack.mjs';
import { sqlOk } from '../lib/sql.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

test('a new key keeps a sealed copy, not the key; an old key says it cannot sign identities', async () => {
  const created = await stack.ctlJson(['secret', 'add', stack.siteKey, '--label', 'identity']);
  assert.equal(created.canSignIdentities, true);
  const sealed = await sqlOk(stack, `SELECT sealed_key FROM site_secret_keys WHERE id = ${created.id}`);
  // hex of nonce (24) + box (16) + the 44-character key
  assert.match(sealed, /^[0-9a-f]{168}$/);
  assert.ok(!sealed.includes(Buffer.from(created.secret).toString('hex')));
  // A key from before migration 012 has no sealed copy.
  const old = await stack.ctlJson(['secret', 'add', stack.siteKey, '--label', 'old']);
  await sqlOk(stack, `UPDATE site_secret_keys SET sealed_key = NULL WHERE id = ${old.id}`);
  const listed = await stack.ctlJson(['secret', 'list', stack.siteKey]);
  assert.equal(listed.find((k) => k.id === created.id).canSignIdentities, true);
  assert.equal(listed.find((k) => k.id === old.id).canSignIdentities, false);
  const text = await stack.ctl(['secret', 'list', stack.siteKey]);
  const oldLine = text.stdout.split('\n').find((l) => l.startsWith(`#${old.id} `));
  assert.match(oldLine, /cannot sign identities; create a new key/);
  const newLine = text.stdout.split('\n').find((l) => l.startsWith(`#${created.id} `));
  assert.doesNotMatch(newLine, /cannot sign identities/);
});

test('a key file of the wrong size stops secret add with a clear error', async () => {
  const bad = join(stack.varDir, 'bad-identity.key');
  await writeFile(bad, 'too short');
  const result = await stack.ctl(['secret', 'add', stack.siteKey, '--json'], { env: { ...stack.env, EDGECHAT_IDENTITY_KEY_FILE: bad } });
  assert.notEqual(result.code, 0);
  assert.match(result.stdout + result.stderr, /identity\.key_file .*exactly 32 bytes/);
});
