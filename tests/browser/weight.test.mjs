// The widget's weight budgets (a guarantee of the product): loader at most 2 KB and the whole frame
// (HTML, JS, CSS) at most 20 KB, brotli at the highest quality, as built for nginx to serve.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import { buildWidget } from '../../widget/build.mjs';

const LOADER_BUDGET = 2 * 1024;
const FRAME_BUDGET = 20 * 1024;

const brotli = (bytes) => brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;

test('loader and frame stay within their brotli budgets', async (t) => {
  const out = await mkdtemp(join(tmpdir(), 'ec-widget-'));
  try {
    const files = await buildWidget(out);
    const sizes = {};
    for (const file of files) sizes[file] = brotli(await readFile(join(out, file)));
    const frame = files.filter((f) => f.startsWith('frame/')).reduce((sum, f) => sum + sizes[f], 0);
    t.diagnostic(`brotli sizes: ${JSON.stringify(sizes)}; frame total ${frame} bytes`);
    assert.ok(sizes['loader/widget.js'] <= LOADER_BUDGET, `loader ${sizes['loader/widget.js']} B > ${LOADER_BUDGET} B`);
    assert.ok(frame <= FRAME_BUDGET, `frame ${frame} B > ${FRAME_BUDGET} B`);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
