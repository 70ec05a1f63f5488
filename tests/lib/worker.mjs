// HTTP straight to a worker's unix socket, bypassing the edge (and its rate limits).
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { BUILD } from './stack.mjs';
import { waitFor } from './wait.mjs';

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

/**
 * A second worker for `stack`, on its own socket (run/NAME.sock) and the stack's config, resolved
 * once it answers /readyz (subscribed to Redis) and the stack's first worker does too. Returns
 * {socket, stop()}: stop sends SIGTERM and waits for the exit.
 */
export async function startSecondWorker(stack, name = 'worker2') {
  const socket = join(stack.varDir, 'run', `${name}.sock`);
  const first = join(stack.varDir, 'run', 'worker.sock');
  const child = spawn(join(BUILD, 'edgechat-worker'), ['--config', join(stack.varDir, 'edgechat.conf')], {
    env: { ...stack.env, EDGECHAT_WORKER_LISTEN: `unix:${socket}` }, stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await waitFor(`the worker at ${name}`, async () => (await workerRequest(socket, 'GET', '/healthz')).status === 200,
    { timeoutMs: 15000, tolerant: true });
  await waitFor('both workers subscribed', async () => {
    const ready = await Promise.all([first, socket].map((s) => workerRequest(s, 'GET', '/readyz')));
    return ready.every((r) => r.status === 200);
  }, { timeoutMs: 15000, tolerant: true });
  await new Promise((r) => setTimeout(r, 1000)); // the new worker's Redis subscription settles
  return {
    socket,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
