// Models that live in a Web Worker (lib/model-worker.js) with its own instance of the wasm
// module: loading and running them never blocks the page, and a trap while doing so ends only that
// worker. The page says so (the promise rejects with a plain sentence) and the next load starts a
// fresh worker; every other widget keeps working on the page's own instance.

import { wasmModule } from './loader.js';

// One worker per lane: the explorer's models (a learner's own file may trap) and the face
// detector each have their own, so a trap in one leaves the other running.
const workers = new Map();

/** Ends the worker of `lane`: every call still waiting gets `reason`. */
function stop(lane, reason) {
  const state = workers.get(lane);
  if (!state) return;
  workers.delete(lane);
  state.w.terminate();
  for (const { reject } of state.pending.values()) reject(new Error(reason));
}

function crashed(detail) {
  return `The model stopped the worker that ran it, so that model is gone; the rest of the page keeps working. Load a model again to start a fresh worker.\n${detail}`;
}

function start(lane) {
  const w = new Worker(new URL('./model-worker.js', import.meta.url), { type: 'module', name: `cnn-playground ${lane}` });
  const state = { w, lane, pending: new Map(), nextId: 1 };
  w.onmessage = ({ data }) => {
    const call = state.pending.get(data.id);
    if (!call) return;
    state.pending.delete(data.id);
    if (!('error' in data)) call.resolve(data.value);
    else if (data.fatal) {
      call.reject(new Error(crashed(data.error)));
      if (workers.get(lane) === state) stop(lane, crashed(data.error));
    } else call.reject(new Error(data.error));
  };
  w.onerror = (event) => {
    event.preventDefault();
    if (workers.get(lane) === state) stop(lane, crashed(event.message || 'the worker failed'));
  };
  workers.set(lane, state);
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

/**
 * `send` to the worker `state` that a remote object lives in; rejects with `stopped` (a sentence
 * saying what to do) when that worker has ended since.
 */
function sendTo(state, stopped, op, args, transfer = []) {
  if (workers.get(state.lane) !== state) return Promise.reject(new Error(stopped));
  return send(state, op, args, transfer);
}

async function call(op, args, transfer, lane = 'models') {
  const state = workers.get(lane) ?? start(lane);
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

/**
 * Lecture 22's measurement (`api.Ensemble`: every network of `models`, ONNX bytes, alone, averaged
 * and over crops, on the held-out digits file `heldOut`) in a worker of its own. All bytes are
 * copied, not handed over.
 */
export async function remoteEnsemble(heldOut, models) {
  return (await call('ensemble', [heldOut, models], [], 'ensemble')).value;
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

  #call(op, ...args) {
    return sendTo(this.state, 'This model was in a worker that stopped: load it again.', op, [this.info.handle, ...args]);
  }

  run(input) { return this.#call('run', input); }
  featureMaps(input) { return this.#call('featureMaps', input); }
  layerOutput(input, layer) { return this.#call('layerOutput', input, layer); }
  topActivations(inputs, layer, channel, count) { return this.#call('topActivations', inputs, layer, channel, count); }

  /** Frees the model in the worker (nothing to do if the worker has stopped). */
  free() {
    if (workers.get(this.state.lane) === this.state) send(this.state, 'free', [this.info.handle]).catch(() => {});
  }
}

/**
 * A Rust `Detector` (`new api.Detector(bytes, kind)`) in a worker of its own, for live video: the
 * page's thread only draws (`detectFrame` letterboxes in the worker). `detect` resolves to what
 * `Detector.detect` returns.
 */
export class RemoteDetector {
  /** Loads detector `kind` from ONNX `bytes` (handed over to the worker). */
  static async load(bytes, kind) {
    const { state, value } = await call('detector', [bytes, kind], [bytes.buffer], 'detector');
    return new RemoteDetector(state, value);
  }

  constructor(state, info) {
    this.state = state;
    this.info = info;
  }

  /** `send` to this detector's worker; rejects with a sentence once that worker has stopped. */
  #send(op, args, transfer = []) {
    return sendTo(this.state, 'The detector was in a worker that stopped: reload the page.', op, args, transfer);
  }

  inputSize() { return this.info.inputSize; }
  spec() { return this.info.spec; }

  /** `Detector.detect(tensor, scoreThreshold, iouThreshold)` in the worker (`tensor` is copied),
   * with `ms`, the time the worker spent on it. */
  detect(tensor, scoreThreshold, iouThreshold) {
    return this.#send('detect', [this.info.handle, tensor, scoreThreshold, iouThreshold]);
  }

  /** The RGBA `pixels` of a `width × height` frame (copied) letterboxed into the input square
   * and detected, both in the worker: what `detect` resolves to, plus `view`, the letterboxed
   * square as RGBA bytes to draw, and `ms`, the worker's time for both steps. */
  detectFrame(pixels, width, height, scoreThreshold, iouThreshold) {
    return this.#send('detectFrame', [this.info.handle, pixels, width, height, scoreThreshold, iouThreshold]);
  }

  /** A camera frame as an `ImageBitmap` (handed over: closed here) read, letterboxed and detected
   * in the worker: what `detectFrame` resolves to, plus the frame's RGBA `pixels`, `width` and
   * `height`. The page's thread never reads the frame's pixels back. */
  detectBitmap(bitmap, scoreThreshold, iouThreshold) {
    // If the worker had stopped, the bitmap was not handed over: close it here (a no-op otherwise).
    return this.#send('detectBitmap', [this.info.handle, bitmap, scoreThreshold, iouThreshold], [bitmap])
      .finally(() => bitmap.close());
  }

  /** Loads face-api's 68-point landmark network from ONNX `bytes` (copied) into this detector's
   * worker, once; `landmarks` needs it. */
  async addLandmarks(bytes) {
    this.landmarker ??= this.#send('landmarker', [bytes])
      .catch((e) => {
        this.landmarker = null;
        throw e;
      });
    await this.landmarker;
  }

  /** `Landmarker.locate` in the worker: the 68 points of each box (`n·4` corners in pixels of the
   * RGBA `pixels`, copied), `n·136` numbers. */
  async landmarks(pixels, width, height, boxes) {
    const handle = await this.landmarker;
    return this.#send('landmarks', [handle, pixels, width, height, boxes]);
  }
}

/**
 * Neural style transfer (lectures 40-42) in a worker of its own: the network for tract's costs
 * and a Rust `StyleTransfer` whose iterations never block the page.
 */
export class RemoteStyle {
  /** Loads the network from ONNX `bytes` (handed over) at input `shape`. */
  static async load(bytes, shape) {
    const { state, value } = await call('styleModel', [bytes, shape], [bytes.buffer], 'style');
    return new RemoteStyle(state, value);
  }

  constructor(state, info) {
    this.state = state;
    this.info = info;
    this.transfer = null;
  }

  /** The layer indices of the network's ReLU and max pool. */
  get relu() { return this.info.relu; }
  get pool() { return this.info.pool; }

  #send(op, args) {
    return sendTo(this.state, 'Style transfer was in a worker that stopped: reload the page.', op, args);
  }

  /** `api.styleCosts(network, options)` by tract. */
  costs(options) { return this.#send('styleCosts', [this.info.handle, options]); }

  /** Starts a new `StyleTransfer(options)` (freeing the previous one): `{ costs, image, grams, iterations }`. */
  async start(options) {
    const previous = this.transfer;
    this.transfer = await this.#send('styleTransfer', [options]);
    if (previous) this.#send('free', [previous]).catch(() => {});
    return this.#send('styleStep', [this.transfer, 0]);
  }

  /** `n` iterations of the current transfer: `{ costs, image, grams, iterations }`. */
  step(n) { return this.#send('styleStep', [this.transfer, n]); }
}

/** Face verification's models (lectures 24 and 33-36) in a worker of their own: the Rust
 * `FacePipeline` (detector → 68 landmarks → alignment → encoder) never blocks the page. */
export class RemoteFaces {
  /** Loads the face detector, the landmark network and the face encoder from their ONNX bytes
   * (handed over). */
  static async load(detectorBytes, landmarkBytes, encoderBytes) {
    const all = [detectorBytes, landmarkBytes, encoderBytes];
    const { state, value } = await call('faceModels', all, all.map((b) => b.buffer), 'faces');
    return new RemoteFaces(state, value);
  }

  constructor(state, handle) {
    this.state = state;
    this.handle = handle;
  }

  #send(op, args) {
    return sendTo(this.state, 'The face models were in a worker that stopped: reload the page.', op, [this.handle, ...args]);
  }

  /** `FacePipeline.find`: the faces of RGBA `pixels` (`width × height`), cropped `aligned` or
   * square: `{ count, boxes, scores, points, angles, crops, encodings }` (pixels of the image). */
  find(pixels, width, height, aligned) { return this.#send('findFaces', [pixels, width, height, aligned]); }

  /** `FacePipeline.compare` of two decoded images (`{ pixels, width, height }`): `{ square,
   * aligned }` or `null`. */
  compare(a, b) { return this.#send('compareFaces', [a.pixels, a.width, a.height, b.pixels, b.width, b.height]); }

  /** `FacePipeline.alignmentStudy` on a square photo (`side × side` RGBA `pixels`), with a last
   * row for `other` (`{ pixels, width, height }`, someone else's photo). */
  alignmentStudy(pixels, side, other) { return this.#send('alignmentStudy', [pixels, side, other.pixels, other.width, other.height]); }
}
