// The server API on the real stack: secret keys checked at the edge (unknown, revoked within 2 s,
// malformed, browsers refused, limited per key) and again at the worker (a revoked key refused at
// once), every call (list with filters and cursor, one conversation, its messages paged, agent
// and system messages idempotent by clientId, resolve/reopen), and no key of one site reaching
// another site's data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../lib/stack.mjs';
import { stackWorkerRequest } from '../lib/worker.mjs';
import { guestHeaders, guestHistory, newGuest } from '../lib/guest.mjs';
import { serverCall, serverWorkerCall } from '../lib/server.mjs';
import { sqlOk } from '../lib/sql.mjs';
import { sleep, waitFor } from '../lib/wait.mjs';
import { openEvents } from '../lib/sse.mjs';

let stack;
let keyA;      // a secret key of the demo site
let keyB;      // a secret key of the other site
let siteB;
const conv = {};  // name -> conversation id

async function post(siteKey, token, text, clientId) {
  const res = await stackWorkerRequest(stack, 'POST', '/api/v1/external/messages',
    { headers: guestHeaders(stack, token, siteKey), body: { text, clientId } });
  assert.equal(res.status, 201, res.text);
  return res.json.message;
}

before(async () => {
  stack = await startStack();
  siteB = (await stack.ctlJson(['site', 'add', '--name', 'Other shop', '--origin', 'https://other.test'])).key;
  keyA = (await stack.ctlJson(['secret', 'add', stack.siteKey, '--label', 'crm'])).secret;
  keyB = (await stack.ctlJson(['secret', 'add', siteB, '--label', 'b'])).secret;
  for (const [name, siteKey] of [['a1', stack.siteKey], ['a2', stack.siteKey], ['b1', siteB]]) {
    const guest = await newGuest(stack, { siteKey });
    await post(siteKey, guest.token, `hello from ${name}`, `${name}-1`);
    conv[name] = Number(await sqlOk(stack, 'SELECT c.id FROM conversations c JOIN guests g ON g.id = c.guest_id ' +
      `WHERE g.public_id = '${guest.guestId}'`));
    conv[`${name}Token`] = guest.token;
    conv[`${name}Guest`] = guest.guestId;
  }
  await post(stack.siteKey, conv.a1Token, 'second line', 'a1-2');
  await post(stack.siteKey, conv.a1Token, 'third line', 'a1-3');
  // The registry with the new keys reaches the edge.
  await waitFor('the edge knows both keys', async () =>
    (await serverCall(stack, 'GET', 'conversations', { key: keyA })).status === 200 &&
    (await serverCall(stack, 'GET', 'conversations', { key: keyB })).status === 200, { timeoutMs: 5000 });
});
after(async () => { await stack?.stop(); });

test('list: only the key\'s site, newest first, paged by cursor, filtered by status and updatedSince', async () => {
  const all = await serverCall(stack, 'GET', 'conversations', { key: keyA });
  assert.equal(all.status, 200, all.text);
  assert.deepEqual(all.json.conversations.map((c) => c.id), [conv.a2, conv.a1]);
  assert.ok(all.json.conversations.every((c) => c.siteKey === stack.siteKey));
  assert.equal(all.json.nextCursor, null);
  const one = all.json.conversations[1];
  assert.equal(one.status, 'open');
  assert.equal(one.messageCount, 3);
  assert.equal(one.guestId, conv.a1Guest);
  assert.match(one.updatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

  const first = await serverCall(stack, 'GET', 'conversations?limit=1', { key: keyA });
  assert.deepEqual(first.json.conversations.map((c) => c.id), [conv.a2]);
  assert.equal(typeof first.json.nextCursor, 'string');
  const second = await serverCall(stack, 'GET', `conversations?limit=1&cursor=${first.json.nextCursor}`, { key: keyA });
  assert.deepEqual(second.json.conversations.map((c) => c.id), [conv.a1]);
  assert.equal(second.json.nextCursor, null);

  const b = await serverCall(stack, 'GET', 'conversations', { key: keyB });
  assert.deepEqual(b.json.conversations.map((c) => c.id), [conv.b1]);

  const resolved = await serverCall(stack, 'GET', 'conversations?status=resolved', { key: keyA });
  assert.deepEqual(resolved.json.conversations, []);
  // updatedSince (inclusive at the millisecond of updatedAt), encoded as a URL encoder would (%3A).
  const newest = all.json.conversations.map((c) => c.updatedAt).sort().at(-1);
  const since = await serverCall(stack, 'GET', `conversations?updatedSince=${encodeURIComponent(newest)}`, { key: keyA });
  assert.equal(since.status, 200, since.text);
  assert.deepEqual(since.json.conversations.map((c) => c.updatedAt), [newest]);
  const later = new Date(Date.parse(newest) + 1).toISOString();
  const none = await serverCall(stack, 'GET', `conversations?updatedSince=${encodeURIComponent(later)}`, { key: keyA });
  assert.deepEqual(none.json.conversations, []);
  const before = await serverCall(stack, 'GET', 'conversations?updatedSince=2000-01-01T00:00:00Z', { key: keyA });
  assert.equal(before.json.conversations.length, 2);

  for (const [query, code] of [['status=maybe', 'invalid_filter'], ['updatedSince=yesterday', 'invalid_filter'], ['updatedSince=2026-12-06T07:00:00', 'invalid_filter'],
    ['cursor=abc', 'invalid_cursor'], ['limit=0', 'invalid_limit'], ['limit=201', 'invalid_limit']]) {
    const bad = await serverCall(stack, 'GET', `conversations?${query}`, { key: keyA });
    assert.equal(bad.status, 400, query);
    assert.equal(bad.json.error, code, query);
    assert.equal(typeof bad.json.message, 'string');
  }
});

test('one conversation and its messages, paged after a message id', async () => {
  const one = await serverCall(stack, 'GET', `conversations/${conv.a1}`, { key: keyA });
  assert.equal(one.status, 200, one.text);
  assert.equal(one.json.id, conv.a1);
  assert.equal(one.json.lastMessage, 'third line');

  const page1 = await serverCall(stack, 'GET', `conversations/${conv.a1}/messages?limit=2`, { key: keyA });
  assert.equal(page1.status, 200, page1.text);
  assert.deepEqual(page1.json.messages.map((m) => m.text), ['hello from a1', 'second line']);
  assert.equal(page1.json.hasMore, true);
  assert.equal(page1.json.messages[0].author, 'guest');
  const page2 = await serverCall(stack, 'GET',
    `conversations/${conv.a1}/messages?limit=2&after=${page1.json.nextAfter}`, { key: keyA });
  assert.deepEqual(page2.json.messages.map((m) => m.text), ['third line']);
  assert.equal(page2.json.hasMore, false);
  assert.equal(page2.json.nextAfter, null);
  const bad = await serverCall(stack, 'GET', `conversations/${conv.a1}/messages?after=x`, { key: keyA });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error, 'invalid_cursor');
});

test('agent and system messages: idempotent by clientId, seen by the guest, text kept as text', async () => {
  const body = { text: 'Your order shipped', clientId: 'crm-1' };
  const first = await serverCall(stack, 'POST', `conversations/${conv.a2}/messages`, { key: keyA, body });
  assert.equal(first.status, 201, first.text);
  assert.equal(first.json.created, true);
  assert.equal(first.json.message.author, 'agent');
  const retry = await serverCall(stack, 'POST', `conversations/${conv.a2}/messages`, { key: keyA, body });
  assert.equal(retry.status, 200, retry.text);
  assert.equal(retry.json.created, false);
  assert.equal(retry.json.message.id, first.json.message.id);

  const hostile = `<img src=x onerror=alert(1)>'; DROP TABLE messages; --`;
  const system = await serverCall(stack, 'POST', `conversations/${conv.a2}/messages`,
    { key: keyA, body: { text: hostile, clientId: 'crm-1', author: 'system' } });
  assert.equal(system.status, 201, system.text);  // another author: its own clientId space
  assert.equal(system.json.message.author, 'system');
  assert.equal(system.json.message.text, hostile);

  const history = await guestHistory(stack, conv.a2Token);
  const texts = history.messages.map((m) => [m.author, m.text]);
  assert.deepEqual(texts.slice(-2), [['agent', 'Your order shipped'], ['system', hostile]]);
  assert.equal(texts.filter(([, t]) => t === 'Your order shipped').length, 1);
  assert.equal(await sqlOk(stack, 'SELECT COUNT(*) FROM messages'), String(4 + 1 + 2));

  for (const [payload, code] of [[{ text: '   ' }, 'invalid_text'], [{ text: 'x', author: 'guest' }, 'invalid_author'],
    [{ text: 'x', clientId: 'bad id!' }, 'invalid_client_id'], [{ text: 'x'.repeat(2001) }, 'invalid_text']]) {
    const res = await serverCall(stack, 'POST', `conversations/${conv.a2}/messages`, { key: keyA, body: payload });
    assert.equal(res.status, 400, JSON.stringify(payload));
    assert.equal(res.json.error, code, JSON.stringify(payload));
  }
  const notJson = await serverCall(stack, 'POST', `conversations/${conv.a2}/messages`, { key: keyA, body: '{nope' });
  assert.equal(notJson.status, 400);
  assert.equal(notJson.json.error, 'invalid_json');
});

test('resolve and reopen', async () => {
  const resolve = await serverCall(stack, 'POST', `conversations/${conv.a1}/resolve`, { key: keyA });
  assert.equal(resolve.status, 200, resolve.text);
  assert.deepEqual(resolve.json, { id: conv.a1, status: 'resolved', changed: true });
  const again = await serverCall(stack, 'POST', `conversations/${conv.a1}/resolve`, { key: keyA });
  assert.equal(again.json.changed, false);
  const listed = await serverCall(stack, 'GET', 'conversations?status=resolved', { key: keyA });
  assert.deepEqual(listed.json.conversations.map((c) => c.id), [conv.a1]);
  const reopen = await serverCall(stack, 'POST', `conversations/${conv.a1}/reopen`, { key: keyA });
  assert.deepEqual(reopen.json, { id: conv.a1, status: 'open', changed: true });
  assert.equal((await serverCall(stack, 'GET', `conversations/${conv.a1}`, { key: keyA })).json.status, 'open');
});

test('a key of one site never reaches another site\'s conversations; unknown ids are 404', async () => {
  const before = await sqlOk(stack, 'SELECT COUNT(*) FROM messages');
  for (const [method, path, body] of [['GET', `conversations/${conv.b1}`], ['GET', `conversations/${conv.b1}/messages`],
    ['POST', `conversations/${conv.b1}/messages`, { text: 'intruder', clientId: 'x-1' }],
    ['POST', `conversations/${conv.b1}/resolve`], ['GET', 'conversations/999999'],
    ['POST', 'conversations/999999/messages', { text: 'nobody' }]]) {
    const res = await serverCall(stack, method, path, { key: keyA, body });
    assert.equal(res.status, 404, `${method} ${path}: ${res.text}`);
    assert.deepEqual(res.json, { error: 'not_found', message: 'No such conversation.' });
  }
  assert.equal(await sqlOk(stack, 'SELECT COUNT(*) FROM messages'), before);
  assert.equal(await sqlOk(stack, `SELECT status FROM conversations WHERE id = ${conv.b1}`), 'open');
  // And the other way round.
  assert.equal((await serverCall(stack, 'GET', `conversations/${conv.a1}`, { key: keyB })).status, 404);
  // A site key is no secret key, and a Site-Key header names no site here.
  const siteKeyOnly = await serverCall(stack, 'GET', 'conversations', { headers: { 'Site-Key': siteB } });
  assert.equal(siteKeyOnly.status, 401);
  assert.equal((await serverCall(stack, 'GET', 'conversations', { key: keyA, headers: { 'Site-Key': siteB } }))
    .json.conversations.every((c) => c.siteKey === stack.siteKey), true);
});

test('malformed, missing and unknown keys are refused at the edge and at the worker', async () => {
  const cases = [
    [{}, 'missing_secret_key'],
    [{ Authorization: keyA }, 'invalid_secret_key'],
    [{ Authorization: `Basic ${keyA}` }, 'invalid_secret_key'],
    [{ Authorization: `Bearer ${keyA} extra` }, 'invalid_secret_key'],
    [{ Authorization: `Bearer\t${keyA}` }, 'invalid_secret_key'],
    [{ Authorization: `Bearer ${keyA.slice(0, -1)}` }, 'invalid_secret_key'],
    [{ Authorization: `Bearer ${conv.a1Token}` }, 'invalid_secret_key'],
    [{ Authorization: `Bearer esk_${'A'.repeat(40)}` }, 'unknown_secret_key'],
  ];
  for (const [headers, code] of cases) {
    for (const call of [serverCall, serverWorkerCall]) {
      const res = await call(stack, 'GET', 'conversations', { headers });
      assert.equal(res.status, 401, `${call.name} ${JSON.stringify(headers)}: ${res.text}`);
      assert.equal(res.json.error, code, `${call.name} ${JSON.stringify(headers)}`);
    }
  }
  // Case-insensitive scheme, several spaces: the shared grammar.
  assert.equal((await serverCall(stack, 'GET', 'conversations', { headers: { Authorization: `bearer   ${keyA}` } })).status, 200);
});

test('browsers are refused: any Origin gets 403 without a CORS grant, preflights too', async () => {
  for (const origin of ['https://other.test', stack.chatUrl, 'null']) {
    for (const method of ['GET', 'OPTIONS']) {
      const res = await serverCall(stack, method, 'conversations', { key: keyA, headers: { Origin: origin } });
      assert.equal(res.status, 403, `${method} ${origin}`);
      assert.equal(res.json.error, 'origin_not_allowed');
      assert.equal(res.headers['access-control-allow-origin'], undefined);
    }
  }
  const wrongMethod = await serverCall(stack, 'DELETE', `conversations/${conv.a1}`, { key: keyA });
  assert.equal(wrongMethod.status, 405);
  assert.equal(wrongMethod.headers.allow, 'GET');
  assert.equal((await serverCall(stack, 'GET', 'nothing', { key: keyA })).status, 404);
  const noJson = await serverCall(stack, 'POST', `conversations/${conv.a1}/messages`,
    { key: keyA, headers: { 'Content-Type': 'text/plain' }, body: '{"text":"x"}' });
  assert.equal(noJson.status, 415);
});

test('last_used_at is kept, at most once a minute per key', async () => {
  const used = () => sqlOk(stack, `SELECT COALESCE(last_used_at, 'never') FROM site_secret_keys WHERE key_prefix = '${keyA.slice(0, 10)}'`);
  const first = await used();
  assert.notEqual(first, 'never');
  await sleep(50);
  await serverCall(stack, 'GET', 'conversations', { key: keyA });
  assert.equal(await used(), first);
});

test('a revoked key: the worker refuses it at once, every edge within 2 seconds', async () => {
  const spare = await stack.ctlJson(['secret', 'add', siteB, '--label', 'to revoke']);
  await waitFor('the edge knows the new key', async () =>
    (await serverCall(stack, 'GET', 'conversations', { key: spare.secret })).status === 200, { timeoutMs: 5000 });
  const revokedAt = Date.now();
  await stack.ctlJson(['secret', 'revoke', siteB, String(spare.id)]);
  // The worker reads MySQL: refused now, even while an edge still holds the old registry.
  const worker = await serverWorkerCall(stack, 'GET', 'conversations', { key: spare.secret });
  assert.equal(worker.status, 401, worker.text);
  assert.equal(worker.json.error, 'unknown_secret_key');
  let edge;
  for (;;) {
    edge = await serverCall(stack, 'GET', 'conversations', { key: spare.secret });
    if (edge.status !== 200 || Date.now() - revokedAt > 3000) break;
    await sleep(50);
  }
  assert.equal(edge.status, 401);
  assert.equal(edge.json.error, 'unknown_secret_key');
  assert.ok(Date.now() - revokedAt < 2000, `refused after ${Date.now() - revokedAt} ms`);
  // The site's other key still works.
  assert.equal((await serverCall(stack, 'GET', 'conversations', { key: keyB })).status, 200);
});

test('the edge limits each key on its own (429 with Retry-After)', async () => {
  const burst = await stack.ctlJson(['secret', 'add', stack.siteKey, '--label', 'burst']);
  await waitFor('the edge knows the key', async () =>
    (await serverCall(stack, 'GET', 'conversations', { key: burst.secret })).status === 200, { timeoutMs: 5000 });
  let limited;
  for (let i = 0; i < 200 && !limited; i += 20) {
    const replies = await Promise.all(Array.from({ length: 20 }, () =>
      serverCall(stack, 'GET', 'conversations/999999', { key: burst.secret })));
    limited = replies.find((r) => r.status === 429);
  }
  assert.ok(limited, 'no 429 within 200 calls');
  assert.equal(limited.json.error, 'rate_limited');
  assert.ok(Number(limited.headers['retry-after']) >= 1);
  // Another key of the same site, from the same address, is not held to that key's limit.
  assert.equal((await serverCall(stack, 'GET', 'conversations', { key: keyA })).status, 200);
});

test('visitor attributes: set, merged, removed; bounded names, values and counts; another site\'s visitor is 404', async () => {
  const path = `visitors/${conv.a1Guest}/attributes`;
  const empty = await serverCall(stack, 'GET', path, { key: keyA });
  assert.equal(empty.status, 200, empty.text);
  assert.deepEqual(empty.json, { guestId: conv.a1Guest, attributes: {} });
  const hostile = `<script>alert(1)</script>' OR 1=1; --`;
  const set = await serverCall(stack, 'PUT', path,
    { key: keyA, body: { attributes: { plan: 'gold', 'crm.id': '42', note: hostile, name: 'سارا' } } });
  assert.equal(set.status, 200, set.text);
  assert.deepEqual(set.json.attributes, { plan: 'gold', 'crm.id': '42', note: hostile, name: 'سارا' });
  const merged = await serverCall(stack, 'PUT', path, { key: keyA, body: { attributes: { plan: 'silver', note: null } } });
  assert.deepEqual(merged.json.attributes, { plan: 'silver', 'crm.id': '42', name: 'سارا' });
  assert.deepEqual((await serverCall(stack, 'GET', path, { key: keyA })).json.attributes, merged.json.attributes);

  const cases = [
    [{ attributes: { '1bad': 'x' } }, 'invalid_attribute'],
    [{ attributes: { 'a b': 'x' } }, 'invalid_attribute'],
    [{ attributes: { ['a'.repeat(65)]: 'x' } }, 'invalid_attribute'],
    [{ attributes: { plan: 'x'.repeat(501) } }, 'invalid_attribute'],
    [{ attributes: { plan: 'line\nbreak' } }, 'invalid_attribute'],
    [{ attributes: { plan: 5 } }, 'invalid_attribute'],
    [{ attributes: ['plan'] }, 'invalid_attribute'],
    [{}, 'invalid_attribute'],
    [{ attributes: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }, 'too_many_attributes'],
    // 48 new + the 3 kept: 51 in all, refused as a whole.
    [{ attributes: Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`n${i}`, 'v'])) }, 'too_many_attributes'],
  ];
  for (const [body, code] of cases) {
    const res = await serverCall(stack, 'PUT', path, { key: keyA, body });
    assert.equal(res.status, 400, JSON.stringify(body).slice(0, 80));
    assert.equal(res.json.error, code, JSON.stringify(body).slice(0, 80));
  }
  assert.deepEqual((await serverCall(stack, 'GET', path, { key: keyA })).json.attributes, merged.json.attributes);
  // Exactly 50 is fine.
  const fill = Object.fromEntries(Array.from({ length: 47 }, (_, i) => [`n${i}`, 'v']));
  const full = await serverCall(stack, 'PUT', path, { key: keyA, body: { attributes: fill } });
  assert.equal(full.status, 200, full.text);
  assert.equal(Object.keys(full.json.attributes).length, 50);

  // Another site's key, an unknown visitor, a malformed id.
  for (const [key, p] of [[keyB, path], [keyA, `visitors/${conv.b1Guest}/attributes`], [keyA, `visitors/g_${'Z'.repeat(24)}/attributes`]]) {
    for (const method of ['GET', 'PUT']) {
      const res = await serverCall(stack, method, p, { key, body: method === 'PUT' ? { attributes: { x: 'y' } } : undefined });
      assert.equal(res.status, 404, `${method} ${p}`);
      assert.deepEqual(res.json, { error: 'not_found', message: 'No such visitor.' });
    }
  }
  assert.equal(await sqlOk(stack, `SELECT COUNT(*) FROM guest_attributes a JOIN guests g ON g.id = a.guest_id WHERE g.public_id = '${conv.b1Guest}'`), '0');
  assert.equal((await serverCall(stack, 'GET', 'visitors/g_short/attributes', { key: keyA })).status, 404);
});

test('erasing a visitor: messages, reactions, attributes and their events gone, audited, its stream told; other sites untouched', async () => {
  const guest = await newGuest(stack);
  await post(stack.siteKey, guest.token, 'my address is 1 Secret Road', 'e-1');
  const id = Number(await sqlOk(stack, `SELECT c.id FROM conversations c JOIN guests g ON g.id = c.guest_id WHERE g.public_id = '${guest.guestId}'`));
  const reply = await serverCall(stack, 'POST', `conversations/${id}/messages`, { key: keyA, body: { text: 'noted', clientId: 'e-r' } });
  const reacted = await stackWorkerRequest(stack, 'PUT', `/api/v1/external/messages/${reply.json.message.id}/reaction`,
    { headers: guestHeaders(stack, guest.token), body: { value: 'like' } });
  assert.equal(reacted.status, 200, reacted.text);
  await serverCall(stack, 'PUT', `visitors/${guest.guestId}/attributes`, { key: keyA, body: { attributes: { plan: 'gold' } } });
  const othersBefore = await sqlOk(stack, `SELECT COUNT(*) FROM messages WHERE conversation_id <> ${id}`);

  // Another site's key cannot erase it; an unknown visitor is 404.
  const foreign = await serverCall(stack, 'DELETE', `visitors/${guest.guestId}`, { key: keyB });
  assert.equal(foreign.status, 404);
  assert.equal((await serverCall(stack, 'DELETE', `visitors/g_${'Y'.repeat(24)}`, { key: keyA })).status, 404);
  assert.equal(await sqlOk(stack, `SELECT COUNT(*) FROM messages WHERE conversation_id = ${id}`), '2');

  const stream = await openEvents(stack, guest.token);
  try {
    const erased = await serverCall(stack, 'DELETE', `visitors/${guest.guestId}`, { key: keyA });
    assert.equal(erased.status, 200, erased.text);
    assert.deepEqual(erased.json, { guestId: guest.guestId, erased: { messages: 2, reactions: 1, attributes: 1 } });
    let event;
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      event = await Promise.race([stream.next(), sleep(deadline - Date.now()).then(() => null)]);
      if (!event || event.event === 'erased') break;
    }
    assert.equal(event?.event, 'erased');
    assert.equal(event.data.conversationId, id);
  } finally {
    stream.close();
  }
  assert.equal(await sqlOk(stack, `SELECT COUNT(*) FROM messages WHERE conversation_id = ${id}`), '0');
  assert.equal(await sqlOk(stack, `SELECT GROUP_CONCAT(type) FROM events WHERE conversation_id = ${id}`), 'erased');
  assert.equal(await sqlOk(stack, `SELECT COUNT(*) FROM events WHERE payload LIKE '%Secret Road%'`), '0');
  assert.equal(await sqlOk(stack, `SELECT COUNT(*) FROM guest_attributes a JOIN guests g ON g.id = a.guest_id WHERE g.public_id = '${guest.guestId}'`), '0');
  assert.equal(await sqlOk(stack, `SELECT COUNT(*) FROM messages WHERE conversation_id <> ${id}`), othersBefore);
  const audit = await sqlOk(stack, "SELECT CONCAT(actor, ' ', target, ' ', detail) FROM audit_log WHERE action = 'visitor.erase'");
  assert.ok(audit.startsWith(`server:${keyA.slice(0, 10)} ${stack.siteKey} `), audit);
  assert.match(audit, new RegExp(`"guestId":"${guest.guestId}"`));
  assert.deepEqual((await guestHistory(stack, guest.token)).messages, []);
  const read = await serverCall(stack, 'GET', `conversations/${id}/messages`, { key: keyA });
  assert.deepEqual(read.json.messages, []);
  // Erasing again is harmless: nothing left.
  const again = await serverCall(stack, 'DELETE', `visitors/${guest.guestId}`, { key: keyA });
  assert.deepEqual(again.json.erased, { messages: 0, reactions: 0, attributes: 0 });
});
