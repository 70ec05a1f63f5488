// HTTP straight to a worker's unix socket, bypassing the edge (and its rate limits), and the guest
// calls the tests share.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { join } from 'node:path';

/**
 * One HTTP request with node:http `options` (socketPath or host/port, localAddress...); `body` is
 * sent as is when a string, else as JSON. Resolves to {status, headers, text, json} (json
 * undefined when the body is not JSON).
 */
export function httpCall(options, body) {
  return new Promise((resolve, reject) => {
    const req = request(options, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { data += chunk; });
      res.on('end', () => {
        let json;
        try { json = JSON.parse(data); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, text: data, json });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(typeof body === 'string' ? body : JSON.stringify(body));
    req.end();
  });
}

/** One request to the worker listening on `socketPath` (see httpCall). */
export function workerRequest(socketPath, method, path, { headers = {}, body } = {}) {
  return httpCall({ socketPath, method, path, headers }, body);
}

/** One request to the worker of `stack` (tests/lib/stack.mjs), past the edge and its limits. */
export function stackWorkerRequest(stack, method, path, options) {
  return workerRequest(join(stack.varDir, 'run', 'worker.sock'), method, path, options);
}

/** The headers of a guest's JSON call on a site of the stack (its demo site unless `siteKey`). */
export function guestHeaders(stack, token, siteKey = stack.siteKey) {
  return { 'Site-Key': siteKey, Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
}

/** A new guest {guestId, token, ...} of the stack's demo site (or `siteKey`), made at the worker or with via 'edge' through the edge. */
export async function newGuest(stack, { siteKey = stack.siteKey, via = 'worker' } = {}) {
  if (via === 'worker') {
    const res = await stackWorkerRequest(stack, 'POST', '/api/v1/external/guests', { headers: { 'Site-Key': siteKey } });
    assert.equal(res.status, 201, res.text);
    return res.json;
  }
  const res = await fetch(`${stack.chatUrl}/api/v1/external/guests`, { method: 'POST', headers: { 'Site-Key': siteKey } });
  assert.equal(res.status, 201);
  return res.json();
}

/** Posts the guest message `text` (`clientId`) at the stack's worker, asserting the 201; resolves to the stored message. */
export async function postWorkerMessage(stack, token, text, clientId) {
  const res = await stackWorkerRequest(stack, 'POST', '/api/v1/external/messages',
    { headers: guestHeaders(stack, token), body: { text, clientId } });
  assert.equal(res.status, 201, res.text);
  return res.json.message;
}
