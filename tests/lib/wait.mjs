// Waiting for what the stack does in its own time (a restart, a registry change, a log line).

/** Resolves after `ms` milliseconds. */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it answers truthy and resolves to that; throws after `timeoutMs` (`tolerant`: a throw is 'not yet'). */
export async function waitFor(what, check, { timeoutMs = 5000, intervalMs = 100, tolerant = false } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let value;
    if (tolerant) {
      try { value = await check(); } catch { value = undefined; /* not yet */ }
    } else {
      value = await check();
    }
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}
