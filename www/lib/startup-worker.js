// The worker that starts the page's wasm module (lib/loader.js `loadApi`): it downloads and
// compiles the module while it streams, so that the browser's work on the arriving bytes happens
// on this thread rather than the page's, and hands the compiled module to the page. Then it
// instantiates the module itself and runs `warmUp` once: the browser compiles each wasm function
// the first time any instance calls it and shares that code with every instance of the module, so
// the page's first drawing does not wait for it either.
//
// Messages to the page: `{ progress: [received, total] }` while the module downloads, then
// `{ module }`, then `{ warm: true | false }`; or `{ error }` if it could not compile the module
// (the page then compiles it itself).
import init, { warmUp } from '../pkg/cnn_playground.js';
import { compileWithProgress } from './loader.js';

onmessage = async ({ data: { url } }) => {
  let module;
  try {
    module = await compileWithProgress(url, (received, total) => postMessage({ progress: [received, total] }));
  } catch (e) {
    postMessage({ error: e.message });
    return;
  }
  postMessage({ module });
  try {
    await init({ module_or_path: module });
    warmUp();
    postMessage({ warm: true });
  } catch {
    postMessage({ warm: false });
  }
};
