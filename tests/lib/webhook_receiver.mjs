// A webhook receiver for tests: a Node http server on loopback that checks each delivery's
// Edgechat-Signature (HMAC-SHA256 of `t + "." + body`, 5-minute window) and records it; it can
// answer 500 to the first N deliveries, redirect, and be closed and restarted on the same port.
import http from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';

export function verifySignature(header, secret, body, nowS = Math.floor(Date.now() / 1000)) {
  const parts = Object.fromEntries(String(header ?? '').split(',').map((p) => p.split('=')));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(nowS - t) > 300 || !parts.v1) return false;
  const want = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  const got = Buffer.from(parts.v1, 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}

export async function startWebhookReceiver({ port = 0 } = {}) {
  const state = { secret: '', failFirst: 0, redirectTo: null, received: [], bad: [] };
  let server;
  const listen = (p) => new Promise((resolve, reject) => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        if (state.redirectTo) { res.writeHead(302, { Location: state.redirectTo }); res.end(); return; }
        if (!verifySignature(req.headers['edgechat-signature'], state.secret, body)) {
          state.bad.push({ headers: req.headers, body });
          res.writeHead(401); res.end('bad signature'); return;
        }
        if (state.failFirst > 0) { state.failFirst -= 1; res.writeHead(500); res.end('down'); return; }
        state.received.push({ delivery: req.headers['edgechat-delivery'], event: JSON.parse(body) });
        res.writeHead(204); res.end();
      });
    });
    server.once('error', reject);
    server.listen(p, '127.0.0.1', () => resolve(server.address().port));
  });
  const actualPort = await listen(port);
  return {
    port: actualPort,
    state,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
    restart: () => listen(actualPort),
  };
}
