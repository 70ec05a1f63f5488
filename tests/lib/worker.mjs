// HTTP straight to a worker's unix socket, bypassing the edge (and its rate limits).
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
