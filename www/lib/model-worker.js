// A Web Worker with its own instance of the wasm module, where models are loaded and run (a
// learner's own ONNX file above all) off the page's thread. A trap in here (tract asserting, with
// `panic = "abort"`) ends this instance only: the page's instance, which every other widget uses,
// is untouched, and lib/remote-model.js replaces the worker.
//
// Messages: `{ id, op, args }` → `{ id, value }`, or `{ id, error, fatal }` where `fatal` says the
// module trapped (a `WebAssembly.RuntimeError`) and this worker must not be used again.
import init, * as api from '../pkg/cnn_playground.js';

let ready = null;
const models = new Map();
let nextHandle = 1;
// The canvas camera frames are read on (`detectBitmap`), kept while their size stays.
let frameCanvas = null;

/** Keeps `object` (a model, detector, …) for later calls; returns its handle. */
function keep(object) {
  const handle = nextHandle++;
  models.set(handle, object);
  return handle;
}

function model(handle) {
  const m = models.get(handle);
  if (!m) throw new Error('this model was freed or belongs to a worker that stopped: load it again');
  return m;
}

const ops = {
  /** Instantiates the module the page compiled (no second download). */
  init(module) {
    ready = init({ module_or_path: module });
    return ready.then(() => true);
  },
  /** `api.loadModel`; returns a handle and what the page reads synchronously. */
  load(bytes, shape) {
    const m = shape ? api.loadModel(bytes, shape) : api.loadModel(bytes);
    return { handle: keep(m), inputShape: m.inputShape(), outputShape: m.outputShape(), layers: m.layers(), totalParams: m.totalParams() };
  },
  /** `new api.Detector(bytes, kind)`; returns a handle, its input size and its spec. */
  detector(bytes, kind) {
    const d = new api.Detector(bytes, kind);
    return { handle: keep(d), inputSize: d.inputSize(), spec: d.spec() };
  },
  /** `Detector.detect`, with `ms`: how long it took in here (not counting the queue). */
  detect(handle, tensor, score, iou) {
    const t0 = performance.now();
    const d = model(handle).detect(tensor, score, iou);
    d.ms = performance.now() - t0;
    return d;
  },
  /** A frame for live video: `letterbox`es the RGBA `pixels` of `width × height` into the
   * detector's input square and runs `Detector.detect` on it, here, so that the page's thread only
   * draws. Returns what `detect` does plus `view`, the letterboxed square as RGBA bytes (what the
   * detector saw, to draw), and `ms`, the time spent in here. */
  detectFrame(handle, pixels, width, height, score, iou) {
    const t0 = performance.now();
    const detector = model(handle);
    const size = detector.inputSize();
    const tensor = api.letterbox(pixels, width, height, size);
    const d = detector.detect(tensor, score, iou);
    d.ms = performance.now() - t0;
    d.view = api.imageFromTensor(tensor, size, size);
    return d;
  },
  /** A camera frame handed over as an `ImageBitmap` (the page does not read its pixels): read
   * here, then as `detectFrame`. Also returns the frame's RGBA `pixels` (the landmarks and a
   * re-detection with new thresholds need them) with its `width` and `height`. */
  detectBitmap(handle, bitmap, score, iou) {
    const { width, height } = bitmap;
    if (frameCanvas?.width !== width || frameCanvas?.height !== height) {
      frameCanvas = new OffscreenCanvas(width, height);
    }
    const ctx = frameCanvas.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(bitmap, 0, 0);
    bitmap.close();
    const pixels = ctx.getImageData(0, 0, width, height).data;
    const d = ops.detectFrame(handle, pixels, width, height, score, iou);
    Object.assign(d, { pixels, width, height });
    return d;
  },
  /** Lectures 40-42: the network's model for tract's costs, and the indices of its ReLU and
   * max-pool layers. */
  styleModel(bytes, shape) {
    const m = api.loadModel(bytes, shape);
    const layers = m.layers();
    return { handle: keep(m), relu: layers.findIndex((l) => l.op === 'Relu'), pool: layers.findIndex((l) => l.op === 'MaxPool') };
  },
  /** Lecture 22: `api.Ensemble` on the held-out digits file with every network of `models` (ONNX
   * bytes) added, and its report, with `ms`, how long the measurement took in here. */
  ensemble(heldOut, models) {
    const t0 = performance.now();
    const e = new api.Ensemble(heldOut);
    try {
      for (const m of models) e.add(m);
      const report = e.report();
      report.ms = performance.now() - t0;
      return report;
    } finally {
      e.free();
    }
  },
  /** `api.styleCosts` with the model of `handle`. */
  styleCosts: (handle, options) => api.styleCosts(model(handle), options),
  /** `new api.StyleTransfer(options)`; returns a handle. */
  styleTransfer: (options) => keep(new api.StyleTransfer(options)),
  /** `n` steps of gradient descent (0: none), then G, its Gram matrices and the costs. */
  styleStep(handle, n) {
    const t = model(handle);
    const costs = n ? t.step(n) : t.costs();
    return { costs, image: t.image(), grams: t.grams(0), iterations: t.iterations };
  },
  /** Lectures 24 and 33-36: `new api.FacePipeline` (detector, landmarks, encoder); returns a handle. */
  faceModels: (detectorBytes, landmarkBytes, encoderBytes) => keep(new api.FacePipeline(detectorBytes, landmarkBytes, encoderBytes)),
  /** `FacePipeline.find`: the faces of `width × height` RGBA `pixels` with their boxes, 68
   * points, crops (`aligned` on the landmarks or square) and 128-number encodings. */
  findFaces: (handle, pixels, width, height, aligned) => model(handle).find(pixels, width, height, aligned),
  /** `FacePipeline.compare`: d between the best faces of two RGBA images, square and aligned. */
  compareFaces: (handle, a, aw, ah, b, bw, bh) => model(handle).compare(a, aw, ah, b, bw, bh),
  /** `FacePipeline.alignmentStudy` on a square photo, with another person's photo for a last row. */
  alignmentStudy: (handle, pixels, side, other, otherWidth, otherHeight) => model(handle).alignmentStudy(pixels, side, other, otherWidth, otherHeight),
  /** Lecture 24: `new api.Landmarker(bytes)`; returns a handle. */
  landmarker: (bytes) => keep(new api.Landmarker(bytes)),
  /** `Landmarker.locate`: 68 points per box (`n·4` pixel corners), `n·136` numbers. */
  landmarks: (handle, pixels, width, height, boxes) => model(handle).locate(pixels, width, height, boxes),
  /** `api.modelStructure`: a file too large to run, read without its weights. */
  structure: (bytes) => api.modelStructure(bytes),
  run: (handle, input) => model(handle).run(input),
  featureMaps: (handle, input) => model(handle).featureMaps(input),
  layerOutput: (handle, input, layer) => model(handle).layerOutput(input, layer),
  topActivations: (handle, inputs, layer, channel, count) => model(handle).topActivations(inputs, layer, channel, count),
  free(handle) {
    models.get(handle)?.free();
    models.delete(handle);
  },
};

self.onmessage = async ({ data: { id, op, args } }) => {
  try {
    if (op !== 'init') await ready;
    self.postMessage({ id, value: await ops[op](...args) });
  } catch (e) {
    self.postMessage({ id, error: e?.message ?? String(e), fatal: e instanceof WebAssembly.RuntimeError });
  }
};
