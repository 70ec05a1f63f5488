// GET /api/v1/external/messages in pages (before / limit / hasMore) through the edge: 120 messages
// paged through with several page sizes, no gap and no duplicate; bad values are 400.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../lib/stack.mjs';
import { stackWorkerRequest } from '../lib/worker.mjs';
import { guestHeaders, newGuest, postWorkerMessage } from '../lib/guest.mjs';

let stack;
after(async () => { await stack?.stop(); });

const TOTAL = 120;
const worker = (method, path, options) => stackWorkerRequest(stack, method, path, options);
const auth = (token) => guestHeaders(stack, token);

// Guests and their messages are written straight to the worker (the edge limits how fast a guest
// may send); the pages are read through the edge, as the widget reads them. Each guest reads far
// fewer pages than the edge's history limit allows it.

const post = (token, text) => postWorkerMessage(stack, token, text, `c-${text}`);

async function page(token, query = '') {
  const res = await fetch(`${stack.chatUrl}/api/v1/external/messages${query}`, { headers: auth(token) });
  const body = await res.json();
  return { status: res.status, body };
}

/** Every page from the newest back, `limit` at a time; asserts each page's own shape. */
async function pageThrough(token, limit) {
  const pages = [];
  let query = limit ? `?limit=${limit}` : '';
  for (;;) {
    const { status, body } = await page(token, query);
    assert.equal(status, 200, JSON.stringify(body));
    const ids = body.messages.map((m) => m.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'a page is oldest first');
    assert.ok(ids.length <= (limit || 50));
    pages.push(body);
    if (!body.hasMore) break;
    assert.equal(ids.length, limit || 50, 'only the oldest page may be short');
    query = `?before=${ids[0]}${limit ? `&limit=${limit}` : ''}`;
    assert.ok(pages.length <= TOTAL, 'paging ends');
  }
  return pages;
}

let guest;
let stored; // ids of the guest's messages as MySQL holds them, oldest first
let lastEvent;

before(async () => {
  stack = await startStack();
  guest = await newGuest(stack);
  let conversationId;
  for (let i = 1; i <= TOTAL; i++) {
    if (i % 40 === 0) {
      // agent replies among them: a page holds every author
      const reply = await stack.ctlJson(['conversations', 'reply', String(conversationId), '--text', `reply ${i}`]);
      assert.equal(reply.created, true);
    } else {
      await post(guest.token, `m${i}`);
      if (i === 1) {
        const first = await worker('GET', '/api/v1/external/messages', { headers: auth(guest.token) });
        conversationId = first.json.conversationId;
      }
    }
  }
  const rows = await stack.sql(`SELECT id FROM messages WHERE conversation_id = ${Number(conversationId)} ORDER BY id`);
  stored = rows.stdout.trim().split('\n').map(Number);
  assert.equal(stored.length, TOTAL);
  const events = await stack.sql(`SELECT MAX(id) FROM events WHERE conversation_id = ${Number(conversationId)}`);
  lastEvent = Number(events.stdout.trim());
});

test('the first page is the newest 50, oldest first, with hasMore and the newest event id', async () => {
  const { status, body } = await page(guest.token);
  assert.equal(status, 200);
  assert.deepEqual(body.messages.map((m) => m.id), stored.slice(-50));
  assert.equal(body.hasMore, true);
  assert.equal(body.lastEventId, lastEvent, 'lastEventId is the conversation\'s newest event on every page');
  assert.equal(body.status, 'open');
  assert.equal(body.messages.at(-1).author, 'agent');
  assert.equal(body.messages.at(-1).text, 'reply 120');
});

test('paging back with the default and other page sizes returns every message once, in order', async () => {
  for (const limit of [undefined, 7, 13, 119, 200]) {
    const pages = await pageThrough(guest.token, limit);
    const all = pages.reverse().flatMap((p) => p.messages.map((m) => m.id));
    assert.deepEqual(all, stored, `limit ${limit ?? 'default'}: no gap, no duplicate`);
    for (const p of pages) assert.equal(p.lastEventId, lastEvent);
  }
});

test('before is a cursor within the guest\'s own conversation', async () => {
  const oldestTwo = await page(guest.token, `?before=${stored[2]}&limit=5`);
  assert.deepEqual(oldestTwo.body.messages.map((m) => m.id), stored.slice(0, 2));
  assert.equal(oldestTwo.body.hasMore, false);
  const none = await page(guest.token, `?before=${stored[0]}`);
  assert.deepEqual(none.body.messages, []);
  assert.equal(none.body.hasMore, false);

  // Another guest's cursor past all of this guest's ids shows only its own messages.
  const other = await newGuest(stack);
  const own = await post(other.token, 'other-1');
  const mine = await page(other.token, `?before=${stored.at(-1) + 1000}`);
  assert.deepEqual(mine.body.messages.map((m) => m.id), [own.id]);
  const below = await page(other.token, `?before=${stored.at(-1)}`);
  assert.deepEqual(below.body.messages, [], 'the first guest\'s messages never show');
  const fresh = await newGuest(stack);
  const empty = await page(fresh.token, '?limit=10');
  assert.equal(empty.status, 200);
  assert.deepEqual(empty.body,
    { conversationId: null, status: null, messages: [], hasMore: false, lastEventId: 0, agentReadUpTo: 0 });
});

test('a bad before or limit is 400 with the API\'s error shape', async () => {
  const reader = await newGuest(stack);
  const cases = [
    ['?limit=0', 'invalid_limit'], ['?limit=201', 'invalid_limit'], ['?limit=', 'invalid_limit'],
    ['?limit=-1', 'invalid_limit'], ['?limit=1e2', 'invalid_limit'], ['?limit=%35', 'invalid_limit'],
    ['?before=0', 'invalid_before'], ['?before=abc', 'invalid_before'], ['?before=', 'invalid_before'],
    ['?before=12345678901234567890', 'invalid_before'], ['?before=5&limit=x', 'invalid_limit'],
  ];
  for (const [query, code] of cases) {
    const { status, body } = await page(reader.token, query);
    assert.equal(status, 400, query);
    assert.equal(body.error, code, query);
    assert.equal(typeof body.message, 'string', query);
  }
});
