// docs/server-api.json against the implementation: every route of the server route table
// (shared/server_api.cpp) is in the document with exactly its methods and vice versa, and the
// replies of real calls on the real stack carry every field the documented schema requires, of
// the documented type.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startStack } from '../lib/stack.mjs';
import { newGuest, postWorkerMessage } from '../lib/guest.mjs';
import { serverCall } from '../lib/server.mjs';
import { sqlOk } from '../lib/sql.mjs';
import { waitFor } from '../lib/wait.mjs';

const doc = JSON.parse(readFileSync(join(ROOT, 'docs', 'server-api.json'), 'utf8'));

/** The route table as shared/server_api.cpp writes it: path -> sorted methods. */
function routeTable() {
  const source = readFileSync(join(ROOT, 'shared', 'server_api.cpp'), 'utf8');
  const rows = [...source.matchAll(/\{ServerRoute::k\w+,\s*"([^"]+)",\s*"([^"]+)"\}/g)];
  assert.ok(rows.length > 0, 'no rows found in the route table');
  return Object.fromEntries(rows.map(([, path, methods]) =>
    [path, methods.split(',').map((m) => m.trim().toLowerCase()).sort()]));
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

test('every route of the table is documented with its methods, and nothing else is', () => {
  const documented = Object.fromEntries(Object.entries(doc.paths).map(([path, item]) =>
    [path, Object.keys(item).filter((k) => HTTP_METHODS.includes(k)).sort()]));
  assert.deepEqual(documented, routeTable());
  assert.equal(doc.openapi.startsWith('3.'), true);
});

function resolve(schema) {
  while (schema?.$ref) {
    schema = schema.$ref.replace(/^#\//, '').split('/').reduce((node, part) => node[part], doc);
  }
  return schema;
}

/** The paths in `value` where it breaks `schema` (types, required fields, enums), empty when none. */
function violations(value, schemaRef, at = '$') {
  const schema = resolve(schemaRef);
  if (value === null) return schema.nullable ? [] : [`${at} is null`];
  const type = Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
  const want = schema.type;
  if (want && !(want === type || (want === 'number' && type === 'integer'))) return [`${at} is ${type}, not ${want}`];
  if (schema.enum && !schema.enum.includes(value)) return [`${at} = ${JSON.stringify(value)} not in enum`];
  const out = [];
  if (type === 'object') {
    for (const name of schema.required ?? []) {
      if (!(name in value)) out.push(`${at}.${name} missing`);
    }
    for (const [name, sub] of Object.entries(schema.properties ?? {})) {
      if (name in value) out.push(...violations(value[name], sub, `${at}.${name}`));
    }
    if (typeof schema.additionalProperties === 'object') {
      for (const [name, item] of Object.entries(value)) {
        if (!(name in (schema.properties ?? {}))) out.push(...violations(item, schema.additionalProperties, `${at}.${name}`));
      }
    }
  }
  if (type === 'array' && schema.items) value.forEach((item, i) => out.push(...violations(item, schema.items, `${at}[${i}]`)));
  return out;
}

/** Asserts that `res` is a documented reply of operation `method path` and fits its schema. */
function assertDocumented(method, path, res) {
  const operation = doc.paths[path][method.toLowerCase()];
  const reply = resolve(operation.responses[String(res.status)]);
  assert.ok(reply, `${method} ${path}: status ${res.status} is not documented (${res.text})`);
  const schema = reply.content['application/json'].schema;
  assert.deepEqual(violations(res.json, schema), [], `${method} ${path} ${res.status}: ${res.text}`);
}

let stack;
let key;
let id;
let guestId;
before(async () => {
  stack = await startStack();
  key = (await stack.ctlJson(['secret', 'add', stack.siteKey, '--label', 'openapi'])).secret;
  const guest = await newGuest(stack);
  await postWorkerMessage(stack, guest.token, 'hello', 'c-1');
  id = Number(await sqlOk(stack, `SELECT c.id FROM conversations c JOIN guests g ON g.id = c.guest_id WHERE g.public_id = '${guest.guestId}'`));
  guestId = guest.guestId;
  await waitFor('the edge knows the key', async () =>
    (await serverCall(stack, 'GET', 'conversations', { key })).status === 200, { timeoutMs: 5000 });
});
after(async () => { await stack?.stop(); });

test('real replies of every operation fit their documented schemas, errors included', async () => {
  const P = '/api/v1/server/conversations';
  const V = '/api/v1/server/visitors/{guestId}/attributes';
  const calls = [
    ['GET', P, 'conversations'],
    ['GET', P, 'conversations?limit=1&status=open'],
    ['GET', P, 'conversations?updatedSince=bad'],
    ['GET', `${P}/{id}`, `conversations/${id}`],
    ['GET', `${P}/{id}`, 'conversations/999999'],
    ['GET', `${P}/{id}/messages`, `conversations/${id}/messages?limit=1`],
    ['POST', `${P}/{id}/messages`, `conversations/${id}/messages`, { text: 'hi', clientId: 'o-1' }],
    ['POST', `${P}/{id}/messages`, `conversations/${id}/messages`, { text: 'hi', clientId: 'o-1' }],
    ['POST', `${P}/{id}/messages`, `conversations/${id}/messages`, { text: '' }],
    ['POST', `${P}/{id}/resolve`, `conversations/${id}/resolve`],
    ['POST', `${P}/{id}/reopen`, `conversations/${id}/reopen`],
    ['PUT', V, `visitors/${guestId}/attributes`, { attributes: { plan: 'gold', gone: null } }],
    ['PUT', V, `visitors/${guestId}/attributes`, { attributes: { '9': 'x' } }],
    ['GET', V, `visitors/${guestId}/attributes`],
    ['GET', V, `visitors/g_${'Q'.repeat(24)}/attributes`],
    ['DELETE', '/api/v1/server/visitors/{guestId}', `visitors/${guestId}`],
    ['DELETE', '/api/v1/server/visitors/{guestId}', `visitors/g_${'Q'.repeat(24)}`],
  ];
  const seen = new Set();
  for (const [method, path, url, body] of calls) {
    const res = await serverCall(stack, method, url, { key, body });
    assertDocumented(method, path, res);
    seen.add(`${method} ${path} ${res.status}`);
  }
  // The key's own refusals are documented too.
  assertDocumented('GET', P, await serverCall(stack, 'GET', 'conversations', {}));
  assertDocumented('GET', P, await serverCall(stack, 'GET', 'conversations', { key, headers: { Origin: 'https://x.test' } }));
  // Every operation of the document was called with a success.
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of Object.keys(item).filter((k) => HTTP_METHODS.includes(k))) {
      assert.ok([...seen].some((s) => s.startsWith(`${method.toUpperCase()} ${path} 2`)), `${method} ${path} never called`);
    }
  }
});
