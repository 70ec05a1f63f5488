// Site settings changed as an operator changes them (edgechatctl), checked where the widget reads
// them, or set straight in the database for what the CLI does not offer.
import assert from 'node:assert/strict';
import { sqlOk } from './sql.mjs';
import { sleep } from './wait.mjs';

/** `edgechatctl site update siteKey ...args`, then polls the edge's config of the site until `until(config)`, failing after 2 s. */
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

/** Sets SQL `assignments` on every site in MariaDB, bumps the registry revision to publish it, and waits 2.5 s for the edge. */
export async function updateSitesSql(stack, assignments) {
  await sqlOk(stack, `UPDATE sites SET ${assignments}; UPDATE registry_state SET revision = revision + 1 WHERE id = 1`);
  await sleep(2500);
}
