// Widget: a trained YOLO-style detector, decoded and suppressed step by step (lectures 29, 31).
// Rust's `Detector` runs www/models/shapes-detector.onnx with tract, decodes the raw 6×6×2×8
// output, filters by score and suppresses per class, keeping every stage to draw. Inputs:
// generated scenes (`generateScene`), shapes the learner draws, or an uploaded image
// (`detectorInput`). The detector runs in a worker (lib/remote-model.js `RemoteDetector`); this
// file only moves arrays and draws.

import { h, fmt, errorLine, slider } from '../lib/dom.js';
import { CLASS_COLOURS, drawScene, strokeBox, drawBoxes } from '../lib/scene.js';
import { decodeImage } from '../lib/media.js';
import { loadRemoteDetector } from '../lib/models.js';

const SIZE = 384;

/** Mounts the widget into `root`, using the wasm module's exports `api`. */
export function mountDetectorLab(root, api) {
  const info = api.generateScene(0);
  let spec = { grid: info.grid, anchors: Array.from(info.anchors, (a) => Array.from(a)), classes: info.classes.length };
  const classes = Array.from(info.classes);
  // The first scene is seed 4: all three shapes found and two duplicates suppressed at the
  // lecture's thresholds, which is what lecture 29 is about. Over seeds 1-100, suppression happens
  // in 82 scenes (tests/native/week3_trained_detectors.rs); "Another scene" walks on from here.
  const state = {
    model: null, seed: 4, source: 'scene', scene: null, rgba: null, truth: [], drawn: null,
    scoreThreshold: 0.6, iouThreshold: 0.5, stage: 'nms', showTruth: false, drawClass: 0,
  };

  const status = h('p', { class: 'notice', id: 'det-status', role: 'status' }, 'Loading the detector…');
  const sourceSelect = h('select', { id: 'det-source', 'aria-label': 'Input' },
    h('option', { value: 'scene' }, 'Generated scene'), h('option', { value: 'draw' }, 'Draw shapes'), h('option', { value: 'file' }, 'Image file…'));
  const nextButton = h('button', { type: 'button', id: 'det-next' }, 'Another scene');
  const classSelect = h('select', { id: 'det-draw-class', 'aria-label': 'Shape to draw', hidden: true }, classes.map((c, i) => h('option', { value: i }, c)));
  const fileInput = h('input', { type: 'file', accept: 'image/*', id: 'det-file', hidden: true });
  const score = slider('det-score', 'Score threshold ', { min: 0, max: 1, step: 0.01, value: 0.6, format: (v) => v.toFixed(2) });
  const iou = slider('det-iou', 'IoU threshold ', { min: 0, max: 1, step: 0.01, value: 0.5, format: (v) => v.toFixed(2) });
  const stageSelect = h('select', { id: 'det-stage', 'aria-label': 'Stage to draw' },
    h('option', { value: 'all' }, '1. every cell and anchor'), h('option', { value: 'score' }, '2. score above the threshold'),
    h('option', { value: 'nms' }, '3. after non-max suppression'));
  stageSelect.value = 'nms';
  const truth = h('input', { type: 'checkbox', id: 'det-truth' });
  const canvas = h('canvas', { id: 'det-canvas', width: SIZE, height: SIZE, role: 'img', 'aria-label': 'Scene with detected boxes' });
  const counts = h('p', { class: 'formula', id: 'det-counts', 'aria-live': 'polite' });
  const steps = h('ol', { class: 'explanation', id: 'det-steps' });
  const timing = h('p', { class: 'check', id: 'det-timing' });
  const legend = h('p', { class: 'explanation', id: 'det-legend' });
  const error = errorLine('det-error', { stale: () => [canvas, counts, legend, steps] });
  root.append(status,
    h('div', { class: 'controls' }, h('label', {}, 'Input ', sourceSelect), nextButton, classSelect, fileInput),
    h('div', { class: 'controls' },
      score.label, iou.label,
      h('label', {}, 'Show ', stageSelect), h('label', {}, truth, ' true boxes')),
    error,
    h('div', { class: 'equation' }, canvas, h('div', {}, counts, legend, steps, timing)));

  const fail = error.show;

  function useScene() {
    const scene = api.generateScene(state.seed);
    root.dataset.seed = state.seed;
    Object.assign(state, { scene, rgba: scene.rgba, tensor: scene.tensor, truth: scene.objects.map((o) => ({ box: Array.from(o.box), class: o.class })) });
    return run();
  }

  /** The learner's drawing: a 96×96 canvas of shapes on a light background. */
  function startDrawing() {
    const c = new OffscreenCanvas(info.size, info.size);
    const ctx = c.getContext('2d');
    ctx.fillStyle = '#d8d2c0';
    ctx.fillRect(0, 0, info.size, info.size);
    state.drawn = { canvas: c, ctx };
    Object.assign(state, { truth: [] });
    fromDrawing();
  }

  function fromDrawing() {
    const { canvas: c, ctx } = state.drawn;
    const rgba = ctx.getImageData(0, 0, c.width, c.height).data;
    Object.assign(state, { rgba, tensor: api.detectorInput(rgba, c.width, c.height, info.size) });
    run();
  }

  /** Draws shape `cls` filling box `[x1, y1, x2, y2]` (fractions) on the drawing. */
  function drawShape(box, cls) {
    const { ctx } = state.drawn;
    const s = info.size;
    const [x1, y1, x2, y2] = box.map((v) => v * s);
    ctx.fillStyle = ['#c0392b', '#2470b3', '#1e8449'][cls];
    ctx.beginPath();
    if (cls === 0) ctx.ellipse((x1 + x2) / 2, (y1 + y2) / 2, (x2 - x1) / 2, (y2 - y1) / 2, 0, 0, 2 * Math.PI);
    else if (cls === 1) ctx.rect(x1, y1, x2 - x1, y2 - y1);
    else { ctx.moveTo((x1 + x2) / 2, y1); ctx.lineTo(x2, y2); ctx.lineTo(x1, y2); ctx.closePath(); }
    ctx.fill();
    state.truth.push({ box, class: cls });
    fromDrawing();
  }

  async function useFile(file) {
    try {
      const image = await decodeImage(file, api);
      // Letterboxed as the face detector's input is: the whole picture, aspect ratio kept, at the
      // top-left, black below or to the right (a 6000×4000 photo is not squashed into a square).
      const tensor = api.letterbox(image.pixels, image.width, image.height, info.size);
      Object.assign(state, { tensor, rgba: api.imageFromTensor(tensor, info.size, info.size), truth: [] });
      run();
    } catch (e) {
      fail(`“${file.name}” could not be used: ${e.message}`);
    }
  }

  // Runs go to the detector's worker; the newest supersedes any still on its way, and the widget
  // carries `data-busy` until the newest is drawn.
  let runs = 0;
  async function run() {
    if (!state.model || !state.tensor) return;
    const mine = ++runs;
    root.dataset.busy = 'true';
    const { scoreThreshold, iouThreshold } = state;
    // Cleared when a run is asked for, so an answer arriving after a newer error keeps it shown.
    error.clear();
    try {
      const d = await state.model.detect(state.tensor, scoreThreshold, iouThreshold);
      if (mine !== runs) return;
      draw(d);
      const n = d.scores.length;
      const passed = n - d.belowThreshold.length;
      const suppressed = d.steps.reduce((sum, s) => sum + s.suppressed.length, 0);
      counts.textContent = `${n} boxes (${spec.grid}×${spec.grid} cells × ${spec.anchors.length} anchors) → ${passed} with score > ${scoreThreshold.toFixed(2)} → ${d.steps.length} after non-max suppression (${suppressed} suppressed)`;
      counts.dataset.suppressed = suppressed;
      legend.textContent = {
        all: 'Every cell and anchor predicts a box: solid for the small anchor, dashed for the large one, grey below score 0.05, fainter the lower its score.',
        score: 'The boxes whose score is above the threshold: often two or more on one shape (two anchors of its cell, both trained to fit it).',
        nms: 'Non-max suppression keeps the best box of each class and removes every box of that class overlapping it by IoU ≥ the IoU threshold (grey, dashed), then repeats.',
      }[state.stage];
      counts.dataset.kept = d.steps.length;
      counts.dataset.passed = passed;
      const box = (i) => `${classes[d.classes[i]]} ${d.scores[i].toFixed(2)} in cell (${d.cells[3 * i] + 1}, ${d.cells[3 * i + 1] + 1}), anchor ${d.cells[3 * i + 2] + 1}`;
      steps.replaceChildren(...d.steps.map((s) => h('li', {}, `keep ${box(s.kept)}`,
        s.suppressed.length ? `; suppress ${s.suppressed.map((g) => `${box(g.index)} (IoU ${g.iou.toFixed(2)})`).join(', ')}` : '')));
      timing.textContent = `tract ran the detector, and Rust decoded and suppressed its boxes, in ${d.ms.toFixed(1)} ms (in a worker).`;
    } catch (e) {
      if (mine === runs) fail(e.message);
    } finally {
      if (mine === runs) delete root.dataset.busy;
    }
  }

  function draw(d) {
    const ctx = drawScene(canvas, state.rgba, info.size);
    const boxAt = (i) => Array.from(d.boxes.subarray(4 * i, 4 * i + 4));
    const colour = (i) => CLASS_COLOURS[d.classes[i] % CLASS_COLOURS.length];
    if (state.stage === 'all') {
      // Every cell and anchor: faint where the score is low, solid for the small anchor and dashed
      // for the large one, lowest scores first so the confident boxes are drawn on top.
      const order = Array.from(d.scores.keys()).sort((a, b) => d.scores[a] - d.scores[b]);
      for (const i of order) {
        const score = d.scores[i];
        ctx.globalAlpha = 0.15 + 0.85 * score;
        strokeBox(ctx, boxAt(i), score < 0.05 ? '#777' : colour(i), {
          width: score > 0.5 ? 2.5 : 1,
          dash: d.cells[3 * i + 2] === 0 ? [] : [6, 3],
          label: score > 0.3 ? score.toFixed(2) : '',
        });
      }
      ctx.globalAlpha = 1;
    } else if (state.stage === 'score') {
      const below = new Set(d.belowThreshold);
      for (let i = 0; i < d.scores.length; i++) if (!below.has(i)) strokeBox(ctx, boxAt(i), colour(i), { label: d.scores[i].toFixed(2) });
    } else {
      for (const s of d.steps) {
        for (const g of s.suppressed) strokeBox(ctx, boxAt(g.index), '#888', { dash: [4, 3], width: 1 });
      }
      for (const s of d.steps) strokeBox(ctx, boxAt(s.kept), colour(s.kept), { label: `${classes[d.classes[s.kept]]} ${d.scores[s.kept].toFixed(2)}`, width: 3 });
    }
    if (state.showTruth) for (const o of state.truth) strokeBox(ctx, o.box, '#000', { dash: [2, 2], width: 1 });
  }

  drawBoxes(canvas, (box) => drawShape(box, Number(classSelect.value)), { min: 0.05, enabled: () => state.source === 'draw' });
  sourceSelect.addEventListener('change', () => {
    state.source = sourceSelect.value;
    nextButton.hidden = state.source !== 'scene';
    classSelect.hidden = state.source !== 'draw';
    nextButton.textContent = 'Another scene';
    if (state.source === 'scene') useScene();
    else if (state.source === 'draw') startDrawing();
    else fileInput.click();
  });
  fileInput.addEventListener('change', () => { if (fileInput.files[0]) useFile(fileInput.files[0]); });
  nextButton.addEventListener('click', () => { state.seed += 1; useScene(); });
  score.input.addEventListener('input', () => { state.scoreThreshold = Number(score.input.value); run(); });
  iou.input.addEventListener('input', () => { state.iouThreshold = Number(iou.input.value); run(); });
  stageSelect.addEventListener('change', () => { state.stage = stageSelect.value; run(); });
  truth.addEventListener('change', () => { state.showTruth = truth.checked; run(); });

  (async () => {
    try {
      state.model = await loadRemoteDetector('shapes-detector.onnx', 'shapes', { anchor: status, label: 'Downloading the shapes detector' });
      spec = state.model.spec();
      const n = state.model.inputSize();
      status.textContent = `Shapes detector loaded: input [1, 3, ${n}, ${n}], output [1, ${spec.anchors.length * (5 + spec.classes)}, ${spec.grid}, ${spec.grid}] (trained by data/shapes/train_detector.py).`;
      await useScene();
      root.dataset.ready = 'true';
    } catch (e) {
      status.textContent = `The detector could not be loaded (${e.message}); the other widgets still work.`;
      status.classList.add('error');
    }
  })();
  run();
}
