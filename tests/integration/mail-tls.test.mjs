// Mail over TLS and AUTH against a real SMTP server (aiosmtpd with STARTTLS required and AUTH with
// a user and password, tests/lib/smtp_sink.py): the worker upgrades with STARTTLS, authenticates
// with the password from mail.password_file, and the mail arrives once. With STARTTLS required,
// a relay that does not offer it gets nothing in the clear: the attempts fail and are retried.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, run } from '../lib/stack.mjs';
import { startSmtpSink } from '../lib/smtp.mjs';
import { sqlOk } from '../lib/sql.mjs';
import { newGuest, postWorkerMessage, guestHistory } from '../lib/guest.mjs';
import { waitFor, sleep } from '../lib/wait.mjs';

let stack;
let tlsSink;
let plainSink;
let secrets;

before(async () => {
  secrets = await mkdtemp(join(tmpdir(), 'ec-tls-'));
  const cert = join(secrets, 'cert.pem');
  const key = join(secrets, 'key.pem');
  const made = await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-keyout', key, '-out', cert]);
  assert.equal(made.code, 0, made.stderr);
  await writeFile(join(secrets, 'smtp-password'), 'correct horse battery\n', { mode: 0o600 });
  tlsSink = await startSmtpSink({ args: ['--starttls', cert, key, '--auth', 'mailer', 'correct horse battery'] });
  plainSink = await startSmtpSink();
  stack = await startStack({
    env: {
      EDGECHAT_MAIL_ENABLED: 'on',
      EDGECHAT_MAIL_RELAY: `127.0.0.1:${tlsSink.port}`,
      EDGECHAT_MAIL_TLS: 'starttls',
      EDGECHAT_MAIL_TLS_VERIFY: 'off', // a self-signed certificate
      EDGECHAT_MAIL_USER: 'mailer',
      EDGECHAT_MAIL_PASSWORD_FILE: join(secrets, 'smtp-password'),
      EDGECHAT_MAIL_FROM: 'chat@edgechat.test',
      EDGECHAT_MAIL_POLL_MS: '100',
      EDGECHAT_MAIL_BACKOFF_BASE_MS: '200',
      EDGECHAT_MAIL_BACKOFF_MAX_MS: '1000',
      EDGECHAT_MAIL_CONNECT_TIMEOUT_MS: '1000',
      EDGECHAT_MAIL_TIMEOUT_MS: '3000',
    },
  });
  await stack.ctlJson(['admin', 'mail', 'admin', '--email', 'agent@example.test']);
});
after(async () => {
  await stack?.stop();
  await tlsSink?.close();
  await plainSink?.close();
  if (secrets) await rm(secrets, { recursive: true, force: true });
});

async function newConversationMailId() {
  const guest = await newGuest(stack);
  await postWorkerMessage(stack, guest.token, 'hello over TLS', `tls-${Date.now()}-${Math.random()}`);
  const { conversationId } = await guestHistory(stack, guest.token);
  return Number(await sqlOk(stack, `SELECT id FROM outbox WHERE idempotency_key LIKE 'new_conversation:${conversationId}:%'`));
}

test('STARTTLS required and AUTH: the mail arrives once, encrypted and authenticated', async () => {
  const id = await newConversationMailId();
  const messageId = `<edgechat.outbox.${id}@edgechat.test>`;
  const mail = await waitFor('the mail', async () => (await tlsSink.mails()).find((m) => m.messageId === messageId),
    { timeoutMs: 15000 });
  assert.equal(mail.tls, true);
  assert.equal(mail.login, 'mailer');
  await sleep(500);
  assert.equal((await tlsSink.mails()).filter((m) => m.messageId === messageId).length, 1);
});

test('STARTTLS required: a relay without it gets nothing in the clear; attempts are retried', async () => {
  // The same worker settings, pointed at a relay that offers no STARTTLS.
  await stack.killRecorded('worker', 'SIGTERM');
  stack.env.EDGECHAT_MAIL_RELAY = `127.0.0.1:${plainSink.port}`;
  const restarted = await stack.script('start');
  assert.equal(restarted.code, 0, restarted.stderr);
  const id = await newConversationMailId();
  const row = await waitFor('failed attempts', async () => {
    const [r] = await sqlOk(stack, `SELECT attempts, last_error, delivered_at IS NULL FROM outbox WHERE id = ${id}`, { rows: true });
    return Number(r[0]) >= 2 ? r : null;
  }, { timeoutMs: 15000 });
  assert.match(row[1], /SSL|TLS|STARTTLS/i);
  assert.equal(row[2], '1');
  assert.equal((await plainSink.mails()).length, 0, 'nothing was sent without TLS');
});
