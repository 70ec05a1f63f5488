// The Debian packages scripts/package builds: their files, dependencies (the exact nginx ABI),
// conffile, maintainer scripts, the unit's hardening, and lintian's verdict. It runs
// scripts/package once into a temp dir (incremental after the first time: its CMake build is kept
// in $EDGECHAT_BUILD/package), or checks the .debs in $EDGECHAT_PACKAGES_DIR when that is set.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../lib/stack.mjs';

const sh = (file, args, options = {}) =>
  execFileSync(file, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...options });
const VERSION = sh('dpkg-parsechangelog', ['-l', join(ROOT, 'debian/changelog'), '-S', 'Version']).trim();
let dir;
const deb = (name) => {
  const file = readdirSync(dir).find((f) => f.startsWith(`${name}_${VERSION}_`) && f.endsWith('.deb'));
  assert.ok(file, `${name}_${VERSION}_*.deb is in ${dir}`);
  return join(dir, file);
};
const field = (name, f) => sh('dpkg-deb', ['-f', deb(name), f]).trim();
const files = (name) =>
  sh('dpkg-deb', ['-c', deb(name)]).trim().split('\n').map((line) => {
    const [mode, owner, , , , path] = line.split(/\s+/);
    return { mode, owner, path: path.replace(/^\./, '') };
  });
const paths = (name) => files(name).map((f) => f.path);
const fileText = (name, path) =>
  sh('sh', ['-c', 'dpkg-deb --fsys-tarfile "$1" | tar -xO ".$2"', 'sh', deb(name), path]);
const control = (name, member) => sh('dpkg-deb', ['-I', deb(name), member]);

before(() => {
  if (process.env.EDGECHAT_PACKAGES_DIR) {
    dir = process.env.EDGECHAT_PACKAGES_DIR;
    return;
  }
  dir = mkdtempSync(join(tmpdir(), 'edgechat-packages-'));
  sh(join(ROOT, 'scripts/package'), ['--out', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
});

test('the nginx module: the .so, its load snippet enabled like Debian modules, the exact nginx ABI', () => {
  const p = paths('libnginx-mod-http-edgechat');
  assert.ok(p.includes('/usr/lib/nginx/modules/ngx_http_edgechat_module.so'));
  assert.ok(p.includes('/usr/share/nginx/modules-available/mod-http-edgechat.conf'));
  assert.equal(
    fileText('libnginx-mod-http-edgechat', '/usr/share/nginx/modules-available/mod-http-edgechat.conf').trim(),
    'load_module modules/ngx_http_edgechat_module.so;');
  const abi = readFileSync('/usr/share/nginx/src/debian/libnginx-mod.abisubstvars', 'utf8')
    .match(/^nginx:abi=(\S+)$/m)[1];
  const depends = field('libnginx-mod-http-edgechat', 'Depends').split(/,\s*/);
  assert.ok(depends.includes(abi), `Depends ${depends} names ${abi}`);
  assert.ok(depends.includes(`edgechat-web (= ${VERSION})`));
  const postinst = control('libnginx-mod-http-edgechat', 'postinst');
  assert.match(postinst, /\/etc\/nginx\/modules-enabled\/\$to/);
  assert.match(postinst, /mod-http-edgechat\.conf:50-mod-http-edgechat\.conf/);
  // Purge takes the registry cache the module wrote (runtime data of the module alone).
  assert.match(control('libnginx-mod-http-edgechat', 'postrm'),
    /"\$1" = purge[^]*rm -f \/var\/lib\/nginx\/edgechat-registry\.json /);
});

test('the worker: binary, conffile with package paths, user, socket directory, hardened unit', () => {
  const f = files('edgechat-worker');
  const p = f.map((x) => x.path);
  assert.ok(p.includes('/usr/sbin/edgechat-worker'));
  assert.deepEqual(control('edgechat-worker', 'conffiles').trim().split('\n'), ['/etc/edgechat/edgechat.conf']);
  assert.equal(f.find((x) => x.path === '/etc/edgechat/edgechat.conf').mode, '-rw-r-----');
  const conf = fileText('edgechat-worker', '/etc/edgechat/edgechat.conf');
  assert.match(conf, /^worker\.listen = unix:\/run\/edgechat\/worker\.sock$/m);
  assert.match(conf, /^sql\.dir = \/usr\/share\/edgechat\/sql$/m);

  const postinst = control('edgechat-worker', 'postinst');
  assert.match(postinst, /adduser --system --group [^\n]*\\\n\s*--gecos "edgechat worker" edgechat\n/);
  assert.match(postinst, /chown root:edgechat \/etc\/edgechat\/edgechat\.conf/);
  // debhelper's tmpfiles snippet runs after the user exists.
  assert.ok(postinst.indexOf('adduser --system') < postinst.indexOf('--create edgechat-worker.conf'));
  // Not started on a fresh install (the unit is not enabled); restarted after an upgrade once
  // enabled or running; stopped on removal.
  assert.match(postinst, /if deb-systemd-helper --quiet was-enabled 'edgechat-worker\.service'; then/);
  assert.match(postinst, /if \[ -n "\$2" \]; then\s+_dh_action=restart\s+else\s+_dh_action=start/);
  assert.match(control('edgechat-worker', 'prerm'), /"\$1" = remove [^]*deb-systemd-invoke stop 'edgechat-worker\.service'/);
  assert.match(fileText('edgechat-worker', '/usr/lib/tmpfiles.d/edgechat-worker.conf'),
    /^d \/run\/edgechat 2750 edgechat www-data -$/m);

  const unit = fileText('edgechat-worker', '/lib/systemd/system/edgechat-worker.service');
  for (const line of ['ProtectSystem=strict', 'ReadWritePaths=/run/edgechat', 'NoNewPrivileges=yes',
    'PrivateTmp=yes', 'ProtectHome=yes', 'LimitNOFILE=65536', 'Restart=on-failure', 'User=edgechat',
    'ExecStart=/usr/sbin/edgechat-worker']) {
    assert.match(unit, new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`, 'm'), line);
  }
  assert.match(unit, /^ExecStartPost=.*-S \/run\/edgechat\/worker\.sock/m);
});

test('the CLI: edgechatctl and every migration of the tree', () => {
  const p = paths('edgechat-cli');
  assert.ok(p.includes('/usr/bin/edgechatctl'));
  const sql = readdirSync(join(ROOT, 'sql')).filter((f) => f.endsWith('.sql'));
  assert.ok(sql.length > 0);
  for (const f of sql) assert.ok(p.includes(`/usr/share/edgechat/sql/${f}`), f);
});

test('the web files: widget and panel, and a server block whose paths are all installed', () => {
  assert.equal(field('edgechat-web', 'Architecture'), 'all');
  const p = paths('edgechat-web');
  for (const f of ['widget/loader/widget.js', 'widget/frame/index.html', 'widget/frame/frame.js',
    'widget/frame/frame.css', 'panel/index.html', 'panel/panel.js', 'panel/panel.css']) {
    assert.ok(p.includes(`/usr/share/edgechat/${f}`), f);
  }
  const site = fileText('edgechat-web', '/usr/share/edgechat/nginx/edgechat-site.conf');
  const used = [...site.matchAll(/(\/usr\/share\/edgechat\/[\w./-]*)/g)].map((m) => m[1]);
  assert.ok(used.length >= 4);
  for (const u of used) {
    assert.ok(p.some((x) => x === u || x.startsWith(u.endsWith('/') ? u : `${u}/`)), `${u} is installed`);
  }
  assert.match(site, /server unix:\/run\/edgechat\/worker\.sock;/);
  assert.doesNotMatch(site, /load_module/);
});

test('nothing needs Node at run time, and lintian passes', () => {
  for (const name of ['libnginx-mod-http-edgechat', 'edgechat-worker', 'edgechat-cli', 'edgechat-web']) {
    assert.doesNotMatch(`${field(name, 'Depends')} ${field(name, 'Recommends')}`, /node/);
  }
  const debs = readdirSync(dir).filter((f) => f.endsWith('.deb')).map((f) => join(dir, f));
  assert.equal(debs.length, 4);
  // Exits non-zero on an error or warning that no override (with its reason) covers.
  const out = sh('lintian', ['--fail-on', 'error,warning', ...debs]);
  assert.doesNotMatch(out, /^[EW]: /m);
});

test('the shipped server block passes nginx -t with the packaged module and files', () => {
  // The packages' files unpacked into a private root; nginx -t reads paths, opens logs, binds nothing.
  const root = mkdtempSync(join(tmpdir(), 'edgechat-nginx-t-'));
  for (const name of ['libnginx-mod-http-edgechat', 'edgechat-web']) sh('dpkg-deb', ['-x', deb(name), join(root, 'fs')]);
  sh('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=chat.example.com',
    '-keyout', join(root, 'key.pem'), '-out', join(root, 'cert.pem')], { stdio: 'ignore' });
  const site = fileText('edgechat-web', '/usr/share/edgechat/nginx/edgechat-site.conf')
    .replaceAll('/usr/share/edgechat/', `${root}/fs/usr/share/edgechat/`)
    .replace('/etc/ssl/certs/chat.example.com.pem', `${root}/cert.pem`)
    .replace('/etc/ssl/private/chat.example.com.key', `${root}/key.pem`)
    .replaceAll('/var/log/nginx/', `${root}/`)
    .replace('/var/lib/nginx/edgechat-registry.json', `${root}/registry.json`);
  writeFileSync(join(root, 'site.conf'), site);
  const load = fileText('libnginx-mod-http-edgechat', '/usr/share/nginx/modules-available/mod-http-edgechat.conf')
    .replace('modules/', `${root}/fs/usr/lib/nginx/modules/`);
  writeFileSync(join(root, 'nginx.conf'), `${load}pid ${root}/nginx.pid;\nerror_log ${root}/error.log;\n` +
    `events {}\nhttp {\n  client_body_temp_path ${root}/body;\n  proxy_temp_path ${root}/proxy;\n` +
    `  fastcgi_temp_path ${root}/fastcgi;\n  uwsgi_temp_path ${root}/uwsgi;\n  scgi_temp_path ${root}/scgi;\n` +
    `  access_log ${root}/access.log;\n  include ${root}/site.conf;\n}\n`);
  const out = sh('sh', ['-c', '/usr/sbin/nginx -t -p "$1" -c "$1/nginx.conf" -e "$1/error.log" 2>&1', 'sh', root]);
  assert.match(out, /test is successful/);
  rmSync(root, { recursive: true, force: true });
});
