// The weight of built front-end files as served: raw bytes and brotli at the highest quality (what
// the widget's budgets in tests/browser/weight.test.mjs count).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';

/** Returns {files: {name: {raw, brotli}}, raw, brotli} for the files (relative to dir). */
export async function weigh(dir, files) {
  const out = { files: {}, raw: 0, brotli: 0 };
  for (const file of files) {
    const bytes = await readFile(join(dir, file));
    const brotli = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    out.files[file] = { raw: bytes.length, brotli };
    out.raw += bytes.length;
    out.brotli += brotli;
  }
  return out;
}

/** One line for a build log: "NAME: R B raw, C B brotli (file R/C, ...)". */
export function weightLine(name, weight) {
  const each = Object.entries(weight.files).map(([f, w]) => `${f} ${w.raw}/${w.brotli}`).join(', ');
  return `${name}: ${weight.raw} B raw, ${weight.brotli} B brotli (${each})`;
}
