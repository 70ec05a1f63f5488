// Server-sent events as the tests read them, with the parser the frame and the panel use.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { eventStreamParser } from '../../shared-js/event-stream.js';

export { eventStreamParser };

/**
 * Parses server-sent events from an async iterable of byte chunks (a fetch body or an http
 * response). next() resolves to {id, event, data} with data parsed as JSON; abort() is called by
 * close(). The agents' `presence` events (one at every stream's start, more as agents come and
 * go) are ephemeral status, not the conversation: next() skips them unless `withPresence`;
 * presence() lists the ones skipped.
 */
export function sseReader(body, abort, { withPresence = false } = {}) {
  const queue = [];
  const skipped = [];
  let ended = false;
  let wake = () => {};
  const parser = eventStreamParser(({ type, data, lastEventId }) => {
    // Data that is not JSON throws out of push() and ends the stream, as a broken stream should.
    const event = { id: Number(lastEventId), event: type, data: JSON.parse(data) };
    if (type === 'presence' && !withPresence) skipped.push(event);
    else queue.push(event);
    wake();
  });
  (async () => {
    try {
      for await (const chunk of body) parser.push(chunk);
    } catch { /* aborted */ }
    ended = true;
    wake();
  })();
  return {
    async next(timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      while (!queue.length) {
        if (ended) throw new Error('event stream ended');
        const left = deadline - Date.now();
        if (left <= 0) throw new Error('no event within timeout');
        await new Promise((resolve) => { wake = resolve; setTimeout(resolve, left); });
      }
      return queue.shift();
    },
    pending: () => queue.length,
    presence: () => skipped,
    ended: () => ended,
    close: abort,
  };
}

/** A guest's event stream through the edge, read with fetch as the widget does, after `lastEventId` if given; see sseReader. */
export async function openEvents(stack, token, { lastEventId, siteKey = stack.siteKey } = {}) {
  const controller = new AbortController();
  const headers = { 'Site-Key': siteKey, Authorization: `Bearer ${token}` };
  if (lastEventId !== undefined) headers['Last-Event-ID'] = String(lastEventId);
  const res = await fetch(`${stack.chatUrl}/api/v1/external/events`, { headers, signal: controller.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /text\/event-stream/);
  return sseReader(res.body, () => controller.abort());
}

/** An event stream (GET `path`) straight from the worker at `socketPath`, as an sseReader. */
export async function openWorkerStream(socketPath, path, headers) {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, headers }, (res) => {
      if (res.statusCode !== 200) {
        req.destroy();
        reject(new Error(`stream ${path} answered ${res.statusCode}`));
        return;
      }
      resolve(sseReader(res, () => req.destroy()));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The next event of `reader` whose type is `type` (others skipped), within `timeoutMs`. */
export async function nextEventOf(reader, type, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const e = await reader.next(Math.max(1, deadline - Date.now()));
    if (e.event === type) return e;
  }
}
