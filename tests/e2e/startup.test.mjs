// End to end: what a first visit downloads. The wasm module arrives precompressed and compiles
// while it streams; widgets mount when the reader scrolls near them (or at once when the address
// holds their state or points at them); a model several widgets use is downloaded once per page.
// Fails on any console error, page error or failed request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openPlayground } from './browser.mjs';
import { showWidgets } from './helpers.mjs';

let ctx;
const requests = [];
before(async () => {
  ctx = await openPlayground({ contextOptions: { viewport: { width: 1280, height: 800 } } });
  ctx.page.on('response', (r) => requests.push({ path: new URL(r.url()).pathname, encoding: r.headers()['content-encoding'] ?? null }));
});
after(async () => {
  await ctx?.close();
});

const mountedIds = () => ctx.page.$$eval('main .widget[data-mounted]', (els) => els.map((e) => e.id));
const fetched = (pattern) => requests.filter((r) => pattern.test(r.path));

test('the first screen mounts its widgets only; the wasm module comes compressed and streams into the compiler in a worker', async () => {
  const { page } = ctx;
  // Counts which compile path the page takes.
  await page.addInitScript(() => {
    window.compiles = { streaming: 0, bytes: 0 };
    const { compile, compileStreaming } = WebAssembly;
    WebAssembly.compileStreaming = (...a) => { window.compiles.streaming += 1; return compileStreaming(...a); };
    WebAssembly.compile = (...a) => { window.compiles.bytes += 1; return compile(...a); };
  });
  await page.goto(ctx.server.url);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 60_000 });
  const mounted = await mountedIds();
  assert.ok(mounted.includes('conv-explainer'), mounted.join(', '));
  for (const far of ['lenet-lab', 'explorer', 'face-lab', 'face-id', 'style-transfer']) assert.ok(!mounted.includes(far), `${far} mounted at once`);
  assert.ok(mounted.length < 8, `${mounted.length} widgets mounted at once: ${mounted.join(', ')}`);
  assert.deepEqual(fetched(/\/models\//), [], 'no model before a widget needs one');
  assert.deepEqual(fetched(/widgets\/(face-id|style-transfer|explorer)\.js$/), []);
  const wasm = fetched(/cnn_playground(_relaxed)?_bg\.wasm$/);
  assert.equal(wasm.length, 1);
  // scripts/build.sh writes the .br copy; tools/serve.mjs sends it to a browser that accepts it.
  assert.equal(wasm[0].encoding, 'br');
  // The start-up worker compiled it (the page's own thread compiled nothing) and warmed it up.
  assert.deepEqual(await page.evaluate(() => window.compiles), { streaming: 0, bytes: 0 });
  assert.deepEqual(await page.evaluate(async () => (await import('./lib/loader.js')).wasmStartup()), { compiledIn: 'worker', warmedUp: true });
});

test('without workers the page compiles the module itself, while it streams, and works', async () => {
  const page = await ctx.context.newPage();
  try {
    await page.addInitScript(() => {
      window.compiles = { streaming: 0, bytes: 0 };
      const { compile, compileStreaming } = WebAssembly;
      WebAssembly.compileStreaming = (...a) => { window.compiles.streaming += 1; return compileStreaming(...a); };
      WebAssembly.compile = (...a) => { window.compiles.bytes += 1; return compile(...a); };
      delete window.Worker;
    });
    await page.goto(ctx.server.url);
    await page.waitForSelector('html[data-ready="true"]', { timeout: 60_000 });
    assert.deepEqual(await page.evaluate(() => window.compiles), { streaming: 1, bytes: 0 });
    assert.deepEqual(await page.evaluate(async () => (await import('./lib/loader.js')).wasmStartup()), { compiledIn: 'page', warmedUp: false });
    assert.equal(await page.textContent('#status'), 'Ready.');
  } finally {
    await page.close();
  }
});

test('scrolling to a widget mounts it; LeNet-5, used by four widgets, is downloaded once', async () => {
  await showWidgets(ctx.page, ['lenet-lab', 'explorer', 'transfer', 'augmentation']);
  for (const id of ['lenet-lab', 'explorer', 'transfer', 'augmentation']) {
    await ctx.page.waitForSelector(`#${id}[data-ready="true"]`, { timeout: 60_000 });
  }
  assert.equal(fetched(/models\/lenet5-digits\.onnx$/).length, 1, fetched(/models\//).map((r) => r.path).join(', '));
  assert.equal(fetched(/models\/digits-heldout\.bin$/).length, 1);
  assert.ok(!(await mountedIds()).includes('style-transfer'));
  assert.deepEqual(ctx.problems, []);
});

test('a shared link mounts the widgets it holds state for, and the one it points at, at once', async () => {
  const page = await ctx.context.newPage();
  try {
    await page.goto(`${ctx.server.url}?yolo.grid=4#style-transfer`);
    await page.waitForSelector('html[data-ready="true"]', { timeout: 60_000 });
    const mounted = await page.$$eval('main .widget[data-mounted]', (els) => els.map((e) => e.id));
    assert.ok(mounted.includes('yolo-grid'), mounted.join(', '));
    assert.ok(mounted.includes('style-transfer'), mounted.join(', '));
  } finally {
    await page.close();
  }
  assert.deepEqual(ctx.problems, []);
});

test('Chromium gets the relaxed-SIMD module, ?wasm=simd128 the fallback; both agree with the reference', async () => {
  const page = await ctx.context.newPage();
  const wasm = [];
  page.on('request', (r) => { if (r.url().endsWith('.wasm')) wasm.push(new URL(r.url()).pathname.split('/').pop()); });
  try {
    for (const [query, file] of [['', 'cnn_playground_relaxed_bg.wasm'], ['?wasm=simd128', 'cnn_playground_bg.wasm']]) {
      wasm.length = 0;
      await page.goto(`${ctx.server.url}${query}`);
      await page.waitForSelector('html[data-ready="true"]', { timeout: 60_000 });
      assert.deepEqual(wasm, [file]);
      // 200 seeded random convolutions (kernel 1-5, padding 0-2, stride 1-3, 1-4 channels and
      // filters) by tract in this module against the plain-Rust reference.
      const worst = await page.evaluate(async () => {
        const api = await import('./pkg/cnn_playground.js');
        let seed = 7;
        const rand = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
        const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
        let worst = 0;
        for (let i = 0; i < 200; i++) {
          const c = int(1, 4), m = int(1, 4), f = int(1, 5), h = int(f, 24), w = int(f, 24);
          const options = {
            input: new Float32Array(c * h * w).map(() => rand() * 2 - 1), inputShape: [c, h, w],
            weight: new Float32Array(m * c * f * f).map(() => rand() * 2 - 1), weightShape: [m, c, f, f],
            bias: new Float32Array(m).map(() => rand()), padding: int(0, 2), stride: int(1, 3),
          };
          worst = Math.max(worst, api.maxAbsDiff(api.conv(options).data, api.convReference(options).data));
        }
        return worst;
      });
      assert.ok(worst < 1e-4, `${file}: largest |tract - reference| ${worst}`);
    }
  } finally {
    await page.close();
  }
  assert.deepEqual(ctx.problems, []);
});

test('reading a download lets the page run in between, even when every chunk has already arrived', async () => {
  const { page } = ctx;
  await page.goto(ctx.server.url);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 30_000 });
  const result = await page.evaluate(async () => {
    const { readWithProgress } = await import('./lib/loader.js');
    // 400 chunks of 64 KB (25.6 MB, like the face encoder), all queued before reading starts.
    const body = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 400; i++) controller.enqueue(new Uint8Array(65536).fill(i % 251));
        controller.close();
      },
    });
    let ranBetween = false;
    let done = false;
    const channel = new MessageChannel();
    channel.port1.onmessage = () => { ranBetween = !done; };
    channel.port2.postMessage(0);
    let calls = 0;
    const bytes = await readWithProgress(new Response(body), () => { calls += 1; });
    done = true;
    return { ranBetween, calls, length: bytes.length, last: bytes[bytes.length - 1] };
  });
  assert.deepEqual(result, { ranBetween: true, calls: 400, length: 400 * 65536, last: 399 % 251 });
  assert.deepEqual(ctx.problems, []);
});
