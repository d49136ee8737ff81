// Start-up benchmark (prints, never asserts): the page as a new visitor gets it, from the dev
// server (tools/serve.mjs) on localhost, each load in a fresh browser context (cold HTTP cache,
// no service worker).
//
//   node tests/bench/startup.mjs [loads=5]
//
// Per load it records:
//   - first widget interactive: when the first widget has mounted and the page's main thread has
//     handed control back (a MutationObserver sees the widget's embed tools, which mountWidget
//     appends last, then a macrotask runs), in ms after navigation start;
//   - bytes before interactive: the transfer size (headers and body as sent, compressed where the
//     server compressed) of every request started before that moment, and their count, the page's
//     and its workers' alike (the wasm module is fetched by the start-up worker, whose requests
//     the page's Resource Timing does not list, so they are counted from the browser's network
//     events);
//   - settled: the same totals once no request has started for 2 s (the page without scrolling);
//   - the longest main-thread task up to then (PerformanceObserver "longtask").
// Prints the medians, and the wasm module's size raw, gzipped and brotli-compressed.
import { readFile } from 'node:fs/promises';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { join } from 'node:path';
import { chromium, CHROMIUM, CHROMIUM_ARGS, WWW } from '../e2e/browser.mjs';
import { startServer } from '../../tools/serve.mjs';

const loads = Number(process.argv[2] ?? 5);

// Runs in the page before its scripts: timestamps the first mounted widget and the long tasks.
const PROBE = () => {
  window.__startup = { interactive: null, widget: null, longest: 0 };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__startup.longest = Math.max(window.__startup.longest, e.duration);
  }).observe({ type: 'longtask', buffered: true });
  const seen = new MutationObserver(() => {
    const tools = document.querySelector('.cnn-widget > details.embed');
    if (!tools) return;
    seen.disconnect();
    // The main thread is free once a new task gets to run.
    setTimeout(() => {
      window.__startup.interactive = performance.now();
      window.__startup.widget = tools.parentElement.dataset.widget;
    }, 0);
  });
  document.addEventListener('DOMContentLoaded', () => seen.observe(document.body, { childList: true, subtree: true }));
};

const server = await startServer(WWW, 0);
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
const samples = [];
try {
  for (let i = 0; i < loads; i++) {
    const context = await browser.newContext({ serviceWorkers: 'block', viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    // Every request of the page and its workers, with when it started (ms since the epoch).
    const requests = [];
    page.on('request', (r) => requests.push({ request: r, at: Date.now() }));
    await page.addInitScript(PROBE);
    await page.goto(server.url);
    await page.waitForFunction(() => window.__startup?.interactive != null, null, { timeout: 60_000 });
    const { t, widget, origin } = await page.evaluate(() => ({ t: window.__startup.interactive, widget: window.__startup.widget, origin: performance.timeOrigin }));
    // Settled: no new request for 2 s (at most 60 s).
    const until = Date.now() + 60_000;
    let seen = requests.length;
    let quietSince = Date.now();
    while (Date.now() < until && Date.now() - quietSince < 2000) {
      await new Promise((r) => setTimeout(r, 200));
      if (requests.length !== seen) { seen = requests.length; quietSince = Date.now(); }
    }
    const longest = await page.evaluate(() => window.__startup.longest);
    const sized = await Promise.all(requests.map(async ({ request, at }) => {
      const s = await request.sizes().catch(() => ({ responseHeadersSize: 0, responseBodySize: 0 }));
      return { at, bytes: s.responseHeadersSize + s.responseBodySize };
    }));
    const early = sized.filter((r) => r.at <= origin + t);
    const total = (list) => list.reduce((sum, r) => sum + r.bytes, 0);
    samples.push({ t, widget, bytes: total(early), requests: early.length, settled: { bytes: total(sized), requests: sized.length, longest }, errors });
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (x) => `${(x / 1e6).toFixed(2)} MB`;
const wasm = await readFile(join(WWW, 'pkg', 'cnn_playground_bg.wasm'));
const gz = gzipSync(wasm, { level: 9 }).length;
const br = brotliCompressSync(wasm, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: wasm.length } }).length;
console.log(`cnn-playground start-up (headless Chromium, localhost, cold cache, median of ${loads} loads)`);
// The copies scripts/build.sh wrote and the server sends (gzip by zopfli where it was installed).
const served = async (ext) => readFile(join(WWW, 'pkg', `cnn_playground_bg.wasm.${ext}`)).then((b) => mb(b.length), () => 'none');
console.log(`  wasm module: ${mb(wasm.length)} raw, ${mb(gz)} gzip -9, ${mb(br)} brotli -q 11; copies served: ${await served('gz')} .gz, ${await served('br')} .br`);
console.log(`  first widget interactive: ${median(samples.map((s) => s.t)).toFixed(0)} ms after navigation (each load: ${samples.map((s) => s.t.toFixed(0)).join(', ')}; widget "${samples[0].widget}")`);
console.log(`  transferred before it:    ${mb(median(samples.map((s) => s.bytes)))} in ${median(samples.map((s) => s.requests))} requests`);
console.log(`  settled (no scrolling):   ${mb(median(samples.map((s) => s.settled.bytes)))} in ${median(samples.map((s) => s.settled.requests))} requests`);
console.log(`  longest main-thread task until settled: ${median(samples.map((s) => s.settled.longest)).toFixed(0)} ms (median of the loads' longest)`);
const errors = samples.flatMap((s) => s.errors);
if (errors.length) console.log(`  page errors: ${[...new Set(errors)].join('; ')}`);
