// Guest calls through a stack's edge (nginx with the module) from a chosen loopback address:
// loopback has all of 127.0.0.0/8, so each address is another client IP to the edge's limits.
import { httpCall } from './worker.mjs';

/** One request to `path` through the edge from address `from` with the demo site's Site-Key; resolves as httpCall does. */
export function edgeRequest(stack, method, path, { from = '127.0.0.1', headers = {}, body } = {}) {
  const url = new URL(`${stack.chatUrl}${path}`);
  return httpCall({
    host: url.hostname, port: url.port, path: url.pathname + url.search, method, localAddress: from, agent: false,
    headers: { 'Site-Key': stack.siteKey, ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
  }, body);
}
