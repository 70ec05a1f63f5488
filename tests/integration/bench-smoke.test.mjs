// The benchmarks as docs/performance.md prints them, at a tiny scale: run from the repository root
// with a relative EDGECHAT_BUILD (which once broke nginx's load_module), each installing its peer.
// The figures of a smoke run mean nothing; that every configuration ran and was compared does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { relative } from 'node:path';
import { run, ROOT, BUILD } from '../lib/stack.mjs';

const env = { ...process.env, EDGECHAT_BUILD: relative(ROOT, BUILD) || '.' };
delete env.EDGECHAT_VAR;

test('bench/edge runs every configuration and prints its ratio to bare nginx', { timeout: 300_000 }, async () => {
  const out = await run('bench/edge', ['1', '1'], { cwd: ROOT, env });
  assert.equal(out.code, 0, out.stdout + out.stderr);
  // The summary table: one row per configuration with its req/s and ratio, e.g. "(b) ... 50543  0.76".
  for (const config of ['a', 'b', 'c', 'd', 'e']) {
    assert.match(out.stdout, new RegExp(`^\\(${config}\\) .*\\s\\d+\\s+\\d+\\.\\d\\d$`, 'm'), `(${config}) measured`);
  }
});

test('bench/fanout delivers every event through the worker and through Nchan', { timeout: 300_000 }, async () => {
  const out = await run('bench/fanout', ['1'], {
    cwd: ROOT,
    env: { ...env, BENCH_STREAMS: '200', BENCH_EVENTS: '3', BENCH_REPEAT: '0' },
  });
  assert.equal(out.code, 0, out.stdout + out.stderr);
  const raw = (name) => out.stdout.match(new RegExp(`raw ${name}:\\s+(.*)`))?.[1] ?? '';
  for (const name of ['edgechat', 'nchan']) {
    assert.match(raw(name), /\bexpected=600 received=600 duplicates=0\b/, `${name}: ${raw(name)}`);
  }
});

test('bench/messages stores every acknowledged message and compares it with the INSERT floor', { timeout: 300_000 }, async () => {
  // Its site limits are set through edgechatctl: a limit the CLI refuses stops it before it runs.
  const out = await run('bench/messages', ['1', '1'], { cwd: ROOT, env });
  assert.equal(out.code, 0, out.stdout + out.stderr);
  assert.match(out.stdout, /^1\s+API: nginx -> worker -> MariaDB\s+\d+\s.*\s0\s+\d+\.\d\d$/m, 'API row, no errors');
  assert.match(out.stdout, /^1\s+floor: prepared INSERT, autocommit\s+\d+/m, 'floor row');
  const stored = out.stdout.match(/API: (\d+) acknowledged \(2xx\), (\d+) rows stored with their clientIds; 0 errors/);
  assert.ok(stored, out.stdout);
  assert.equal(stored[1], stored[2]);
});

test('bench/sizing measures MySQL bytes per message, Redis bytes per key and memory per stream', { timeout: 300_000 }, async () => {
  const out = await run('bench/sizing', ['40', '3'], { cwd: ROOT, env: { ...env, BENCH_STREAMS: '40' } });
  assert.equal(out.code, 0, out.stdout + out.stderr);
  assert.match(out.stdout, /^guests 40, messages 120 of 120 bytes, \d+ msg\/s through the edge, streams 40$/m);
  assert.match(out.stdout, /^MySQL per message \(messages \+ events, data \+ indexes\): \d+ bytes; ratio to the text: \d+\.\d\d$/m);
  assert.match(out.stdout, /^Redis: \+\d+ keys, .* \d+ bytes per key$/m);
  // Every stream is two descriptors in nginx (client and upstream) and one in the worker.
  assert.match(out.stdout, /nginx [\d.]+ KB RSS and 2\.00 descriptors .* worker [\d.-]+ KB RSS and 1\.00 descriptors$/m);
});
