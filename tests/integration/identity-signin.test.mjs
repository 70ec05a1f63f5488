// Verified identity, the guest side (docs/api.md, "Verified identity"): POST guests with an
// Edgechat-Identity token signed by the site's secret key finds or makes the guest of (site,
// userId), so a second device sees the same history; an anonymous guest who signs in is merged
// with no message lost and its token stops working; every call of a verified guest needs a fresh
// token of the same user; each hostile token is refused with its own identity_* code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { startStack } from '../lib/stack.mjs';
import { sqlOk } from '../lib/sql.mjs';
import { stackWorkerRequest } from '../lib/worker.mjs';
import { edgeRequest } from '../lib/edge.mjs';
import { newGuest, guestHeaders, postWorkerMessage, guestHistory } from '../lib/guest.mjs';

const GUESTS = '/api/v1/external/guests';
const MESSAGES = '/api/v1/external/messages';

let stack;
let key;       // a sealed secret key of the demo site
let otherKey;  // a sealed secret key of another site

const b64 = (text) => Buffer.from(text).toString('base64url');

/** A token as a host's server signs it (docs/server-api.md). */
function sign(secret, claims, { kid = secret.slice(0, 10) } = {}) {
  const payload = b64(JSON.stringify({ kid, exp: Math.floor(Date.now() / 1000) + 300, ...claims }));
  const mac = createHmac('sha256', secret).update(`edgechat-identity-v1.${payload}`).digest('base64url');
  return `${payload}.${mac}`;
}

function signIn(token, { anonymous, siteKey = stack.siteKey } = {}) {
  const headers = { 'Site-Key': siteKey, 'Edgechat-Identity': token };
  if (anonymous) headers.Authorization = `Bearer ${anonymous}`;
  return stackWorkerRequest(stack, 'POST', GUESTS, { headers });
}

function asUser(device, token) {
  return { ...guestHeaders(stack, device), 'Edgechat-Identity': token };
}

before(async () => {
  stack = await startStack();
  key = await stack.ctlJson(['secret', 'add', stack.siteKey, '--label', 'identity']);
  const other = await stack.ctlJson(['site', 'add', '--name', 'Identity other', '--origin', 'https://identity-other.test']);
  otherKey = await stack.ctlJson(['secret', 'add', other.key, '--label', 'other']);
});
after(async () => { await stack?.stop(); });

test('a verified user gets one guest on every device: the second device sees the history', async () => {
  const laptop = await signIn(sign(key.secret, { userId: 'user-1', name: 'Sara Ahmadi', email: 'sara@shop.example' }));
  assert.equal(laptop.status, 201, laptop.text);
  assert.deepEqual(laptop.json.verified, { userId: 'user-1', name: 'Sara Ahmadi', email: 'sara@shop.example' });
  assert.equal(laptop.json.merged, false);
  const sent = await stackWorkerRequest(stack, 'POST', MESSAGES, {
    headers: asUser(laptop.json.token, sign(key.secret, { userId: 'user-1' })), body: { text: 'from the laptop' },
  });
  assert.equal(sent.status, 201, sent.text);

  const phone = await signIn(sign(key.secret, { userId: 'user-1', name: 'Sara A.' }));
  assert.equal(phone.status, 200, phone.text);  // found, not made
  assert.equal(phone.json.guestId, laptop.json.guestId);
  assert.notEqual(phone.json.token, laptop.json.token);
  const history = await stackWorkerRequest(stack, 'GET', MESSAGES, { headers: asUser(phone.json.token, sign(key.secret, { userId: 'user-1' })) });
  assert.equal(history.status, 200, history.text);
  assert.deepEqual(history.json.messages.map((m) => m.text), ['from the laptop']);
  // Both devices' tokens still work, and the name is the last token's.
  const again = await stackWorkerRequest(stack, 'GET', MESSAGES, { headers: asUser(laptop.json.token, sign(key.secret, { userId: 'user-1' })) });
  assert.equal(again.status, 200, again.text);
  const row = await sqlOk(stack, "SELECT CONCAT(verified_name, '|', IFNULL(verified_email, '-')) FROM guests WHERE external_user_id = 'user-1'");
  assert.equal(row, 'Sara A.|-');
  assert.equal(await sqlOk(stack, "SELECT COUNT(*) FROM guests WHERE external_user_id = 'user-1'"), '1');
});

test('every call of a verified guest needs a fresh token of the same user', async () => {
  const device = (await signIn(sign(key.secret, { userId: 'user-2' }))).json.token;
  const bare = await stackWorkerRequest(stack, 'GET', MESSAGES, { headers: guestHeaders(stack, device) });
  assert.equal(bare.status, 401);
  assert.equal(bare.json.error, 'identity_required');
  const someoneElse = await stackWorkerRequest(stack, 'POST', MESSAGES, {
    headers: asUser(device, sign(key.secret, { userId: 'user-3' })), body: { text: 'not mine' },
  });
  assert.equal(someoneElse.status, 401);
  assert.equal(someoneElse.json.error, 'identity_user_mismatch');
  const expired = await stackWorkerRequest(stack, 'POST', '/api/v1/external/events/ticket', {
    headers: asUser(device, sign(key.secret, { userId: 'user-2', exp: Math.floor(Date.now() / 1000) - 120 })),
  });
  assert.equal(expired.status, 401);
  assert.equal(expired.json.error, 'identity_expired');
  const ticket = await stackWorkerRequest(stack, 'POST', '/api/v1/external/events/ticket', {
    headers: asUser(device, sign(key.secret, { userId: 'user-2' })),
  });
  assert.equal(ticket.status, 201, ticket.text);
  // Nothing was posted by the refused calls.
  assert.equal(await sqlOk(stack, "SELECT COUNT(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id JOIN guests g ON g.id = c.guest_id WHERE g.external_user_id = 'user-2'"), '0');
});

test('an anonymous guest who signs in is merged: no message lost, its old token refused', async () => {
  // The user already has a conversation on another device...
  const other = (await signIn(sign(key.secret, { userId: 'user-4' }))).json.token;
  const first = await stackWorkerRequest(stack, 'POST', MESSAGES, {
    headers: asUser(other, sign(key.secret, { userId: 'user-4' })), body: { text: 'earlier, logged in', clientId: 'c-1' },
  });
  assert.equal(first.status, 201, first.text);
  // ...and chats anonymously on this one, with a clientId that clashes.
  const anonymous = await newGuest(stack);
  await postWorkerMessage(stack, anonymous.token, 'before login 1', 'c-1');
  await postWorkerMessage(stack, anonymous.token, 'before login 2', 'c-2');
  const merged = await signIn(sign(key.secret, { userId: 'user-4' }), { anonymous: anonymous.token });
  assert.equal(merged.status, 200, merged.text);
  assert.equal(merged.json.merged, true);
  const history = await stackWorkerRequest(stack, 'GET', MESSAGES, { headers: asUser(merged.json.token, sign(key.secret, { userId: 'user-4' })) });
  assert.equal(history.status, 200, history.text);
  assert.deepEqual(history.json.messages.map((m) => m.text).sort(), ['before login 1', 'before login 2', 'earlier, logged in']);
  const old = await stackWorkerRequest(stack, 'GET', MESSAGES, { headers: guestHeaders(stack, anonymous.token) });
  assert.equal(old.status, 401);
  assert.equal(old.json.error, 'invalid_token');
  assert.equal(await sqlOk(stack, `SELECT COUNT(*) FROM guests WHERE public_id = '${anonymous.guestId}'`), '0');
});

test('a first sign-in after anonymous chat takes over the anonymous conversation', async () => {
  const anonymous = await newGuest(stack);
  await postWorkerMessage(stack, anonymous.token, 'hello anonymously');
  const before = (await guestHistory(stack, anonymous.token)).conversationId;
  const merged = await signIn(sign(key.secret, { userId: 'user-5' }), { anonymous: anonymous.token });
  assert.equal(merged.status, 201, merged.text);
  assert.equal(merged.json.merged, true);
  const history = await stackWorkerRequest(stack, 'GET', MESSAGES, { headers: asUser(merged.json.token, sign(key.secret, { userId: 'user-5' })) });
  assert.equal(history.json.conversationId, before);
  assert.deepEqual(history.json.messages.map((m) => m.text), ['hello anonymously']);
});

test('another user\'s guest is never merged, nor a guest of another site', async () => {
  const alice = (await signIn(sign(key.secret, { userId: 'user-6' }))).json.token;
  await stackWorkerRequest(stack, 'POST', MESSAGES, { headers: asUser(alice, sign(key.secret, { userId: 'user-6' })), body: { text: 'alice only' } });
  const bob = await signIn(sign(key.secret, { userId: 'user-7' }), { anonymous: alice });
  assert.equal(bob.status, 201, bob.text);
  assert.equal(bob.json.merged, false);
  const bobs = await stackWorkerRequest(stack, 'GET', MESSAGES, { headers: asUser(bob.json.token, sign(key.secret, { userId: 'user-7' })) });
  assert.deepEqual(bobs.json.messages, []);
  const alices = await stackWorkerRequest(stack, 'GET', MESSAGES, { headers: asUser(alice, sign(key.secret, { userId: 'user-6' })) });
  assert.deepEqual(alices.json.messages.map((m) => m.text), ['alice only']);
});

test('each hostile token is refused with its own code and makes no guest', async () => {
  const now = Math.floor(Date.now() / 1000);
  const old = await stack.ctlJson(['secret', 'add', stack.siteKey, '--label', 'unsealed']);
  await sqlOk(stack, `UPDATE site_secret_keys SET sealed_key = NULL WHERE id = ${old.id}`);
  const revoked = await stack.ctlJson(['secret', 'add', stack.siteKey, '--label', 'revoked']);
  const revoke = await stack.ctl(['secret', 'revoke', stack.siteKey, String(revoked.id)]);
  assert.equal(revoke.code, 0, revoke.stderr);
  const good = sign(key.secret, { userId: 'hostile' });
  const [payload] = good.split('.');
  const cases = [
    ['forged signature', `${payload}.${createHmac('sha256', 'not the key').update(`edgechat-identity-v1.${payload}`).digest('base64url')}`, 'identity_bad_signature'],
    ['altered payload', `${b64(JSON.stringify({ kid: key.secret.slice(0, 10), userId: 'admin', exp: now + 300 }))}.${good.split('.')[1]}`, 'identity_bad_signature'],
    ['expired (a replay after its expiry)', sign(key.secret, { userId: 'hostile', exp: now - 120 }), 'identity_expired'],
    ['exp too far ahead', sign(key.secret, { userId: 'hostile', exp: now + 3600 }), 'identity_exp_too_far'],
    ['another site\'s key', sign(otherKey.secret, { userId: 'hostile' }), 'identity_unknown_key'],
    ['revoked key', sign(revoked.secret, { userId: 'hostile' }), 'identity_key_revoked'],
    ['key without a sealed copy', sign(old.secret, { userId: 'hostile' }), 'identity_key_unsealed'],
    ['malformed base64', `${payload}!.${good.split('.')[1]}`, 'identity_malformed'],
    ['malformed JSON', `${b64('{"userId": ')}.${good.split('.')[1]}`, 'identity_malformed'],
    ['no dot', payload, 'identity_malformed'],
    ['oversized userId', sign(key.secret, { userId: 'u'.repeat(129) }), 'identity_invalid_claim'],
    ['bad userId grammar', sign(key.secret, { userId: 'a b' }), 'identity_invalid_claim'],
    ['oversized name', sign(key.secret, { userId: 'hostile', name: 'n'.repeat(201) }), 'identity_invalid_claim'],
    ['bad email', sign(key.secret, { userId: 'hostile', email: 'not-an-address' }), 'identity_invalid_claim'],
    ['empty header', '', 'identity_malformed'],
  ];
  for (const [what, token, code] of cases) {
    const res = await signIn(token);
    assert.equal(res.status, 401, `${what}: ${res.text}`);
    assert.equal(res.json.error, code, `${what}: ${res.text}`);
    assert.equal(typeof res.json.message, 'string', what);
  }
  // A token over the size cap never reaches the worker's parser whole.
  const huge = await signIn('a'.repeat(3000) + '.b');
  assert.equal(huge.status, 401);
  assert.equal(huge.json.error, 'identity_malformed');
  assert.equal(await sqlOk(stack, "SELECT COUNT(*) FROM guests WHERE external_user_id = 'hostile' OR external_user_id = 'admin'"), '0');
  // Another site's token for its own site works there: only the site it was signed for counts.
  const sites = await stack.ctlJson(['site', 'list']);
  const otherSite = sites.find((s) => s.name === 'Identity other');
  const there = await signIn(sign(otherKey.secret, { userId: 'hostile' }), { siteKey: otherSite.key });
  assert.equal(there.status, 201, there.text);
});

test('through the edge: the preflight allows Edgechat-Identity and the sign-in works', async () => {
  const preflight = await edgeRequest(stack, 'OPTIONS', GUESTS, {
    headers: { Origin: stack.demoUrl, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'site-key, edgechat-identity' },
  });
  assert.equal(preflight.status, 204, preflight.text);
  assert.match(preflight.headers['access-control-allow-headers'], /Edgechat-Identity/);
  const res = await edgeRequest(stack, 'POST', GUESTS, { headers: { Origin: stack.demoUrl, 'Edgechat-Identity': sign(key.secret, { userId: 'edge-user' }) } });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.json.verified.userId, 'edge-user');
  const bad = await edgeRequest(stack, 'POST', GUESTS, { headers: { Origin: stack.demoUrl, 'Edgechat-Identity': sign(key.secret, { userId: 'edge-user', exp: 1 }) } });
  assert.equal(bad.status, 401);
  assert.equal(bad.json.error, 'identity_expired');
});
