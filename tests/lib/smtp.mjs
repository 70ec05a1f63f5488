// A real SMTP server on loopback for mail tests (tests/lib/smtp_sink.py, aiosmtpd): every mail it
// accepts is a file in its directory; it can be stopped (an outage) and started again on the
// same port, keeping what it received.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './stack.mjs';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'smtp_sink.py');

/**
 * Starts the sink; resolves to {port, dir, start(), stop(), mails(), close()}. `args` are
 * smtp_sink.py's options (--starttls CERT KEY, --auth USER PASS).
 */
export async function startSmtpSink({ args = [] } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'ec-smtp-'));
  const port = await freePort();
  let child = null;
  const start = () => new Promise((resolve, reject) => {
    const proc = spawn('/usr/bin/python3', [SCRIPT, String(port), dir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stderr.on('data', (d) => { err += d; });
    proc.stdout.on('data', (d) => {
      out += d;
      if (out.includes('ready')) { child = proc; resolve(); }
    });
    proc.on('exit', (code) => { if (child !== proc) reject(new Error(`smtp sink exited ${code}: ${err}`)); });
  });
  const stop = async () => {
    if (!child) return;
    const proc = child;
    child = null;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGTERM');
    await exited;
  };
  /** Every mail received so far: {file, raw, headers (lower-case names), messageId, to}. */
  const mails = async () => {
    const names = (await readdir(dir)).filter((n) => n.endsWith('.eml')).sort();
    const out = [];
    for (const file of names) {
      const raw = await readFile(join(dir, file), 'utf8');
      const head = raw.split('\r\n\r\n')[0].replace(/\r\n[ \t]+/g, ' ');
      const headers = {};
      for (const line of head.split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      out.push({
        file, raw, headers, messageId: headers['message-id'], to: headers.to, rcptTo: headers['x-sink-rcpt-to'],
        tls: headers['x-sink-tls'] === 'yes', login: headers['x-sink-auth'],
      });
    }
    return out;
  };
  await start();
  return {
    port, dir, start, stop, mails,
    close: async () => { await stop(); await rm(dir, { recursive: true, force: true }); },
  };
}

/** The decoded text/plain and text/html parts of a raw mail (base64 parts). */
export function mailParts(raw) {
  const parts = {};
  for (const m of raw.matchAll(/Content-Type: (text\/(?:plain|html)); charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n([A-Za-z0-9+/=\r\n]+)/g)) {
    parts[m[1]] = Buffer.from(m[2].replace(/\r\n/g, ''), 'base64').toString('utf8');
  }
  return parts;
}
