// Loading the wasm module once per page, with progress: the full page, embed.html and every
// <cnn-…> element share one instance.

import init, * as api from '../pkg/cnn_playground.js';

/**
 * Fetches `url` as bytes, calling `onProgress(received, total)` as chunks arrive (`total` is 0
 * when the server does not say). Rejects with `path: HTTP status` for a failed response.
 */
export async function fetchWithProgress(url, onProgress = () => {}) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${new URL(url, location.href).pathname}: HTTP ${response.status}`);
  return readWithProgress(response, onProgress);
}

/** Lets the page's thread run the tasks already waiting (input, drawing, messages) before going
 * on: a message to itself, not setTimeout (timers in a background tab wait a second), nor
 * `scheduler.yield()` (its continuation runs ahead of tasks already queued). */
function yieldToPage() {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = resolve;
    channel.port2.postMessage(0);
  });
}

/**
 * The body of `response` as bytes, calling `onProgress(received, total)` as chunks arrive.
 * Chunks already buffered resolve at once, as microtasks of one task, so the loop yields to the
 * page every 32 chunks or 8 ms: reading the 22 MB face encoder had held the page's thread for up
 * to 204 ms in one task (Chromium, Dec 2026, two cores shared with a build).
 */
export async function readWithProgress(response, onProgress = () => {}) {
  // With Content-Encoding the length counts compressed bytes, the body decompressed ones.
  const total = response.headers.has('content-encoding') ? 0 : Number(response.headers.get('content-length')) || 0;
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    onProgress(bytes.length, total);
    return bytes;
  }
  const reader = response.body.getReader();
  const chunks = [];
  let received = 0;
  let slice = performance.now();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.length;
    onProgress(received, total);
    if (chunks.length % 32 === 0 || performance.now() - slice > 8) {
      await yieldToPage();
      slice = performance.now();
    }
  }
  const bytes = new Uint8Array(received);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return bytes;
}

/**
 * A progress callback `(received, total)` that moves the `<progress>` element `bar`; without a
 * total the bar stays indeterminate and its label says how much has arrived.
 */
export function progressTo(bar) {
  return (received, total) => {
    if (total) {
      bar.max = total;
      bar.value = received;
    } else {
      bar.title = `${(received / 1e6).toFixed(1)} MB received`;
    }
  };
}

let loading = null;
let compiled = null;
const listeners = new Set();

/** The compiled wasm module (after `loadApi`), which workers instantiate without fetching it again. */
export async function wasmModule() {
  await loadApi();
  return compiled;
}

/**
 * Compiles the module at `url` while it downloads (`WebAssembly.compileStreaming`, which also lets
 * the browser cache the compiled code), reporting `(received, total)` from a copy of the body.
 * `total` is the module's size when the server sends it uncompressed (Content-Length), else 0 (an
 * indeterminate bar): with `Content-Encoding` the length counts compressed bytes. Browsers
 * without streaming compilation, or a server that does not send `application/wasm`, get the
 * byte-array path.
 */
export async function compileWithProgress(url, onProgress) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${new URL(url, location.href).pathname}: HTTP ${response.status}`);
  const streaming = WebAssembly.compileStreaming && response.body
    && response.headers.get('content-type')?.split(';')[0].trim() === 'application/wasm';
  if (!streaming) {
    const bytes = await readWithProgress(response, onProgress);
    return WebAssembly.compile(bytes);
  }
  const encoded = response.headers.has('content-encoding');
  const total = encoded ? 0 : Number(response.headers.get('content-length')) || 0;
  const counting = response.clone().body.getReader();
  const count = (async () => {
    let received = 0;
    for (;;) {
      const { done, value } = await counting.read();
      if (done) return;
      received += value.length;
      onProgress(received, total);
    }
  })();
  const [module] = await Promise.all([WebAssembly.compileStreaming(response), count]);
  return module;
}

// The smallest module using a relaxed-SIMD instruction (i8x16.relaxed_swizzle), as
// wasm-feature-detect checks it: valid only where the browser has relaxed SIMD.
const RELAXED_SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 15, 1, 13, 0, 65, 1,
  253, 15, 65, 2, 253, 15, 253, 128, 2, 11]);

/**
 * Which build of the module this browser gets: `"relaxed"` (tract's kernels with fused
 * multiply-add, `+relaxed-simd`) where relaxed SIMD validates, else `"simd128"`. `?wasm=simd128`
 * in the page's address forces the fallback (to compare or test it).
 */
export function wasmBuild() {
  if (new URLSearchParams(location.search).get('wasm') === 'simd128') return 'simd128';
  return WebAssembly.validate(RELAXED_SIMD_PROBE) ? 'relaxed' : 'simd128';
}

const WASM_FILES = { simd128: 'cnn_playground_bg.wasm', relaxed: 'cnn_playground_relaxed_bg.wasm' };

/** How long the page waits for the start-up worker's warm-up once it has the module, ms. */
const WARM_UP_LIMIT = 3000;

/** How the module was started (see `wasmStartup`). */
const startup = { compiledIn: null, warmedUp: false };

/**
 * Where the page's module was compiled (`compiledIn`: `"worker"`, or `"page"` where workers are
 * unavailable or failed) and whether a worker warmed its code up first (`warmedUp`), once
 * `loadApi` has resolved; for the tests and the benchmark. The page's `<html data-wasm>` says
 * the same in words, with the build (`"relaxed, compiled in the worker, warmed up"`).
 */
export function wasmStartup() {
  return { ...startup };
}

/**
 * Compiles the module at `url` in the start-up worker (lib/startup-worker.js), relaying its
 * progress: resolves to `{ module, warm }` as soon as the module is compiled, where `warm`
 * resolves (never rejects) once the worker has run `warmUp`, failed, or taken longer than
 * `WARM_UP_LIMIT`. Rejects if the worker cannot compile the module.
 */
function compileInWorker(url, onProgress) {
  return new Promise((resolve, reject) => {
    let worker;
    try {
      worker = new Worker(new URL('./startup-worker.js', import.meta.url), { type: 'module', name: 'cnn-playground start-up' });
    } catch (e) {
      reject(e);
      return;
    }
    let warmed = null;
    const warm = new Promise((r) => { warmed = r; });
    let timer = null;
    const finish = (ok) => {
      clearTimeout(timer);
      worker.terminate();
      warmed(ok);
    };
    worker.onmessage = ({ data }) => {
      if (data.progress) {
        onProgress(...data.progress);
      } else if (data.module) {
        timer = setTimeout(() => finish(false), WARM_UP_LIMIT);
        resolve({ module: data.module, warm });
      } else if ('warm' in data) {
        finish(data.warm);
      } else {
        finish(false);
        reject(new Error(data.error));
      }
    };
    worker.onerror = (e) => {
      e.preventDefault();
      finish(false);
      reject(new Error(e.message || 'the start-up worker failed'));
    };
    // A browser that cannot hand a compiled module from a worker to the page says so here.
    worker.onmessageerror = () => {
      finish(false);
      reject(new Error('the start-up worker could not hand over the module'));
    };
    worker.postMessage({ url: url.href });
  });
}

/**
 * The wasm module's exports, loaded on the first call (later calls share it). `onProgress`
 * receives `(received, total)` bytes while the module downloads. The start-up worker compiles the
 * module and warms its code up while the page instantiates it; where that worker cannot run, the
 * page compiles the module itself (the same streaming compilation, without the warm-up).
 * Measured in headless Chromium (README "Size and start-up"): the page's longest task while
 * starting fell from 73-97 ms to none over 50 ms.
 */
export function loadApi(onProgress) {
  if (onProgress) listeners.add(onProgress);
  const url = new URL(`../pkg/${WASM_FILES[wasmBuild()]}`, import.meta.url);
  const report = (r, t) => listeners.forEach((f) => f(r, t));
  loading ??= compileInWorker(url, report)
    .then((started) => ({ ...started, where: 'worker' }), async () => ({ module: await compileWithProgress(url, report), warm: Promise.resolve(false), where: 'page' }))
    .then(async ({ module, warm, where }) => {
      compiled = module;
      const [, warmedUp] = await Promise.all([init({ module_or_path: module }), warm]);
      Object.assign(startup, { compiledIn: where, warmedUp });
      // Also on the page, for tools that cannot import this module (a WebDriver script's sandbox).
      document.documentElement.dataset.wasm = `${wasmBuild()}, compiled in the ${where}${warmedUp ? ', warmed up' : ''}`;
    })
    .then(() => {
      listeners.clear();
      return api;
    })
    .catch((e) => {
      loading = null;
      throw e;
    });
  return loading;
}
