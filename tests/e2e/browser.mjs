// Launching Debian's Chromium through playwright-core (no browser download) for the end-to-end
// tests and the benchmark, and collecting every console error and page error.
import { chromium } from 'playwright-core';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { startServer } from '../../tools/serve.mjs';

export { chromium };

export const WWW = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'www');

/** Flags for a root, offline, headless Chromium on these machines (see README "Testing"). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Serves www/ (under `prefix`, with extra response `headers`) and opens Chromium; `problems`
 * collects console errors, uncaught page errors and failed requests. Service workers are blocked
 * unless `serviceWorkers` is `'allow'` (the offline test), so that every other test sees the
 * network as it is.
 */
export async function openPlayground({ extraArgs = [], prefix = '/', headers = {}, serviceWorkers = 'block', contextOptions = {} } = {}) {
  const server = await startServer(WWW, 0, '127.0.0.1', { prefix, headers });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] });
  const context = await browser.newContext({ serviceWorkers, ...contextOptions });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
  return {
    server, browser, context, page, problems,
    async close() { await browser.close(); await server.close(); },
  };
}
