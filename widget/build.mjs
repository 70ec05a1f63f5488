// Builds what nginx serves: the loader and the frame (its modules and shared-js/ bundled), minified,
// into build/widget/ (or the directory given as the first argument). Usage: node widget/build.mjs [OUT_DIR]
import { build } from 'esbuild';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { weigh, weightLine } from '../scripts/weight.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'widget');

/** Builds into outDir; returns the paths written, relative to outDir. */
export async function buildWidget(outDir = join(ROOT, 'build', 'widget')) {
  const common = { minify: true, legalComments: 'none', logLevel: 'warning' };
  await build({ ...common, entryPoints: [join(SRC, 'loader', 'widget.js')], outfile: join(outDir, 'loader', 'widget.js'), target: 'es2017' });
  await build({ ...common, entryPoints: [join(SRC, 'frame', 'src', 'main.js')], outfile: join(outDir, 'frame', 'frame.js'), target: 'es2020', bundle: true });
  await build({ ...common, entryPoints: [join(SRC, 'frame', 'frame.css')], outfile: join(outDir, 'frame', 'frame.css'), target: 'chrome100' });
  // The frame document has no inline script or style; collapsing the whitespace between tags is enough.
  const html = await readFile(join(SRC, 'frame', 'index.html'), 'utf8');
  await mkdir(join(outDir, 'frame'), { recursive: true });
  await writeFile(join(outDir, 'frame', 'index.html'), html.replace(/>\s+</g, '><').trim() + '\n');
  return ['loader/widget.js', 'frame/index.html', 'frame/frame.js', 'frame/frame.css'];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] || join(ROOT, 'build', 'widget');
  const files = await buildWidget(out);
  console.log(`widget built into ${out}: ${weightLine('weight', await weigh(out, files))}`);
}
