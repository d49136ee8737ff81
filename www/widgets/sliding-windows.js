// Widget: sliding windows vs convolutional sliding windows, lectures 25-26 (OverFeat). Lecture
// 26's classifier (14x14x3 → conv 5x5 ×16 → max pool → "FC 400" as a 5x5 conv → "FC 400" as a 1x1
// conv → softmax 4 as a 1x1 conv), trained by data/shapes/train_sliding.py, runs in tract on
// 14x14, 16x16 and 28x28 inputs (`loadModel` with an input shape) and gives 1x1x4, 2x2x4 and
// 8x8x4. The naive loop runs the 14x14 model on every crop (`cropTensor`); both are timed and
// compared. Windows come from the geometry (`stackedWindow`). This file only draws.

import { h, fmt, errorLine } from '../lib/dom.js';
import { CLASS_COLOURS, drawScene } from '../lib/scene.js';
import { fetchJson } from '../lib/media.js';
import { loadModel } from '../lib/models.js';

const VIEW = 336;

/** Mounts the widget into `root`, using the wasm module's exports `api`. */
export function mountSlidingWindows(root, api) {
  const state = { sidecar: null, models: {}, seed: 1, mosaic: null, size: 28, focus: null };

  const status = h('p', { class: 'notice', id: 'slide-status', role: 'status' }, 'Loading the classifier…');
  const sizeSelect = h('select', { id: 'slide-size', 'aria-label': 'Input size' },
    [14, 16, 28].map((n) => h('option', { value: n }, `${n}×${n}×3`)));
  sizeSelect.value = '28';
  const nextButton = h('button', { type: 'button', id: 'slide-next' }, 'Other patches');
  const naiveButton = h('button', { type: 'button', id: 'slide-naive' }, 'Run the naive loop and compare');
  const canvas = h('canvas', { id: 'slide-canvas', width: VIEW, height: VIEW, role: 'img', 'aria-label': 'Input image with the window of the hovered output cell' });
  const grid = h('div', { class: 'grid', id: 'slide-output', role: 'group', 'aria-label': 'Output: the class of each window' });
  const shape = h('p', { class: 'formula', id: 'slide-shape', 'aria-live': 'polite' });
  const explain = h('p', { class: 'explanation', id: 'slide-explain', 'aria-live': 'polite' });
  const compare = h('p', { class: 'explanation', id: 'slide-compare', 'aria-live': 'polite' });
  const accuracy = h('p', { class: 'check', id: 'slide-accuracy' });
  const error = errorLine('slide-error', { stale: () => [grid, shape, explain, compare, accuracy] });
  root.append(status,
    h('div', { class: 'controls' }, h('label', {}, 'Input ', sizeSelect), nextButton, naiveButton), error,
    h('div', { class: 'equation' }, canvas, h('span', { class: 'op', 'aria-hidden': 'true' }, '→'),
      h('figure', {}, h('figcaption', {}, 'Output (tract, one pass): the most likely class of each 14×14 window'), grid)),
    shape, accuracy, explain, compare);

  const fail = error.show;

  /** The model for an input of `n × n` (loaded and optimised once per size, from the shared cache). */
  const modelFor = (n) => state.models[n];

  /** The current input: the top-left `size × size` of the 28×28 mosaic. */
  function input() {
    const n = state.size;
    return n === 28 ? state.mosaic.tensor : api.cropTensor(state.mosaic.tensor, [3, 28, 28], [0, 0, n, n]);
  }

  function render() {
    if (!state.models[state.size]) return;
    const n = state.size;
    const names = Array.from(state.mosaic.names);
    try {
      const t0 = performance.now();
      const out = modelFor(n).run(input());
      const ms = performance.now() - t0;
      const [, k, rows, cols] = out.shape;
      error.clear();
      shape.textContent = `${n}×${n}×3 → ${rows}×${cols}×${k}: ${rows * cols} window${rows * cols > 1 ? 's' : ''} of 14×14 at stride 2, classified in one pass (${ms.toFixed(2)} ms)`;
      grid.style.gridTemplateColumns = `repeat(${cols}, var(--cell))`;
      grid.dataset.rows = rows;
      grid.dataset.cols = cols;
      const plane = rows * cols;
      // The answer key (Rust's window_labels): the shape whose centre the window holds, else
      // background; window (y, x) of a 14 or 16 pixel crop is window (y, x) of the mosaic.
      const labels = answerKey();
      let right = 0;
      grid.replaceChildren(...Array.from({ length: plane }, (_, i) => {
        const probs = Array.from({ length: k }, (_, c) => out.data[c * plane + i]);
        const best = probs.indexOf(Math.max(...probs));
        const [y, x] = [Math.floor(i / cols), i % cols];
        const label = labels.values[y * labels.cols + x];
        if (best === label) right += 1;
        const focused = state.focus && state.focus[0] === y && state.focus[1] === x;
        const cell = h('button', { type: 'button', class: `slot out${focused ? ' focused' : ''}${best === label ? '' : ' wrong'}`, dataset: { y, x, best, label },
          style: `background:${best === 3 ? 'var(--cell-bg)' : CLASS_COLOURS[best]}33`,
          'aria-label': `${names[best].slice(0, 3)}: ${names[best]} ${probs[best].toFixed(2)}, window row ${y + 1} column ${x + 1}${best === label ? '' : `, should be ${names[label]}`}` }, names[best].slice(0, 3));
        const show = () => {
          state.focus = [y, x];
          drawInput();
          explain.textContent = `Output (${y + 1}, ${x + 1}) classifies input rows ${window().start[0] + 1}–${window().start[0] + window().size[0]}, columns ${window().start[1] + 1}–${window().start[1] + window().size[1]}: ` +
            probs.map((p, c) => `${names[c]} ${fmt(p)}`).join(', ') +
            `. ${label === 3 ? 'No shape has its centre in this window: background' : `The centre of a ${names[label]} is in this window`}${best === label ? '.' : ` — the network is wrong here.`}`;
        };
        cell.addEventListener('mouseenter', show);
        cell.addEventListener('focus', show);
        return cell;
      }));
      accuracy.textContent = `${right} of ${plane} window${plane > 1 ? 's' : ''} name the shape whose centre they hold, or background where none does (crossed out: wrong). ` +
        `On ${state.sidecar.training.heldOutMosaics} held-out mosaics: ${(100 * state.sidecar.training.heldOutWindowAccuracy).toFixed(1)} % of windows right.`;
      accuracy.dataset.right = right;
      accuracy.dataset.windows = plane;
      drawInput();
    } catch (e) {
      fail(e.message);
    }
  }

  /** The class each window should report on the current mosaic: `{ values, cols }` (8 × 8). */
  function answerKey() {
    if (state.labels?.seed !== state.seed) {
      const first = api.stackedWindow(state.sidecar.layers, [0, 0]);
      const stride = api.stackedWindow(state.sidecar.layers, [0, 1]).start[1] - first.start[1];
      const values = api.mosaicWindowLabels(state.seed, first.size[1], stride);
      state.labels = { seed: state.seed, values, cols: Math.sqrt(values.length) };
    }
    return state.labels;
  }

  function window() {
    return api.stackedWindow(state.sidecar.layers, state.focus ?? [0, 0]);
  }

  function drawInput() {
    const ctx = drawScene(canvas, state.mosaic.rgba, 28);
    const px = VIEW / 28;
    ctx.save();
    ctx.fillStyle = 'rgba(255, 255, 255, .55)';
    // Outside the current input (14 or 16 of the 28 pixels), greyed.
    ctx.fillRect(state.size * px, 0, VIEW - state.size * px, VIEW);
    ctx.fillRect(0, state.size * px, state.size * px, VIEW - state.size * px);
    if (state.focus) {
      const w = window();
      ctx.strokeStyle = '#e0a100';
      ctx.lineWidth = 3;
      ctx.strokeRect(w.start[1] * px, w.start[0] * px, w.size[1] * px, w.size[0] * px);
    }
    ctx.restore();
  }

  /** Lecture 25's naive loop: the 14x14 model on every crop, against the one convolutional pass. */
  function naive() {
    try {
      const n = state.size;
      const whole = input();
      // Rust runs both and compares them value by value (sliding::compare).
      const c = api.compareSlidingWindows(modelFor(14), modelFor(n), whole);
      const [f] = c.window;
      compare.textContent = `Naive loop: ${c.crops} crops of ${f}×${f} at stride ${c.stride} through the model, ${c.naiveMs.toFixed(2)} ms; ` +
        `convolutional: one pass over ${n}×${n}, ${c.passMs.toFixed(2)} ms. Largest difference between the two: ${c.largestDifference.toExponential(1)} — the same numbers, with the shared computation done once.`;
      compare.dataset.diff = c.largestDifference;
      compare.dataset.crops = c.crops;
    } catch (e) {
      fail(e.message);
    }
  }

  sizeSelect.addEventListener('change', () => { state.size = Number(sizeSelect.value); state.focus = null; compare.textContent = ''; render(); });
  nextButton.addEventListener('click', () => { state.seed += 4; state.mosaic = api.patchMosaic(state.seed); compare.textContent = ''; render(); });
  naiveButton.addEventListener('click', naive);

  (async () => {
    try {
      const sizes = [14, 16, 28];
      const [sidecar, ...models] = await Promise.all([fetchJson(new URL('../models/sliding-windows.json', import.meta.url)),
        ...sizes.map((n, i) => loadModel(api, 'sliding-windows.onnx', i ? { shape: [1, 3, n, n] } : { shape: [1, 3, n, n], anchor: status, label: 'Downloading the classifier' }))]);
      Object.assign(state, { sidecar, models: Object.fromEntries(sizes.map((n, i) => [n, models[i]])), mosaic: api.patchMosaic(state.seed) });
      status.textContent = `Lecture 26's classifier loaded (trained by data/shapes/train_sliding.py; validation accuracy ${sidecar.training.validationAccuracy}).`;
      render();
      root.dataset.ready = 'true';
    } catch (e) {
      status.textContent = `The classifier could not be loaded (${e.message}); the other widgets still work.`;
      status.classList.add('error');
    }
  })();
}
