// The page's one model cache: every bundled file is downloaded once (`modelBytes`) and loaded
// by tract once per input shape (or detector kind), whichever widgets or elements ask for it, each
// asker with its own progress bar while the download runs. Models from here are shared: never
// `free()` them.

import { downloadBar, fetchBytes } from './media.js';
import { RemoteDetector, RemoteFaces, RemoteStyle } from './remote-model.js';

const MODELS = new URL('../models/', import.meta.url);
const loaded = new Map();

const downloads = new Map();

/**
 * The bytes of models/`file`, downloaded once per page whoever asks, with a progress bar labelled
 * `label` after `anchor` (if given) for the asker that starts the download. The bytes are shared:
 * copy them (`slice()`) before handing them over to a worker.
 */
export function modelBytes(file, { anchor, label } = {}) {
  if (!downloads.has(file)) {
    const bar = anchor ? downloadBar(anchor, label ?? `Downloading ${file}`) : null;
    downloads.set(file, fetchBytes(new URL(file, MODELS), bar?.update)
      .finally(() => bar?.done())
      .catch((e) => {
        downloads.delete(file);
        throw e;
      }));
  }
  return downloads.get(file);
}

/**
 * `make(await bytes())` once per `key` (`bytes` fetches what `make` needs); a failed load is not
 * kept, so it can be retried.
 */
function once(key, bytes, make) {
  if (!loaded.has(key)) {
    loaded.set(key, bytes().then(make).catch((e) => {
      loaded.delete(key);
      throw e;
    }));
  }
  return loaded.get(key);
}

/** The bundled model models/`file` loaded by tract (`api.loadModel`), at input `shape` if given. */
export function loadModel(api, file, { shape, ...options } = {}) {
  return once(`model:${file}:${shape ?? ''}`, () => modelBytes(file, options), (bytes) => (shape ? api.loadModel(bytes, shape) : api.loadModel(bytes)));
}

/** The bundled detector models/`file` of `kind` (`"shapes"` or `"face"`) as a Rust `Detector`. */
export function loadDetector(api, file, kind, options = {}) {
  return once(`detector:${file}:${kind}`, () => modelBytes(file, options), (bytes) => new api.Detector(bytes, kind));
}

/** The bundled detector models/`file` of `kind` in a worker of its own (`RemoteDetector`). */
export function loadRemoteDetector(file, kind, options = {}) {
  // A copy: the worker takes the bytes it is handed, and the cache keeps its own.
  return once(`remote-detector:${file}:${kind}`, () => modelBytes(file, options), (bytes) => RemoteDetector.load(bytes.slice(), kind));
}

/** The bundled network models/`file` for style transfer in a worker of its own (`RemoteStyle`). */
export function loadRemoteStyle(file, shape, options = {}) {
  return once(`remote-style:${file}:${shape}`, () => modelBytes(file, options), (bytes) => RemoteStyle.load(bytes.slice(), shape));
}

/** The bundled face detector, landmark network and face encoder in a worker of their own
 * (`RemoteFaces`), once. */
export function loadRemoteFaces(options = {}) {
  return once('remote-faces', () => Promise.all([modelBytes('face-detector.onnx'), modelBytes('face-landmarks.onnx'), modelBytes('face-encoder.onnx', options)]),
    (all) => RemoteFaces.load(...all.map((b) => b.slice())));
}
