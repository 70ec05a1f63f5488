// Backup and restore as docs/ops.md tells an operator to do them, against the real stack: a
// consistent mariadb-dump of the live database, then the database lost, and the documented restore
// (stop the workers, load the dump, `edgechatctl registry republish`, start the workers). What the
// backup held comes back exactly (messages, reactions, statuses, admins, secret keys, the event ids
// streams resume from); what was written after the backup is gone everywhere, the edge included: a
// site created after the backup is refused again, which it would not be without the republish step.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { startStack, run } from '../lib/stack.mjs';
import { openEvents } from '../lib/sse.mjs';
import { sqlOk } from '../lib/sql.mjs';
import { newGuest, postWorkerMessage, guestHistory, guestHeaders } from '../lib/guest.mjs';
import { adminLogin } from '../lib/admin.mjs';
import { waitFor } from '../lib/wait.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

const socket = () => join(stack.varDir, 'run', 'mysql.sock');
const redis = (...args) => run('redis-cli', ['-s', join(stack.varDir, 'run', 'redis.sock'), ...args]);

/** GET config through the edge with `siteKey`: the edge answers it from its registry alone. */
const configStatus = async (siteKey) =>
  (await fetch(`${stack.chatUrl}/api/v1/external/config`, { headers: { 'Site-Key': siteKey } })).status;

/** Everything a restore must bring back, read from MySQL in a fixed order. */
const snapshot = async () => ({
  messages: await sqlOk(stack, 'SELECT id, conversation_id, author, body, created_at FROM messages ORDER BY id', { rows: true }),
  reactions: await sqlOk(stack, 'SELECT message_id, value FROM reactions ORDER BY message_id', { rows: true }),
  conversations: await sqlOk(stack, 'SELECT id, status FROM conversations ORDER BY id', { rows: true }),
  events: await sqlOk(stack, 'SELECT id, conversation_id, type, payload FROM events ORDER BY id', { rows: true }),
  admins: await sqlOk(stack, 'SELECT username, password_hash FROM admins ORDER BY id', { rows: true }),
  secrets: await sqlOk(stack, 'SELECT key_prefix, key_hash, revoked_at FROM site_secret_keys ORDER BY id', { rows: true }),
  migrations: await sqlOk(stack, 'SELECT version FROM schema_migrations ORDER BY version', { rows: true }),
});

test('a dump taken live restores exactly what it held, and nothing written after it', async () => {
  // Data of every kind.
  const guest = await newGuest(stack);
  await postWorkerMessage(stack, guest.token, 'before the backup', 'backup-1');
  const { conversationId } = await guestHistory(stack, guest.token);
  const reply = await stack.ctlJson(['conversations', 'reply', String(conversationId), '--text', 'Agent answer', '--as', 'admin']);
  const like = await fetch(`${stack.chatUrl}/api/v1/external/messages/${reply.message.id}/reaction`, {
    method: 'PUT', headers: guestHeaders(stack, guest.token), body: JSON.stringify({ value: 'like' }),
  });
  assert.equal(like.status, 200);
  await stack.ctlJson(['secret', 'add', stack.siteKey, '--label', 'backup test']);
  const atBackup = await snapshot();
  const historyAtBackup = await guestHistory(stack, guest.token);
  assert.equal(atBackup.messages.length, 2);
  assert.equal(atBackup.reactions.length, 1);

  // The backup: one consistent snapshot of InnoDB without locking the tables the workers write.
  const dump = await run('mariadb-dump', ['--no-defaults', `--socket=${socket()}`, '-uroot',
    '--single-transaction', '--routines', '--triggers', '--databases', 'edgechat']);
  assert.equal(dump.code, 0, dump.stderr);
  const dumpFile = join(stack.varDir, 'edgechat-backup.sql');
  await writeFile(dumpFile, dump.stdout);

  // Written after the backup: a message, a guest and a whole site, which the edge learns of.
  await postWorkerMessage(stack, guest.token, 'after the backup', 'backup-2');
  const lateGuest = await newGuest(stack);
  await postWorkerMessage(stack, lateGuest.token, 'late guest', 'backup-3');
  const lateSite = await stack.ctlJson(['site', 'add', '--name', 'Late site', '--origin', 'https://late.example']);
  await waitFor('the late site at the edge', async () => (await configStatus(lateSite.key)) === 200, { timeoutMs: 5000 });

  // The database is lost.
  await stack.killRecorded('worker', 'SIGTERM');
  await sqlOk(stack, 'DROP DATABASE edgechat');

  // The restore, as docs/ops.md gives it: load the dump, `edgechatctl registry republish` (Redis
  // holds a revision newer than the restored one, and a publisher never replaces a newer
  // revision), start the workers.
  const restored = await run('mariadb', ['--no-defaults', `--socket=${socket()}`, '-uroot',
    '-e', `source ${dumpFile}`]);
  assert.equal(restored.code, 0, restored.stderr);
  const restoredRevision = Number(await sqlOk(stack, 'SELECT revision FROM registry_state'));
  const heldRevision = Number((await redis('GET', 'edgechat:registry:rev')).stdout.trim());
  assert.ok(heldRevision > restoredRevision, `Redis holds ${heldRevision}, the dump ${restoredRevision}`);
  const republished = await stack.ctlJson(['registry', 'republish']);
  assert.equal(republished.heldRevision, heldRevision);
  assert.equal(republished.publishedRevision, heldRevision + 1);
  assert.equal(Number((await redis('GET', 'edgechat:registry:rev')).stdout.trim()), heldRevision + 1);
  const started = await stack.script('start');
  assert.equal(started.code, 0, started.stdout + started.stderr);

  // Exactly what the backup held.
  assert.deepEqual(await snapshot(), atBackup);
  assert.deepEqual(await guestHistory(stack, guest.token), historyAtBackup);
  const unknownGuest = await fetch(`${stack.chatUrl}/api/v1/external/messages`, { headers: guestHeaders(stack, lateGuest.token) });
  assert.equal(unknownGuest.status, 401, 'a guest made after the backup is unknown');
  // The edge follows the restored registry: the late site is refused, the others still served.
  await waitFor('the late site refused at the edge', async () => (await configStatus(lateSite.key)) === 401, { timeoutMs: 8000 });
  assert.equal(await configStatus(stack.siteKey), 200);
  await adminLogin(stack.chatUrl, 'admin', stack.adminPassword);

  // Life goes on: a stream resuming from the backup's last event gets the next message, once.
  const stream = await openEvents(stack, guest.token, { lastEventId: historyAtBackup.lastEventId });
  try {
    const next = await postWorkerMessage(stack, guest.token, 'after the restore', 'backup-4');
    const event = await stream.next(5000);
    assert.equal(event.event, 'message');
    assert.equal(event.data.id, next.id);
    assert.equal(event.data.text, 'after the restore');
    assert.ok(event.id > historyAtBackup.lastEventId);
    assert.equal(stream.pending(), 0);
  } finally {
    stream.close();
  }
});
