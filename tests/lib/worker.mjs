// HTTP straight to a worker's unix socket, bypassing the edge (and its rate limits).
import { request } from 'node:http';

/**
 * One request to the worker listening on `socketPath`; `body` is sent as is when a string, else as
 * JSON. Resolves to {status, headers, text, json} (json undefined when the body is not JSON).
 */
export function workerRequest(socketPath, method, path, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, headers }, (res) => {
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
