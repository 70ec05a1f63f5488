// Boots the real edgechat stack (MariaDB, Redis, worker, nginx with the module, demo page) through
// scripts/start in a private temp dir on free loopback ports, for integration and browser tests.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BUILD = process.env.EDGECHAT_BUILD || join(ROOT, 'build');

/** Resolves to a TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Runs a program; resolves to {code, stdout, stderr} and never rejects on a non-zero exit. */
export function run(file, args, options = {}) {
  return new Promise((resolve) => {
    execFile(file, args, { maxBuffer: 64 << 20, ...options }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** True once `pid` has exited (a zombie not yet reaped by pid 1 counts as exited). */
async function exited(pid) {
  try { process.kill(pid, 0); } catch { return true; }
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch { return true; }
}

/**
 * Starts a stack. Options: chatHost (default 127.0.0.1) and demoHost (default localhost) name the
 * two origins; browser tests use `.test` names mapped to loopback. `env` adds variables for
 * scripts/start and so for the worker (EDGECHAT_ADMIN_LOGIN_WINDOW...).
 */
export async function startStack({ chatHost = '127.0.0.1', demoHost = 'localhost', env: extraEnv = {} } = {}) {
  // Short path: unix socket paths are limited to 107 bytes.
  const varDir = await mkdtemp(join(tmpdir(), 'ec-'));
  const port = await freePort();
  let demoPort = await freePort();
  while (demoPort === port) demoPort = await freePort();
  const chatUrl = `http://${chatHost}:${port}`;
  const demoUrl = `http://${demoHost}:${demoPort}`;
  const env = {
    ...process.env,
    EDGECHAT_VAR: varDir,
    EDGECHAT_PORT: String(port),
    EDGECHAT_DEMO_PORT: String(demoPort),
    EDGECHAT_PUBLIC_URL: chatUrl,
    EDGECHAT_DEMO_URL: demoUrl,
    EDGECHAT_BUILD: BUILD,
    EDGECHAT_SKIP_SETUP: '1',
    EDGECHAT_SKIP_BUILD: '1',
    ...extraEnv,
  };
  const stop = async () => {
    const result = await run(join(ROOT, 'scripts', 'stop'), [], { env });
    if (result.code !== 0) throw new Error(`scripts/stop failed:\n${result.stdout}${result.stderr}`);
    if (!process.env.EDGECHAT_KEEP_VAR) await rm(varDir, { recursive: true, force: true });
  };
  const started = await run(join(ROOT, 'scripts', 'start'), [], { env });
  if (started.code !== 0) {
    await run(join(ROOT, 'scripts', 'stop'), [], { env });
    throw new Error(`scripts/start failed (state kept in ${varDir}):\n${started.stdout}${started.stderr}`);
  }
  const siteKey = (await readFile(join(varDir, 'demo-site-key'), 'utf8')).trim();
  const mainSiteKey = (await readFile(join(varDir, 'main-site-key'), 'utf8')).trim();
  const adminPassword = (await readFile(join(varDir, 'admin-password'), 'utf8')).trim();
  const ctl = (args, options = {}) =>
    run(join(ROOT, 'scripts', 'edgechatctl'), args, { env, ...options });
  const ctlJson = async (args) => {
    const result = await ctl([...args, '--json']);
    if (result.code !== 0) {
      throw new Error(`edgechatctl ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
    }
    return JSON.parse(result.stdout);
  };
  return {
    chatUrl, demoUrl, port, demoPort, varDir, env, siteKey, mainSiteKey, adminPassword,
    startOutput: started.stdout, ctl, ctlJson, stop,
    script: (name, args = []) => run(join(ROOT, 'scripts', name), args, { env }),
    /** The pid scripts/start recorded for `name` (worker, mysql, redis, nginx...). */
    pidOf: async (name) => Number((await readFile(join(varDir, 'run', `${name}.pid`), 'utf8')).trim()),
    /**
     * Signals a process scripts/start recorded and waits (20 s at most) for it to exit. Its pid
     * file is removed, so scripts/start (whose liveness check cannot tell a zombie from a live
     * process) starts it again. Resolves to the pid.
     */
    killRecorded: async (name, signal) => {
      const pidFile = join(varDir, 'run', `${name}.pid`);
      const pid = Number((await readFile(pidFile, 'utf8')).trim());
      process.kill(pid, signal);
      const deadline = Date.now() + 20000;
      while (!(await exited(pid))) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${name} to exit`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await rm(pidFile, { force: true });
      return pid;
    },
    /** SQL as MariaDB's root on the stack's socket, database edgechat, rows tab-separated. */
    sql: (query) => run('mariadb', ['--no-defaults', `--socket=${join(varDir, 'run', 'mysql.sock')}`,
      '-uroot', '-N', '-B', 'edgechat', '-e', query]),
  };
}
