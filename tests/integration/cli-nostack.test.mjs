// The CLI as a newcomer first meets it: before scripts/start has ever run. Help must work with no
// stack and no configuration; a command that needs the stack says how to get one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, ROOT, BUILD } from '../lib/stack.mjs';

const CTL = join(ROOT, 'scripts', 'edgechatctl');

async function withoutStack(args) {
  const varDir = await mkdtemp(join(tmpdir(), 'ec-nostack-'));
  try {
    const env = { ...process.env, EDGECHAT_VAR: varDir, EDGECHAT_BUILD: BUILD };
    delete env.EDGECHAT_CONFIG;
    return await run(CTL, args, { env });
  } finally {
    await rm(varDir, { recursive: true, force: true });
  }
}

test('scripts/edgechatctl --help lists every command with no stack started', async () => {
  const out = await withoutStack(['--help']);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /^usage: edgechatctl/m);
  for (const noun of ['migrate', 'admin add', 'site add', 'secret add', 'conversations reply', 'events prune']) {
    assert.ok(out.stdout.includes(`edgechatctl ${noun}`), `help names "${noun}"`);
  }
});

test('a command\'s own --help works with no stack; the bare command prints usage and exits 2', async () => {
  const sub = await withoutStack(['site', 'add', '--help']);
  assert.equal(sub.code, 0, sub.stderr);
  assert.match(sub.stdout, /usage: edgechatctl site add/);
  const bare = await withoutStack([]);
  assert.equal(bare.code, 2);
  assert.match(bare.stdout + bare.stderr, /usage: edgechatctl/);
});

test('a command that needs the stack, with none started, says to run scripts/start', async () => {
  const out = await withoutStack(['site', 'list']);
  assert.notEqual(out.code, 0);
  assert.match(out.stderr, /run scripts\/start first/);
});
