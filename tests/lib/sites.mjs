// Site settings changed as an operator changes them (edgechatctl), checked where the widget reads them.
import assert from 'node:assert/strict';

/** Runs `edgechatctl site update siteKey ...args` and polls the edge's config for the site until `until(config)` holds, failing after 2 s (the product's propagation guarantee). */
export async function updateSite(stack, siteKey, args, until) {
  const result = await stack.ctl(['site', 'update', siteKey, ...args]);
  assert.equal(result.code, 0, result.stderr);
  const deadline = Date.now() + 2000; // the product's propagation guarantee
  for (;;) {
    const res = await fetch(`http://127.0.0.1:${stack.port}/api/v1/external/config`, { headers: { 'Site-Key': siteKey } });
    const config = await res.json();
    if (until(config)) return;
    if (Date.now() > deadline) assert.fail(`edge still serves ${JSON.stringify(config)} 2 s after site update ${args.join(' ')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
