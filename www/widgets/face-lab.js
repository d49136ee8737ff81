// Widget: a real face detector on photos and the webcam (lectures 27-31 on real images). tract
// runs face-api's Tiny Face Detector converted to ONNX (www/models/face-detector.onnx, see
// data/face/README.md). In a Web Worker of its own (lib/remote-model.js, `detectFrame`; camera
// frames go there as `ImageBitmap`s and are read there, `detectBitmap`), each frame is
// letterboxed (`letterbox`; the square comes back to be drawn: what the detector saw), and Rust's
// `Detector` decodes the 13×13×5 grid and suppresses duplicates, the same pipeline as
// the shapes detector, so live video never blocks the page: while one frame is being detected the
// newest frame waits, and older ones are dropped. With "68 landmarks" on, face-api's landmark
// network (converted to ONNX, lecture 24) finds the points of each face in the same worker (Rust's
// `Landmarker`). This file moves pixels and draws.

import { h, errorLine, slider, sourceMemory } from '../lib/dom.js';
import { drawLandmarks, strokeBox } from '../lib/scene.js';
import { decodeImage, fetchJson, openCamera } from '../lib/media.js';
import { loadRemoteDetector, modelBytes } from '../lib/models.js';

const VIEW = 416;

/** Mounts the widget into `root`, using the wasm module's exports `api`. */
export function mountFaceLab(root, api) {
  const state = { model: null, spec: null, size: 0, frame: null, scoreThreshold: 0.5, iouThreshold: 0.4, grid: false, anchors: false, landmarks: false, camera: null, photos: [] };
  const parts = api.faceParts();

  const status = h('p', { class: 'notice', id: 'face-status', role: 'status' }, 'Loading the face detector…');
  const sourceSelect = h('select', { id: 'face-source', 'aria-label': 'Image source' },
    h('option', { value: 'file' }, 'Image file…'), h('option', { value: 'webcam' }, 'Webcam (live)'));
  const fileInput = h('input', { type: 'file', accept: 'image/*', id: 'face-file', hidden: true });
  const stopButton = h('button', { type: 'button', id: 'face-stop', hidden: true }, 'Stop webcam');
  const score = slider('face-score', 'Score threshold ', { min: 0.05, max: 0.95, step: 0.05, value: 0.5, format: (v) => v.toFixed(2) });
  const iou = slider('face-iou', 'IoU threshold ', { min: 0.1, max: 0.9, step: 0.05, value: 0.4, format: (v) => v.toFixed(2) });
  const gridBox = h('input', { type: 'checkbox', id: 'face-grid' });
  const anchorBox = h('input', { type: 'checkbox', id: 'face-anchors' });
  const landmarkBox = h('input', { type: 'checkbox', id: 'face-landmarks' });
  const canvas = h('canvas', { id: 'face-canvas', width: VIEW, height: VIEW, role: 'img', 'aria-label': 'What the detector sees, with the faces found' });
  const result = h('p', { class: 'formula', id: 'face-result', 'aria-live': 'polite' });
  const stats = h('p', { class: 'check', id: 'face-stats' });
  const error = errorLine('face-error', { stale: () => [canvas, result] });
  root.append(status,
    h('div', { class: 'controls' }, h('label', {}, 'Image ', sourceSelect), fileInput, stopButton),
    h('div', { class: 'controls' }, score.label, iou.label,
      h('label', {}, gridBox, ' grid'), h('label', {}, anchorBox, ' anchor boxes'),
      h('label', { title: 'face-api\'s 68-point landmark network (lecture 24), 1.4 MB' }, landmarkBox, ' 68 landmarks')),
    error,
    h('div', { class: 'equation' }, canvas, h('div', {}, result, stats)));

  const fail = error.show;

  /** Uses `image` of `width × height` as the current frame and detects (frames that arrive while
   * the worker is busy replace it): RGBA pixels, or a camera frame as an `ImageBitmap` that the
   * worker reads. */
  function useFrame(image, width, height) {
    if (state.frame?.bitmap && !state.frame.sent) state.frame.bitmap.close();
    state.frame = image instanceof ImageBitmap
      ? { bitmap: image, pixels: null, width, height, sent: false }
      : { pixels: image, width, height, sent: false };
    error.clear();
    detect();
  }

  // Two frames in flight at most: the worker starts the next as soon as it has answered one,
  // and a frame arriving meanwhile waits (only the newest is kept).
  let inFlight = 0;
  let again = false;
  /** Whether a new camera frame would go to the worker at once: otherwise the camera loop does
   * not copy it out of the video (at 60 animation frames a second against 15-30 detections, most
   * copies were thrown away). */
  const wantsFrame = () => inFlight < 2 && !(state.frame && !state.frame.sent);
  /** Detects on the current frame in the worker, or once a running detection ends. */
  async function detect() {
    if (!state.model || !state.frame) return;
    if (inFlight >= 2 || (inFlight && state.frame.sent)) {
      again = true;
      return;
    }
    const frame = state.frame;
    // A camera frame whose detection failed has neither its bitmap nor its pixels any more.
    if (!frame.pixels && !frame.bitmap) return;
    inFlight += 1;
    frame.sent = true;
    try {
      let d;
      if (frame.pixels) {
        d = await state.model.detectFrame(frame.pixels, frame.width, frame.height, state.scoreThreshold, state.iouThreshold);
      } else {
        const bitmap = frame.bitmap;
        frame.bitmap = null;
        d = await state.model.detectBitmap(bitmap, state.scoreThreshold, state.iouThreshold);
        frame.pixels = d.pixels;
      }
      let points = null;
      let landmarkMs = 0;
      if (state.landmarks && d.kept.length) {
        // Kept boxes from fractions of the letterbox square to image pixels.
        const side = Math.max(frame.width, frame.height);
        const boxes = new Float32Array(d.kept.length * 4);
        Array.from(d.kept).forEach((i, k) => boxes.set(d.boxes.subarray(4 * i, 4 * i + 4).map((v) => v * side), 4 * k));
        const t0 = performance.now();
        points = await state.model.landmarks(frame.pixels, frame.width, frame.height, boxes);
        landmarkMs = performance.now() - t0;
      }
      draw(frame, d, d.ms, points, landmarkMs);
    } catch (e) {
      fail(e.message);
    } finally {
      inFlight -= 1;
      if (again) {
        again = false;
        detect();
      }
    }
  }

  /** Draws `frame` with detections `d`, found in `ms` milliseconds, and the 68 `points` of each
   * kept face (image pixels; found in `landmarkMs` including the trip to the worker) if any. */
  function draw(frame, d, ms, points, landmarkMs) {
    const ctx = canvas.getContext('2d');
    ctx.putImageData(new ImageData(d.view, state.size, state.size), 0, 0);
    const s = state.spec.grid;
    if (state.grid) {
      ctx.save();
      ctx.strokeStyle = 'rgba(255, 255, 255, .35)';
      for (let i = 1; i < s; i++) {
        const p = (i * VIEW) / s;
        ctx.beginPath(); ctx.moveTo(p, 0); ctx.lineTo(p, VIEW); ctx.moveTo(0, p); ctx.lineTo(VIEW, p); ctx.stroke();
      }
      ctx.restore();
    }
    const faces = Array.from(d.kept);
    for (const i of faces) {
      const box = Array.from(d.boxes.subarray(4 * i, 4 * i + 4));
      strokeBox(ctx, box, '#e0a100', { label: `face ${d.scores[i].toFixed(2)}`, width: 3 });
      if (state.anchors) {
        // The five anchor shapes centred on the cell that found this face.
        const [row, col] = [d.cells[3 * i], d.cells[3 * i + 1]];
        ctx.save();
        ctx.strokeStyle = 'rgba(255, 255, 255, .8)';
        ctx.setLineDash([3, 3]);
        const cell = VIEW / s;
        for (const [aw, ah] of state.spec.anchors) {
          ctx.strokeRect((col + 0.5) * cell - (aw * cell) / 2, (row + 0.5) * cell - (ah * cell) / 2, aw * cell, ah * cell);
        }
        ctx.restore();
      }
    }
    if (points) drawLandmarks(ctx, points, state.size / Math.max(frame.width, frame.height), parts);
    result.dataset.points = points ? points.length / 2 : 0;
    result.textContent = `${faces.length} face${faces.length === 1 ? '' : 's'} (${d.scores.length} boxes: ${s}×${s} cells × ${state.spec.anchors.length} anchors; ` +
      `${d.scores.length - d.belowThreshold.length} above ${state.scoreThreshold.toFixed(2)})`;
    result.dataset.faces = faces.length;
    result.dataset.best = faces.length ? d.scores[faces[0]] : 0;
    result.dataset.box = faces.length ? Array.from(d.boxes.subarray(4 * faces[0], 4 * faces[0] + 4)).join(',') : '';
    const cam = state.camera;
    if (cam) cam.detected = (cam.detected ?? 0) + 1;
    const fps = cam && cam.detected > 1 ? ` · ${(cam.detected / ((performance.now() - cam.since) / 1000)).toFixed(1)} frames/s detected` : '';
    const marks = points ? `; 68 landmarks per face ${landmarkMs.toFixed(0)} ms` : '';
    stats.textContent = `letterbox, tract, decoding and NMS ${ms.toFixed(0)} ms in a worker${marks}${fps}`;
    stats.dataset.frames = cam ? cam.detected : 0;
  }

  async function fromBlob(blob, name) {
    stopCamera();
    try {
      const image = await decodeImage(blob, api);
      useFrame(image.pixels, image.width, image.height);
      memory.shown();
    } catch (e) {
      memory.back();
      fail(`“${name}” is not an image this browser can decode.\n${e.message}`);
    }
  }

  async function loadPhoto(photo) {
    try {
      const response = await fetch(new URL(`../${photo.file}`, import.meta.url));
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      await fromBlob(await response.blob(), photo.label);
    } catch (e) {
      memory.back();
      fail(`The photo “${photo.label}” could not be loaded.\n${e.message}`);
    }
  }

  async function startCamera() {
    stopCamera();
    const camera = await openCamera(useFrame, fail, 'pick a photo', wantsFrame, { bitmaps: true });
    if (!camera) {
      memory.back();
      return;
    }
    memory.shown();
    state.camera = camera;
    stopButton.hidden = false;
  }

  function stopCamera() {
    if (!state.camera) return;
    state.camera.stop();
    state.camera = null;
    stopButton.hidden = true;
  }

  const memory = sourceMemory(sourceSelect, fileInput);
  sourceSelect.addEventListener('change', () => {
    error.clear();
    const v = sourceSelect.value;
    if (v === 'file') fileInput.click();
    else if (v === 'webcam') startCamera();
    else loadPhoto(state.photos.find((p) => p.name === v.slice(6)));
  });
  fileInput.addEventListener('change', () => { if (fileInput.files[0]) fromBlob(fileInput.files[0], fileInput.files[0].name); });
  stopButton.addEventListener('click', () => { stopCamera(); sourceSelect.value = 'photo:astronaut'; loadPhoto(state.photos.find((p) => p.name === 'astronaut')); });
  // Errors are cleared by what the reader does (a new frame, a control), never by a detection's
  // answer or a queued re-run: those may come after a newer error (a file that is no image).
  const redetect = () => { error.clear(); detect(); };
  score.input.addEventListener('input', () => { state.scoreThreshold = Number(score.input.value); redetect(); });
  iou.input.addEventListener('input', () => { state.iouThreshold = Number(iou.input.value); redetect(); });
  gridBox.addEventListener('change', () => { state.grid = gridBox.checked; redetect(); });
  anchorBox.addEventListener('change', () => { state.anchors = anchorBox.checked; redetect(); });
  landmarkBox.addEventListener('change', async () => {
    error.clear();
    if (!landmarkBox.checked) {
      state.landmarks = false;
      detect();
      return;
    }
    if (!state.model) {
      landmarkBox.checked = false;
      fail('The face detector is still loading: tick "68 landmarks" once it has loaded.');
      return;
    }
    try {
      const bytes = await modelBytes('face-landmarks.onnx', { anchor: status, label: 'Downloading the landmark network' });
      await state.model.addLandmarks(bytes.slice());
      state.landmarks = landmarkBox.checked;
      detect();
    } catch (e) {
      landmarkBox.checked = false;
      fail(`The landmark network could not be loaded; the detector keeps working.\n${e.message}`);
    }
  });

  (async () => {
    try {
      const [model, photos] = await Promise.all([
        loadRemoteDetector('face-detector.onnx', 'face', { anchor: status, label: 'Downloading the face detector' }),
        fetchJson(new URL('../images/photos.json', import.meta.url))]);
      state.model = model;
      state.size = model.inputSize();
      state.spec = model.spec();
      state.photos = photos;
      sourceSelect.prepend(h('optgroup', { label: 'Photos' }, photos.map((p) => h('option', { value: `photo:${p.name}` }, p.label))));
      sourceSelect.value = 'photo:astronaut';
      status.textContent = `Face detector loaded (face-api's Tiny Face Detector, MIT; input ${state.size}×${state.size}, ${state.spec.grid}×${state.spec.grid} grid, ${state.spec.anchors.length} anchors).`;
      await loadPhoto(photos.find((p) => p.name === 'astronaut'));
      root.dataset.ready = 'true';
    } catch (e) {
      status.textContent = `The face detector could not be loaded (${e.message}); the other widgets still work.`;
      status.classList.add('error');
    }
  })();
}
