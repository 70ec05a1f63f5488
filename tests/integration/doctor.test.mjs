// edgechatctl doctor against the real stack: a healthy stack reports healthy (exit 0), then one
// setting at a time is broken and exactly that check reports it with its fix.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, ROOT } from '../lib/stack.mjs';

let stack;
let scratch;

before(async () => {
  stack = await startStack();
  scratch = await mkdtemp(join(tmpdir(), 'ec-doctor-'));
});

after(async () => {
  await rm(scratch, { recursive: true, force: true });
  await stack?.stop();
});

const nginxConf = () => join(stack.varDir, 'nginx', 'conf', 'nginx.conf');

/**
 * Runs doctor against the stack's nginx (private prefix) and worker; `extra` flags override those
 * (a null value leaves a flag out).
 */
async function doctor(extra = [], { json = true, env = {}, on = stack } = {}) {
  const flags = {
    '--nginx': '/usr/sbin/nginx', '--nginx-prefix': join(on.varDir, 'nginx'),
    '--nginx-conf': join(on.varDir, 'nginx', 'conf', 'nginx.conf'),
    '--worker-pid-file': join(on.varDir, 'run', 'worker.pid'),
  };
  for (let i = 0; i + 1 < extra.length; i += 2) flags[extra[i]] = extra[i + 1];
  const args = ['doctor', ...Object.entries(flags).filter(([, v]) => v !== null).flat()];
  const result = await on.ctl(json ? [...args, '--json'] : args, { env: { ...on.env, ...env } });
  return { ...result, report: json ? JSON.parse(result.stdout) : null };
}

const check = (report, name) => {
  const found = report.checks.find((c) => c.name === name);
  assert.ok(found, `no check ${name} in ${JSON.stringify(report.checks.map((c) => c.name))}`);
  return found;
};

/** The checks that failed, by name. */
const failed = (report) => report.checks.filter((c) => c.status === 'fail').map((c) => c.name);

test('a healthy stack is healthy: exit 0, every check ok but TLS (http origin warns)', async () => {
  const { code, report, stderr } = await doctor();
  assert.equal(code, 0, stderr);
  assert.equal(report.healthy, true);
  for (const c of report.checks) {
    assert.ok(typeof c.detail === 'string' && typeof c.fix === 'string', c.name);
    if (c.name === 'tls') continue;
    assert.equal(c.status, 'ok', `${c.name}: ${c.detail}`);
  }
  assert.equal(check(report, 'tls').status, 'warn');
  assert.match(check(report, 'tls').detail, /not https/);
  assert.match(check(report, 'nginx_module').detail, /ngx_http_edgechat_module\.so/);
  assert.match(check(report, 'open_files').detail, /\/proc\/\d+\/limits/);
  for (const name of ['nginx_version', 'public_origin', 'worker_socket', 'nginx_upstream', 'worker_answers',
    'redis', 'redis_edge', 'mysql', 'migrations', 'clocks', 'site_origins']) check(report, name);

  // Without --worker-pid-file the worker is found as the process listening on its socket.
  const found = await doctor(['--worker-pid-file', null]);
  assert.equal(found.code, 0);
  assert.match(check(found.report, 'open_files').detail,
    new RegExp(`/proc/${await stack.pidOf('worker')}/limits`));

  const text = await doctor([], { json: false });
  assert.equal(text.code, 0);
  assert.match(text.stdout, /^ok   nginx_module: /m);
  assert.match(text.stdout, /^warn tls: .*\n     fix: /m);
  assert.match(text.stdout, /checks: \d+ ok, 1 warn, 0 failed, 0 skipped: healthy/);
});

test('a worker socket others may connect to fails worker_socket with chmod 660 as the fix', async () => {
  const socket = join(stack.varDir, 'run', 'worker.sock');
  await chmod(socket, 0o666);
  try {
    const { code, report } = await doctor();
    assert.equal(code, 1);
    assert.equal(report.healthy, false);
    assert.deepEqual(failed(report), ['worker_socket']);
    assert.match(check(report, 'worker_socket').detail, /mode 0666 owner \d+:\d+: any local user can connect/);
    assert.match(check(report, 'worker_socket').fix, /chmod 660/);
  } finally {
    await chmod(socket, 0o660);
  }
  const { code, stdout } = await doctor([], { json: false });
  assert.equal(code, 0, stdout);
});

test('nginx running as a user who cannot reach the socket fails worker_socket', async () => {
  // The stack's nginx runs as root; as "nobody" it could not enter the private state directory.
  const conf = join(scratch, 'as-nobody.conf');
  const text = await readFile(nginxConf(), 'utf8');
  assert.match(text, /^user root;$/m);
  await writeFile(conf, text.replace(/^user root;$/m, 'user nobody nogroup;'));
  const { code, report } = await doctor(['--nginx-conf', conf]);
  assert.equal(code, 1);
  assert.deepEqual(failed(report), ['worker_socket'], JSON.stringify(report.checks[0]));
  assert.match(check(report, 'worker_socket').detail,
    new RegExp(`nginx's user "nobody" cannot enter ${stack.varDir} \\(mode 0700`));
  assert.match(check(report, 'worker_socket').fix, /chmod 750/);
});

test('a migration not applied fails migrations and names edgechatctl migrate', async () => {
  const sqlDir = join(scratch, 'sql-ahead');
  await cp(join(ROOT, 'sql'), sqlDir, { recursive: true });
  await writeFile(join(sqlDir, '999_doctor_extra.sql'), 'CREATE TABLE doctor_extra (id INT);\n');
  const { code, report } = await doctor(['--sql-dir', sqlDir]);
  assert.equal(code, 1);
  assert.deepEqual(failed(report), ['migrations']);
  assert.match(check(report, 'migrations').detail, /1 not applied: 999_doctor_extra\.sql/);
  assert.equal(check(report, 'migrations').fix, 'edgechatctl migrate');

  // The other way round: the database holds a migration the sql dir lacks.
  const older = join(scratch, 'sql-older');
  await cp(join(ROOT, 'sql'), older, { recursive: true });
  await rm(join(older, '007_client_id_binary.sql'));
  const behind = await doctor(['--sql-dir', older]);
  assert.equal(behind.code, 1);
  assert.deepEqual(failed(behind.report), ['migrations']);
  assert.match(check(behind.report, 'migrations').detail, /versions 7.*newer than this edgechat/);
});

test('a site with no origins warns with the command that adds one; still healthy', async () => {
  const site = await stack.ctlJson(['site', 'add', '--name', 'Doctor bare site']);
  try {
    const { code, report } = await doctor();
    assert.equal(code, 0);
    assert.equal(report.healthy, true);
    const warn = check(report, `site_origins:${site.key}`);
    assert.equal(warn.status, 'warn');
    assert.match(warn.detail, /"Doctor bare site".*no origins: its widget cannot be embedded anywhere/);
    assert.equal(warn.fix, `edgechatctl site update ${site.key} --add-origin https://shop.example`);
    assert.equal(report.checks.filter((c) => c.name.startsWith('site_origins')).length, 1);
  } finally {
    await stack.ctl(['site', 'remove', site.key, '--yes']);
  }
});

test('nginx config without edgechat_public_origin fails public_origin; TLS cannot be judged', async () => {
  const conf = join(scratch, 'no-origin.conf');
  const text = await readFile(nginxConf(), 'utf8');
  assert.match(text, /edgechat_public_origin /);
  await writeFile(conf, text.replace(/^\s*edgechat_public_origin .*$/m, ''));
  const { code, report } = await doctor(['--nginx-conf', conf]);
  assert.equal(code, 1);
  // The module itself refuses edgechat_api without a public origin: nginx -T fails, and the
  // public_origin check (not nginx_module) names it.
  assert.deepEqual(failed(report), ['public_origin'], JSON.stringify(report.checks, null, 1));
  assert.match(check(report, 'public_origin').detail, /need "edgechat_public_origin"/);
  assert.equal(check(report, 'nginx_module').status, 'ok');
  assert.match(check(report, 'public_origin').fix, /edgechat_public_origin https:\/\//);
  assert.equal(check(report, 'tls').status, 'skip');
});

test('nginx config without the module fails nginx_module; nginx checks are skipped, not crashed', async () => {
  const conf = join(scratch, 'no-module.conf');
  const text = await readFile(nginxConf(), 'utf8');
  await writeFile(conf, text.replace(/^load_module .*$/m, ''));
  const { code, report } = await doctor(['--nginx-conf', conf]);
  assert.equal(code, 1);
  assert.deepEqual(failed(report), ['nginx_module']);
  assert.match(check(report, 'nginx_module').detail, /unknown directive "edgechat_/);
  for (const name of ['public_origin', 'tls', 'redis_edge']) assert.equal(check(report, name).status, 'skip');

  const missing = await doctor(['--nginx', join(scratch, 'no-such-nginx')]);
  assert.equal(missing.code, 1);
  assert.deepEqual(failed(missing.report), ['nginx_module']);
  assert.match(check(missing.report, 'nginx_module').detail, /cannot run .*no-such-nginx/);
  assert.match(check(missing.report, 'nginx_module').fix, /--nginx/);
  assert.equal(check(missing.report, 'mysql').status, 'ok');
});

// libfaketime (scripts/setup installs it) moves this CLI's clock alone: MySQL and Redis keep theirs.
const FAKETIME_LIB = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

test('a host clock 30 s off MySQL and Redis fails clocks with NTP as the fix', async () => {
  assert.ok(existsSync(FAKETIME_LIB), `${FAKETIME_LIB} is missing: run scripts/setup (package faketime)`);
  const { code, report } = await doctor([], {
    env: { LD_PRELOAD: FAKETIME_LIB, FAKETIME: '-30s', FAKETIME_DONT_FAKE_MONOTONIC: '1' },
  });
  assert.equal(code, 1);
  assert.deepEqual(failed(report), ['clocks']);
  assert.match(check(report, 'clocks').detail, /MySQL \+(29|30|31)\.\d+ s, Redis \+(29|30|31)\.\d+ s from this host/);
  assert.match(check(report, 'clocks').fix, /NTP/);
  const tolerant = await doctor(['--clock-tolerance-ms', '60000'], {
    env: { LD_PRELOAD: FAKETIME_LIB, FAKETIME: '-30s', FAKETIME_DONT_FAKE_MONOTONIC: '1' },
  });
  assert.equal(tolerant.code, 0, JSON.stringify(failed(tolerant.report)));
});

test('bad usage exits 2', async () => {
  const { code, stderr } = await stack.ctl(['doctor', '--no-such-flag']);
  assert.equal(code, 2);
  assert.match(stderr, /unknown option --no-such-flag/);
  const tolerance = await stack.ctl(['doctor', '--clock-tolerance-ms', 'soon']);
  assert.equal(tolerance.code, 2);
});

// Last: the stack's Redis does not come back.
test('Redis stopped fails redis (CLI config) and redis_edge (nginx config)', async () => {
  await stack.killRecorded('redis', 'SIGTERM');
  const { code, report } = await doctor();
  assert.equal(code, 1);
  assert.deepEqual(failed(report).sort(), ['redis', 'redis_edge']);
  assert.match(check(report, 'redis').detail, /redis\.sock/);
  assert.match(check(report, 'redis').fix, /start Redis/);
  assert.match(check(report, 'redis_edge').fix, /start Redis, or fix the edgechat_redis address/);
  assert.equal(check(report, 'clocks').status, 'ok');  // MySQL alone is still compared
});

// Redis with AUTH (an ACL user): the CLI and the edge each authenticate with their own settings,
// and a wrong password on either side fails that side's check, naming its settings.
test('Redis AUTH: healthy with the right passwords; a wrong one fails redis or redis_edge', async () => {
  const authed = await startStack({ env: { EDGECHAT_REDIS_PASSWORD: 'doctor-pass-1', EDGECHAT_REDIS_USER: 'edgechat' } });
  try {
    const healthy = await doctor([], { on: authed });
    assert.equal(healthy.code, 0, JSON.stringify(healthy.report.checks.filter((c) => c.status !== 'ok')));
    assert.equal(check(healthy.report, 'redis_edge').status, 'ok');

    const wrong = join(scratch, 'wrong-redis-password');
    await writeFile(wrong, 'not-the-password\n', { mode: 0o600 });
    const cli = await doctor([], { on: authed, env: { EDGECHAT_REDIS_PASSWORD_FILE: wrong } });
    assert.equal(cli.code, 1);
    assert.deepEqual(failed(cli.report), ['redis']);
    assert.match(check(cli.report, 'redis').fix, /redis\.user \/ redis\.password_file/);

    const conf = join(scratch, 'wrong-edge-password.conf');
    const text = await readFile(join(authed.varDir, 'nginx', 'conf', 'nginx.conf'), 'utf8');
    assert.match(text, /edgechat_redis_password_file /);
    await writeFile(conf, text.replace(/edgechat_redis_password_file [^;]+;/, `edgechat_redis_password_file ${wrong};`));
    const edge = await doctor(['--nginx-conf', conf], { on: authed });
    assert.equal(edge.code, 1);
    assert.deepEqual(failed(edge.report), ['redis_edge']);
    assert.match(check(edge.report, 'redis_edge').fix, /edgechat_redis_user \/ edgechat_redis_password_file/);
  } finally {
    await authed.stop();
  }
});
