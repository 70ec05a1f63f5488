// SQL on a stack's MariaDB (tests/lib/stack.mjs runs it as root on the stack's socket).
import assert from 'node:assert/strict';

/** Runs `query` on the stack's MariaDB, asserting success; resolves to the output trimmed, or with `rows` to arrays of strings. */
export async function sqlOk(stack, query, { rows = false } = {}) {
  const out = await stack.sql(query);
  assert.equal(out.code, 0, out.stderr);
  if (rows) return out.stdout.split('\n').filter(Boolean).map((line) => line.split('\t'));
  return out.stdout.trim();
}
