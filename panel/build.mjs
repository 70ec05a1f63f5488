// Builds the admin panel nginx serves: panel/src/ (one module per page, plus shared-js/) bundled
// and minified into one script, the stylesheet minified, the page copied, into build/panel/ (or the
// directory given as the first argument); prints the weight. Usage: node panel/build.mjs [OUT_DIR]
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { weigh, weightLine } from '../scripts/weight.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'panel');

/** Builds into outDir; returns the paths written, relative to outDir. */
export async function buildPanel(outDir = join(ROOT, 'build', 'panel')) {
  const common = { bundle: true, minify: true, legalComments: 'none', logLevel: 'warning' };
  await build({ ...common, entryPoints: [join(SRC, 'src', 'main.js')], outfile: join(outDir, 'panel.js'), target: 'es2020' });
  await build({ ...common, entryPoints: [join(SRC, 'panel.css')], outfile: join(outDir, 'panel.css'), target: 'chrome100' });
  await mkdir(outDir, { recursive: true });
  await copyFile(join(SRC, 'index.html'), join(outDir, 'index.html'));
  return ['index.html', 'panel.js', 'panel.css'];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] || join(ROOT, 'build', 'panel');
  const files = await buildPanel(out);
  console.log(`panel built into ${out}: ${weightLine('weight', await weigh(out, files))}`);
}
