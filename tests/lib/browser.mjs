// Headless Debian Chromium through playwright-core, with `.test` host names mapped to loopback so
// chat.test and shop.test are different sites. Collects console errors and page errors per page.
import { chromium } from 'playwright-core';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM = process.env.EDGECHAT_CHROMIUM || '/usr/bin/chromium';

const BASE_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP *.test 127.0.0.1',
];

// Playwright's own --disable-features list minus ThirdPartyStoragePartitioning. Chromium keeps the
// last --disable-features switch, so this one replaces Playwright's: a cross-site iframe's storage
// is then partitioned as in Chrome; with Playwright's list this Chromium blocks it (access throws).
const PARTITIONED_FEATURES =
  '--disable-features=AvoidUnnecessaryBeforeUnloadCheckSync,DestroyProfileOnBrowserClose,HttpsUpgrades,' +
  'HttpsFirstBalancedModeAutoEnable,LensOverlay,MediaRouter,PaintHolding,AvoidCorsURLLoaderRestartOnRedirect,' +
  'OptimizationHints,NetworkTimeServiceQuerying,AimEnabled,PreconnectToSearch';

/**
 * Launches a browser. storage: 'blocked' (Playwright's defaults: third-party storage throws) or
 * 'partitioned' (Chrome's behaviour). A persistent profile (userDataDir) survives a restart.
 * Returns {browser, context, newPage(), errors, close()}; errors lists console errors and page errors.
 */
export async function launch({ storage = 'blocked', userDataDir = null, locale = 'en-US', colorScheme = 'light', viewport } = {}) {
  const args = [...BASE_ARGS];
  const options = { executablePath: CHROMIUM, headless: true, args, locale, colorScheme };
  if (viewport) options.viewport = viewport;
  if (storage === 'partitioned') args.push(PARTITIONED_FEATURES);
  let browser = null;
  let context;
  if (userDataDir) {
    context = await chromium.launchPersistentContext(userDataDir, options);
  } else {
    browser = await chromium.launch(options);
    context = await browser.newContext({ locale, colorScheme, viewport: viewport || undefined });
  }
  const errors = [];
  const watch = (page) => {
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(`${page.url()}: console: ${msg.text()}`);
    });
    page.on('pageerror', (err) => errors.push(`${page.url()}: pageerror: ${err.message}`));
  };
  context.on('page', watch);
  for (const page of context.pages()) watch(page);
  return {
    browser,
    context,
    errors,
    newPage: () => context.newPage(),
    async close() {
      await context.close();
      if (browser) await browser.close();
    },
  };
}

/** A fresh temporary profile directory for launch({userDataDir}); remove it with rm when done. */
export function tempProfile() {
  return mkdtemp(join(tmpdir(), 'ec-profile-'));
}

/** The chat frame of a page (the one whose URL is under chatUrl/frame/), waiting for it. */
export async function chatFrame(page, chatUrl, timeout = 10000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const frame = page.frames().find((f) => f.url().startsWith(`${chatUrl}/frame/`));
    if (frame) return frame;
    if (Date.now() > deadline) throw new Error(`no chat frame from ${chatUrl} in ${page.url()}`);
    await page.waitForTimeout(50);
  }
}
