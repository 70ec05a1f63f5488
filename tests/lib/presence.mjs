// A guest event stream straight to a worker's socket, read with its ephemeral presence events,
// and the next presence event on it (presence and office-hours tests).
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { sseReader } from './sse.mjs';

export function openStream(socketPath, headers) {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: '/api/v1/external/events', headers }, (res) => {
      assert.equal(res.statusCode, 200);
      resolve(sseReader(res, () => req.destroy(), { withPresence: true }));
    });
    req.on('error', reject);
    req.end();
  });
}

export async function nextPresence(reader, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const e = await reader.next(Math.max(1, deadline - Date.now()));
    if (e.event === 'presence') return e;
  }
}
