// Models that live in a Web Worker (lib/model-worker.js) with its own instance of the wasm
// module: loading and running them never blocks the page, and a trap while doing so ends only that
// worker. The page says so (the promise rejects with a plain sentence) and the next load starts a
// fresh worker; every other widget keeps working on the page's own instance.

import { wasmModule } from './loader.js';

let worker = null;

/** Ends the current worker: every call still waiting gets `reason`. */
function stop(reason) {
  if (!worker) return;
  const { w, pending } = worker;
  worker = null;
  w.terminate();
  for (const { reject } of pending.values()) reject(new Error(reason));
}

function crashed(detail) {
  return `The model stopped the worker that ran it, so that model is gone; the rest of the page keeps working. Load a model again to start a fresh worker.\n${detail}`;
}

function start() {
  const w = new Worker(new URL('./model-worker.js', import.meta.url), { type: 'module', name: 'cnn-playground models' });
  const state = { w, pending: new Map(), nextId: 1 };
  w.onmessage = ({ data }) => {
    const call = state.pending.get(data.id);
    if (!call) return;
    state.pending.delete(data.id);
    if (!('error' in data)) call.resolve(data.value);
    else if (data.fatal) {
      call.reject(new Error(crashed(data.error)));
      if (worker === state) stop(crashed(data.error));
    } else call.reject(new Error(data.error));
  };
  w.onerror = (event) => {
    event.preventDefault();
    if (worker === state) stop(crashed(event.message || 'the worker failed'));
  };
  worker = state;
  state.ready = wasmModule().then((module) => send(state, 'init', [module]));
  return state;
}

function send(state, op, args, transfer = []) {
  return new Promise((resolve, reject) => {
    const id = state.nextId++;
    state.pending.set(id, { resolve, reject });
    state.w.postMessage({ id, op, args }, transfer);
  });
}

async function call(op, args, transfer) {
  const state = worker ?? start();
  await state.ready;
  return { state, value: await send(state, op, args, transfer) };
}

/**
 * The structure of a model file too large to run (`api.modelStructure`, in the worker):
 * `{ inputShape, outputShape, layers }`. `bytes` are handed over to the worker.
 */
export async function remoteStructure(bytes) {
  return (await call('structure', [bytes], [bytes.buffer])).value;
}

/** A model loaded by tract in the worker. Methods that compute return promises. */
export class RemoteModel {
  /**
   * Loads ONNX `bytes` (a `Uint8Array`, handed over to the worker: do not use it afterwards) at
   * input `shape` if given, as `api.loadModel` does.
   */
  static async load(bytes, shape) {
    const { state, value } = await call('load', [bytes, shape], [bytes.buffer]);
    return new RemoteModel(state, value);
  }

  constructor(state, info) {
    this.state = state;
    this.info = info;
  }

  inputShape() { return this.info.inputShape; }
  outputShape() { return this.info.outputShape; }
  layers() { return this.info.layers; }
  totalParams() { return this.info.totalParams; }

  async #call(op, ...args) {
    if (worker !== this.state) throw new Error('This model was in a worker that stopped: load it again.');
    return send(this.state, op, [this.info.handle, ...args]);
  }

  run(input) { return this.#call('run', input); }
  featureMaps(input) { return this.#call('featureMaps', input); }
  layerOutput(input, layer) { return this.#call('layerOutput', input, layer); }
  topActivations(inputs, layer, channel, count) { return this.#call('topActivations', inputs, layer, channel, count); }

  /** Frees the model in the worker (nothing to do if the worker has stopped). */
  free() {
    if (worker === this.state) send(this.state, 'free', [this.info.handle]).catch(() => {});
  }
}
