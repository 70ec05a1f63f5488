// The C++ folders are layered (docs/architecture.md, "Libraries"): a folder's code includes only
// its own headers and those of lower layers, so dependencies point one way. This reads every
// quoted #include of the tree, so a new include that points up fails here, not in review.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

// Folder (as an include names it, relative to its include root) -> layer.
const WORKER = {
  log: 1, common: 1, config: 2, store: 3, json: 4, service: 4, http: 4, mail: 4,
  api: 5, registry: 5, events: 6, admin: 6, server: 6, app: 6,
};
const CTL_LAYER = 7;

function sources(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (/\.(cpp|hpp)$/.test(name)) out.push(path);
  }
  return out;
}

function includes(file) {
  return [...readFileSync(file, 'utf8').matchAll(/^#include "([^"]+)"/gm)].map((m) => m[1]);
}

/** Every include of `dir`'s sources that `allowed(includingFolder, includedPath)` refuses. */
function violations(dir, folderOf, allowed) {
  const bad = [];
  for (const file of sources(join(ROOT, dir))) {
    const from = folderOf(relative(join(ROOT, dir), file));
    for (const inc of includes(file)) {
      if (!allowed(from, inc)) bad.push(`${relative(ROOT, file)} includes ${inc}`);
    }
  }
  return bad;
}

const top = (path) => path.split('/')[0];

/** Whether code in worker folder `from` may include `inc`: its own folder or a lower layer. */
const workerAllows = (from, inc) =>
  top(inc) === 'shared' || top(inc) === from || (WORKER[top(inc)] ?? Infinity) < WORKER[from];

test('shared/ includes only itself', () => {
  assert.deepEqual(violations('shared', () => 'shared', (_, inc) => top(inc) === 'shared'), []);
});

test('the module includes shared/ and its own core, never the worker', () => {
  assert.deepEqual(violations('ngx_module', (p) => (p.startsWith('core/') ? 'core' : 'glue'),
    (from, inc) => top(inc) === 'shared' || (top(inc) === 'core') ||
      (from === 'glue' && !inc.includes('/'))), []);
});

test('each worker folder includes only its own and lower layers', () => {
  const bad = violations('worker', (p) => top(p), (from, inc) => {
    if (from === 'main.cpp' || from === 'fuzz') return top(inc) === 'shared' || top(inc) in WORKER;
    assert.ok(WORKER[from] !== undefined, `worker/${from} has no layer: add it here and to the docs`);
    return workerAllows(from, inc);
  });
  assert.deepEqual(bad, []);
});

test('the CLI is on top: it includes the worker and itself, and nothing includes it', () => {
  assert.deepEqual(violations('ctl', () => 'ctl',
    (_, inc) => ['shared', 'ctl'].includes(top(inc)) || (WORKER[top(inc)] ?? Infinity) < CTL_LAYER), []);
  const intoCtl = [...violations('worker', () => 'worker', (_, inc) => top(inc) !== 'ctl'),
    ...violations('shared', () => 'shared', (_, inc) => top(inc) !== 'ctl')];
  assert.deepEqual(intoCtl, []);
});

test('the layers hold on a planted include that points up', () => {
  // The check itself can fail: an include from a lower layer into a higher one is refused.
  assert.equal(workerAllows('store', 'admin/admin_api.hpp'), false);
  assert.equal(workerAllows('http', 'api/external_api.hpp'), false);
  assert.equal(workerAllows('service', 'json/admin_json.hpp'), false);  // same layer, other folder
  assert.equal(workerAllows('admin', 'store/site_repo.hpp'), true);
});
