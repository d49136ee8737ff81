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
  const total = Number(response.headers.get('content-length')) || 0;
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    onProgress(bytes.length, total);
    return bytes;
  }
  const reader = response.body.getReader();
  const chunks = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.length;
    onProgress(received, total);
  }
  const bytes = new Uint8Array(received);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return bytes;
}

/** A progress callback `(received, total)` that moves the `<progress>` element `bar`. */
export function progressTo(bar) {
  return (received, total) => {
    if (total) {
      bar.max = total;
      bar.value = received;
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
 * The wasm module's exports, loaded on the first call (later calls share it). `onProgress`
 * receives `(received, total)` bytes while the module downloads.
 */
export function loadApi(onProgress) {
  if (onProgress) listeners.add(onProgress);
  loading ??= fetchWithProgress(new URL('../pkg/cnn_playground_bg.wasm', import.meta.url), (r, t) => listeners.forEach((f) => f(r, t)))
    .then((bytes) => WebAssembly.compile(bytes))
    .then((module) => {
      compiled = module;
      return init({ module_or_path: module });
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
