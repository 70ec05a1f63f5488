// Calls of the server API (/api/v1/server/, docs/server-api.md) as a site's own server makes them:
// through the edge with a secret key and no Site-Key, or straight at the worker's socket.
import { httpCall, stackWorkerRequest } from './worker.mjs';

/** One server API call through the edge with secret key `key` (Authorization: Bearer KEY unless `headers` says otherwise). */
export function serverCall(stack, method, path, { key, headers = {}, body, from = '127.0.0.1' } = {}) {
  const url = new URL(`${stack.chatUrl}/api/v1/server/${path}`);
  return httpCall({
    host: url.hostname, port: url.port, path: url.pathname + url.search, method, localAddress: from, agent: false,
    headers: {
      ...(key ? { Authorization: `Bearer ${key}` } : {}),
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...headers,
    },
  }, body);
}

/** The same call straight at the worker (past the edge): what the worker alone decides. */
export function serverWorkerCall(stack, method, path, { key, headers = {}, body } = {}) {
  return stackWorkerRequest(stack, method, `/api/v1/server/${path}`, {
    headers: {
      ...(key ? { Authorization: `Bearer ${key}` } : {}),
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      'X-Edgechat-Site-Key': stack.siteKey,
      ...headers,
    },
    body,
  });
}
