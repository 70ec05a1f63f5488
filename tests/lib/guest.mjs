// A guest's calls (the widget's API) as the tests make them: at the worker's socket, past the
// edge and its limits, or through the edge.
import assert from 'node:assert/strict';
import { stackWorkerRequest } from './worker.mjs';
import { edgeRequest } from './edge.mjs';

/** The headers of a guest's JSON call on a site of the stack (its demo site unless `siteKey`). */
export function guestHeaders(stack, token, siteKey = stack.siteKey) {
  return { 'Site-Key': siteKey, Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
}

/** A new guest {guestId, token, ...} of the demo site (or `siteKey`), made at the worker or with via 'edge' through the edge. */
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

/** Posts guest message `text` (`clientId`) at the worker, asserting the 201; resolves to the stored message. */
export async function postWorkerMessage(stack, token, text, clientId) {
  const res = await stackWorkerRequest(stack, 'POST', '/api/v1/external/messages',
    { headers: guestHeaders(stack, token), body: { text, clientId } });
  assert.equal(res.status, 201, res.text);
  return res.json.message;
}

/** The guest's GET messages ({conversationId, lastEventId, messages...}), asserting the 200; at the worker or with via 'edge'. */
export async function guestHistory(stack, token, { via = 'worker' } = {}) {
  const res = via === 'worker'
    ? await stackWorkerRequest(stack, 'GET', '/api/v1/external/messages', { headers: guestHeaders(stack, token) })
    : await edgeRequest(stack, 'GET', '/api/v1/external/messages', { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200, res.text);
  return res.json;
}
