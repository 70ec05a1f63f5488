// Conversations end to end against the real stack: guests, messages, reactions, event streams,
// the CLI's admin side, and the worker's faults (MySQL down, Redis down, SIGKILL under load).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { startStack, BUILD } from '../lib/stack.mjs';
import { sseReader, openEvents } from '../lib/sse.mjs';
import { sleep, waitFor } from '../lib/wait.mjs';
import { updateSitesSql } from '../lib/sites.mjs';
import { workerRequest } from '../lib/worker.mjs';
import { guestHeaders, newGuest, guestHistory } from '../lib/guest.mjs';

let stack;
before(async () => {
  stack = await startStack();
  // These tests send far more than a visitor would: lift the sites' message limits at the edge
  // (the registry change reaches nginx through Redis) so 429s do not mask what is tested.
  await updateSitesSql(stack, 'rate_limit_messages = 100000, rate_limit_burst = 10000');
});
after(async () => { await stack?.stop(); });

/** A request straight to the worker's unix socket (bypassing the edge and its rate limits). */
const worker = (method, path, options = {}, socketPath = join(stack.varDir, 'run', 'worker.sock')) =>
  workerRequest(socketPath, method, path, options);

// Sends a message through the edge. A network error is retried once with the same clientId, as the
// widget does (scripts/start reloads nginx, which closes idle keep-alive connections under us).
async function send(token, text, clientId, siteKey = stack.siteKey) {
  const post = () => fetch(`${stack.chatUrl}/api/v1/external/messages`, {
    method: 'POST', headers: guestHeaders(stack, token, siteKey), body: JSON.stringify({ text, clientId }),
  });
  try {
    return await post();
  } catch {
    return post();
  }
}

/** The guest's event stream straight from a worker socket. */
function openWorkerEvents(socketPath, token, lastEventId) {
  return new Promise((resolve, reject) => {
    const headers = { 'Site-Key': stack.siteKey, Authorization: `Bearer ${token}`, 'Last-Event-ID': String(lastEventId) };
    const req = request({ socketPath, path: '/api/v1/external/events', headers }, (res) => {
      assert.equal(res.statusCode, 200);
      resolve(sseReader(res, () => req.destroy()));
    });
    req.on('error', reject);
    req.end();
  });
}

const conversationOf = (token) => guestHistory(stack, token, { via: 'edge' });

test('text rules: trimmed, UTF-8, at most 2000 characters, never blank', async () => {
  const guest = await newGuest(stack, { via: 'edge' });
  const persian = 'س'.repeat(2000);
  const ok = await send(guest.token, `  ${persian}  `, 'len-ok');
  assert.equal(ok.status, 201);
  assert.equal((await ok.json()).message.text, persian);
  const long = await send(guest.token, persian + 'س', 'len-bad');
  assert.equal(long.status, 400);
  assert.equal((await long.json()).error, 'invalid_text');
  const blank = await send(guest.token, ' \u200b\u00a0 ', 'blank');
  assert.equal((await blank.json()).error, 'invalid_text');
  const notJson = await fetch(`${stack.chatUrl}/api/v1/external/messages`, {
    method: 'POST', headers: guestHeaders(stack, guest.token), body: '{"text":',
  });
  assert.equal(notJson.status, 400);
  assert.equal((await notJson.json()).error, 'invalid_json');
});

test('a guest token opens only its own site; conversations record their source', async () => {
  const guest = await newGuest(stack);
  const other = await fetch(`${stack.chatUrl}/api/v1/external/messages`, { headers: guestHeaders(stack, guest.token, stack.mainSiteKey) });
  assert.equal(other.status, 401);
  assert.equal((await other.json()).error, 'invalid_token');

  assert.equal((await send(guest.token, 'from the demo shop', 'src-ext')).status, 201);
  const mainGuest = await newGuest(stack, { siteKey: stack.mainSiteKey });
  assert.equal((await send(mainGuest.token, 'from the main site', 'src-main', stack.mainSiteKey)).status, 201);

  const external = (await conversationOf(guest.token)).conversationId;
  const listed = await stack.ctlJson(['conversations', 'list', '--limit', '100']);
  const ext = listed.find((c) => c.id === external);
  assert.equal(ext.source, 'external');
  assert.equal(ext.sourceLabel, 'External Source');
  assert.equal(ext.siteName, 'Demo shop');
  const mainOnly = await stack.ctlJson(['conversations', 'list', '--source', 'main']);
  assert.ok(mainOnly.length >= 1);
  assert.ok(mainOnly.every((c) => c.source === 'main' && c.sourceLabel === 'Main site'));
});

test('a locked site refuses new messages with its own text', async () => {
  const guest = await newGuest(stack);
  await stack.sql(`UPDATE sites SET locked = 1, locked_message = 'Closed until Monday' WHERE site_key = '${stack.siteKey}'`);
  try {
    const res = await send(guest.token, 'hello?', 'locked-1');
    assert.equal(res.status, 403);
    assert.deepEqual(await res.json(), { error: 'site_locked', message: 'Closed until Monday' });
  } finally {
    await stack.sql(`UPDATE sites SET locked = 0, locked_message = '' WHERE site_key = '${stack.siteKey}'`);
  }
});

test('live: an agent reply, a reaction and a status change reach the stream in order', async () => {
  const guest = await newGuest(stack);
  assert.equal((await send(guest.token, 'anyone there?', 'live-1')).status, 201);
  const history = await conversationOf(guest.token);
  assert.equal(history.status, 'open');
  const stream = await openEvents(stack, guest.token, { lastEventId: history.lastEventId });
  try {
    const reply = await stack.ctlJson(['conversations', 'reply', String(history.conversationId), '--text', 'Yes! How can I help?', '--as', 'admin']);
    const message = await stream.next();
    assert.equal(message.event, 'message');
    assert.equal(message.data.author, 'agent');
    assert.equal(message.data.id, reply.message.id);

    const like = await fetch(`${stack.chatUrl}/api/v1/external/messages/${reply.message.id}/reaction`, {
      method: 'PUT', headers: guestHeaders(stack, guest.token), body: JSON.stringify({ value: 'like' }),
    });
    assert.equal(like.status, 200);
    assert.deepEqual(await like.json(), { messageId: reply.message.id, reaction: 'like' });
    const reaction = await stream.next();
    assert.equal(reaction.event, 'reaction');
    assert.deepEqual(reaction.data, { messageId: reply.message.id, reaction: 'like' });
    assert.ok(reaction.id > message.id);

    await stack.ctlJson(['conversations', 'resolve', String(history.conversationId)]);
    const status = await stream.next();
    assert.equal(status.event, 'status');
    assert.equal(status.data.status, 'resolved');

    const shown = await stack.ctlJson(['conversations', 'show', String(history.conversationId)]);
    assert.equal(shown.status, 'resolved');
    assert.equal((await conversationOf(guest.token)).status, 'resolved', 'the history tells the status');
    assert.equal(shown.messages.find((m) => m.id === reply.message.id).reaction, 'like');

    // A guest writing to the resolved conversation reopens it: a `status` event, then the message.
    assert.equal((await send(guest.token, 'one more thing', 'live-2')).status, 201);
    const reopened = await stream.next();
    assert.equal(reopened.event, 'status');
    assert.deepEqual(reopened.data, { conversationId: history.conversationId, status: 'open' });
    assert.ok(reopened.id > status.id);
    const again = await stream.next();
    assert.equal(again.event, 'message');
    assert.equal(again.data.clientId, 'live-2');
    assert.ok(again.id > reopened.id);
    const reopenedShown = await stack.ctlJson(['conversations', 'show', String(history.conversationId)]);
    assert.equal(reopenedShown.status, 'open');
    assert.equal((await conversationOf(guest.token)).status, 'open');
    // Writing to an open conversation sends no status event.
    assert.equal((await send(guest.token, 'and another', 'live-3')).status, 201);
    const plain = await stream.next();
    assert.equal(plain.event, 'message');
    assert.equal(plain.data.clientId, 'live-3');

    const own = await fetch(`${stack.chatUrl}/api/v1/external/messages/${history.messages[0].id}/reaction`, {
      method: 'PUT', headers: guestHeaders(stack, guest.token), body: JSON.stringify({ value: 'like' }),
    });
    assert.equal(own.status, 409, 'a guest cannot react to its own message');

    const stranger = await newGuest(stack);
    const empty = await conversationOf(stranger.token);
    assert.equal(empty.conversationId, null);
    assert.equal(empty.status, null, 'no conversation yet, no status');
    const foreign = await fetch(`${stack.chatUrl}/api/v1/external/messages/${reply.message.id}/reaction`, {
      method: 'PUT', headers: guestHeaders(stack, stranger.token), body: JSON.stringify({ value: 'dislike' }),
    });
    assert.equal(foreign.status, 404, 'another guest cannot reach this conversation');
    assert.equal((await foreign.json()).error, 'message_not_found');
  } finally {
    stream.close();
  }
});

test('a stream resumed from Last-Event-ID has no gap and no duplicate', async () => {
  const guest = await newGuest(stack);
  assert.equal((await send(guest.token, 'first', 'resume-1')).status, 201);
  const { conversationId, lastEventId } = await conversationOf(guest.token);
  for (let i = 0; i < 5; i++) {
    await stack.ctlJson(['conversations', 'reply', String(conversationId), '--text', `reply ${i}`]);
  }
  const stream = await openEvents(stack, guest.token, { lastEventId });
  try {
    const got = [];
    for (let i = 0; i < 5; i++) got.push(await stream.next());
    assert.deepEqual(got.map((e) => e.data.text), [0, 1, 2, 3, 4].map((i) => `reply ${i}`));
    // Resume from the middle: exactly the rest.
    const again = await openEvents(stack, guest.token, { lastEventId: got[2].id });
    try {
      const rest = [await again.next(), await again.next()];
      assert.deepEqual(rest.map((e) => e.id), [got[3].id, got[4].id]);
      await sleep(300);
      assert.equal(again.pending(), 0, 'no duplicates');
    } finally {
      again.close();
    }
  } finally {
    stream.close();
  }
});

test('EventSource clients: a single-use, short-lived stream ticket opens the stream through the edge with no headers', async () => {
  const guest = await newGuest(stack, { via: 'edge' });
  const sent = await send(guest.token, 'ticket please', 'ticket-1');
  assert.equal(sent.status, 201);
  const ticketFor = async (token) => {
    const res = await fetch(`${stack.chatUrl}/api/v1/external/events/ticket`, { method: 'POST', headers: guestHeaders(stack, token) });
    assert.equal(res.status, 201);
    const body = await res.json();
    assert.equal(body.expiresIn, 30);
    assert.match(body.ticket, /^[A-Za-z0-9_-]{43}$/);
    return body.ticket;
  };
  const noTicket = await fetch(`${stack.chatUrl}/api/v1/external/events/ticket`, { method: 'POST', headers: { 'Site-Key': stack.siteKey } });
  assert.equal(noTicket.status, 401, 'a ticket needs the guest token');

  // What an EventSource sends: a plain GET, the key and the ticket in the URL, nothing else.
  const ticket = await ticketFor(guest.token);
  const url = (t, extra = '') => `${stack.chatUrl}/api/v1/external/events?key=${stack.siteKey}&ticket=${t}${extra}`;
  const controller = new AbortController();
  const res = await fetch(url(ticket, '&lastEventId=0'), { signal: controller.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /text\/event-stream/);
  const stream = sseReader(res.body, () => controller.abort());
  try {
    const first = await stream.next();
    assert.equal(first.event, 'message');
    assert.equal(first.data.text, 'ticket please');
  } finally {
    stream.close();
  }

  const reused = await fetch(url(ticket));
  assert.equal(reused.status, 401, 'single use');
  assert.equal((await reused.json()).error, 'invalid_ticket');
  const keyless = await fetch(`${stack.chatUrl}/api/v1/external/events?ticket=${await ticketFor(guest.token)}`);
  assert.equal(keyless.status, 401);
  assert.equal((await keyless.json()).error, 'missing_site_key');
  // Only the stream takes its key from the URL.
  const queryKeyElsewhere = await fetch(`${stack.chatUrl}/api/v1/external/messages?key=${stack.siteKey}`, {
    headers: { Authorization: `Bearer ${guest.token}` },
  });
  assert.equal(queryKeyElsewhere.status, 401);

  // Another site's key does not open this guest's stream, and a ticket past its 30 s is refused.
  const other = await stack.ctlJson(['site', 'add', '--name', 'Ticket other', '--origin', 'https://ticket-other.test']);
  await sleep(1500);  // the edge picks up the new site
  const foreign = await fetch(`${stack.chatUrl}/api/v1/external/events?key=${other.key}&ticket=${await ticketFor(guest.token)}`);
  assert.equal(foreign.status, 401);
  assert.equal((await foreign.json()).error, 'invalid_ticket');
  const late = await ticketFor(guest.token);
  const aged = await stack.sql('UPDATE stream_tickets SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND');
  assert.equal(aged.code, 0, aged.stderr);
  const expired = await fetch(url(late));
  assert.equal(expired.status, 401);
  assert.equal((await expired.json()).error, 'invalid_ticket');
});

test('MySQL down: 503 with Retry-After, then recovery without a worker restart', async () => {
  const guest = await newGuest(stack);
  const workerPid = await stack.pidOf('worker');
  await stack.killRecorded('mysql', 'SIGTERM');
  try {
    const res = await send(guest.token, 'while the database is down', 'down-1');
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '2');
    assert.equal((await res.json()).error, 'unavailable');
    const ready = await worker('GET', '/readyz');
    assert.equal(ready.status, 503);
  } finally {
    const restarted = await stack.script('start');
    assert.equal(restarted.code, 0, restarted.stderr);
  }
  let res;
  await waitFor('the worker to reach MySQL again', async () => {
    res = await send(guest.token, 'while the database is down', 'down-1');
    return res.status === 201;
  }, { timeoutMs: 30000, tolerant: true });
  assert.equal(await stack.pidOf('worker'), workerPid, 'same worker process');
  const rows = await stack.ctlJson(['messages', 'list', '--site', stack.siteKey, '--limit', '1000']);
  assert.equal(rows.filter((m) => m.clientId === 'down-1').length, 1);
});

test('Redis down: messages are stored and reach streams on the same worker; back when Redis returns', async () => {
  const guest = await newGuest(stack);
  assert.equal((await send(guest.token, 'hi', 'redis-0')).status, 201);
  const { conversationId, lastEventId } = await conversationOf(guest.token);
  const stream = await openEvents(stack, guest.token, { lastEventId });
  await stack.killRecorded('redis', 'SIGTERM');
  try {
    const res = await send(guest.token, 'stored without Redis', 'redis-1');
    assert.equal(res.status, 201);
    const event = await stream.next();
    assert.equal(event.data.text, 'stored without Redis');
    // An agent reply from the CLI (another process) cannot be announced without Redis...
    const reply = await stack.ctlJson(['conversations', 'reply', String(conversationId), '--text', 'sent during the outage']);
    assert.equal(reply.created, true);
  } finally {
    const restarted = await stack.script('start');
    assert.equal(restarted.code, 0, restarted.stderr);
  }
  try {
    // ...but the worker resyncs its streams from MySQL when its subscription comes back.
    const caughtUp = await stream.next(10000);
    assert.equal(caughtUp.data.text, 'sent during the outage');
  } finally {
    stream.close();
  }
});

test('worker killed with SIGKILL under load: every acknowledged message is stored once', async () => {
  const guests = [];
  for (let i = 0; i < 8; i++) guests.push(await newGuest(stack));
  const acknowledged = new Map();
  const attempts = [];
  let stop = false;
  const sender = async (g, gi) => {
    for (let n = 0; !stop && n < 200; n++) {
      const clientId = `kill-${gi}-${n}`;
      attempts.push({ g, clientId });
      try {
        const res = await worker('POST', '/api/v1/external/messages', {
          headers: guestHeaders(stack, g.token), body: { text: `load ${clientId}`, clientId },
        });
        if (res.status === 201 || res.status === 200) acknowledged.set(clientId, res.json.message.id);
      } catch {
        return;  // the worker is gone
      }
    }
  };
  const senders = guests.map(sender);
  await sleep(400);
  const killing = stack.killRecorded('worker', 'SIGKILL');
  stop = true;
  await killing;
  await Promise.all(senders);
  assert.ok(acknowledged.size > 0, 'some messages were acknowledged before the kill');

  const restarted = await stack.script('start');
  assert.equal(restarted.code, 0, restarted.stderr);
  // Retry everything with the same clientIds: acknowledged ones must come back 200 with the same id.
  for (const { g, clientId } of attempts) {
    const res = await worker('POST', '/api/v1/external/messages', {
      headers: guestHeaders(stack, g.token), body: { text: `load ${clientId}`, clientId },
    });
    assert.ok(res.status === 200 || res.status === 201, res.text);
    if (acknowledged.has(clientId)) {
      assert.equal(res.status, 200, `${clientId} was acknowledged, so it is stored`);
      assert.equal(res.json.message.id, acknowledged.get(clientId));
    }
  }
  const rows = await stack.ctlJson(['messages', 'list', '--site', stack.siteKey, '--limit', '10000']);
  const counts = new Map();
  for (const m of rows) if (m.clientId?.startsWith('kill-')) counts.set(m.clientId, (counts.get(m.clientId) || 0) + 1);
  assert.equal(counts.size, attempts.length);
  assert.ok([...counts.values()].every((c) => c === 1), 'no duplicates');
});

test('two workers: an event written through one reaches streams on the other, in order', async () => {
  const socket2 = join(stack.varDir, 'run', 'worker2.sock');
  const second = spawn(join(BUILD, 'edgechat-worker'), ['--config', join(stack.varDir, 'edgechat.conf')], {
    env: { ...stack.env, EDGECHAT_WORKER_LISTEN: `unix:${socket2}` }, stdio: 'ignore',
  });
  try {
    await waitFor('the second worker', async () => (await worker('GET', '/healthz', {}, socket2)).status === 200, { timeoutMs: 15000, tolerant: true });
    const guest = await newGuest(stack);
    assert.equal((await send(guest.token, 'start', 'two-0')).status, 201);
    const { conversationId, lastEventId } = await conversationOf(guest.token);
    const onSecond = await openWorkerEvents(socket2, guest.token, lastEventId);
    try {
      // Writes alternate between the first worker (guest, through the edge), the second worker
      // (guest, direct) and the CLI (agent): the stream on the second worker sees them all in order.
      const texts = [];
      for (let i = 0; i < 6; i++) {
        const text = `m${i}`;
        texts.push(text);
        if (i % 3 === 0) {
          assert.equal((await send(guest.token, text, `two-${i + 1}`)).status, 201);
        } else if (i % 3 === 1) {
          const res = await worker('POST', '/api/v1/external/messages', {
            headers: guestHeaders(stack, guest.token), body: { text, clientId: `two-${i + 1}` },
          }, socket2);
          assert.equal(res.status, 201);
        } else {
          await stack.ctlJson(['conversations', 'reply', String(conversationId), '--text', text]);
        }
      }
      const got = [];
      for (let i = 0; i < texts.length; i++) got.push(await onSecond.next(5000));
      assert.deepEqual(got.map((e) => e.data.text), texts);
      const ids = got.map((e) => e.id);
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
    } finally {
      onSecond.close();
    }
  } finally {
    second.kill('SIGTERM');
    await new Promise((resolve) => second.once('exit', resolve));
  }
});

test('health, readiness and metrics on the worker socket', async () => {
  assert.deepEqual((await worker('GET', '/healthz')).json, { status: 'ok' });
  assert.equal((await worker('GET', '/readyz')).status, 200);
  const metrics = await worker('GET', '/metrics');
  assert.equal(metrics.status, 200);
  for (const name of ['edgechat_http_requests_total', 'edgechat_http_request_duration_seconds_bucket',
    'edgechat_sse_open_streams', 'edgechat_db_pool_in_use', 'edgechat_redis_up']) {
    assert.match(metrics.text, new RegExp(`^${name}`, 'm'));
  }
});

test('SIGTERM: streams end, the worker exits cleanly and removes its socket', async () => {
  const guest = await newGuest(stack);
  const stream = await openEvents(stack, guest.token);
  await stack.killRecorded('worker', 'SIGTERM');
  await waitFor('the stream to end', () => stream.ended(), { timeoutMs: 3000, tolerant: true });
  const log = await readFile(join(stack.varDir, 'log', 'worker.log'), 'utf8');
  assert.match(log, /"msg":"stopped"/);
  await assert.rejects(readFile(join(stack.varDir, 'run', 'worker.sock')), /ENOENT/);
  const restarted = await stack.script('start');
  assert.equal(restarted.code, 0, restarted.stderr);
});
