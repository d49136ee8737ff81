// Widget: LeNet-5 on handwritten digits, lectures 10 and 13. Draw a digit with a mouse, pen or
// finger; Rust turns the drawing into an 8x8 digit like scikit-learn's and the 32x32 input
// (`digitFromDrawing`), tract runs the trained LeNet-5 (`loadModel`, `run`) and returns every
// feature map from the real graph (`featureMaps`), Rust colours them (`heatmap`). This file draws.

import { h, errorLine } from '../lib/dom.js';
import { drawingPad } from '../lib/pad.js';
import { loadModel, modelBytes } from '../lib/models.js';

const PAD = 224;

/** Mounts the widget into `root`, using the wasm module's exports `api`. */
export function mountLenetLab(root, api) {
  const state = { model: null, layers: [], heldOut: null, sample: 0 };

  const status = h('p', { class: 'notice', id: 'lenet-status', role: 'status' }, 'Loading LeNet-5…');
  const pad = drawingPad({ id: 'lenet-pad', size: PAD, label: 'Drawing pad: draw a digit', onChange: () => fromPad() });
  const clearButton = h('button', { type: 'button', id: 'lenet-clear' }, 'Clear');
  const sampleButton = h('button', { type: 'button', id: 'lenet-sample' }, 'A held-out digit');
  const seen = h('canvas', { id: 'lenet-input', width: 32, height: 32, role: 'img', 'aria-label': 'The 32x32 input LeNet-5 sees' });
  const bars = h('div', { class: 'bars', id: 'lenet-probs', role: 'list', 'aria-label': 'Probabilities of the digits 0 to 9' });
  const verdict = h('p', { class: 'formula', id: 'lenet-verdict', 'aria-live': 'polite' });
  const maps = h('div', { class: 'feature-maps', id: 'lenet-maps' });
  const error = errorLine('lenet-error', { stale: () => [bars, verdict, maps] });
  root.append(status,
    h('div', { class: 'equation' },
      h('figure', {}, h('figcaption', {}, 'Draw a digit (0-9)'), pad.canvas, h('div', { class: 'controls' }, clearButton, sampleButton)),
      h('figure', {}, h('figcaption', {}, 'Input 32×32×1'), seen),
      h('figure', {}, h('figcaption', {}, 'Output: softmax over 10 digits'), bars, verdict)),
    error, maps);

  function clear() {
    pad.clear();
    verdict.textContent = 'Draw a digit.';
    bars.replaceChildren();
    maps.replaceChildren();
  }

  function showInput(input) {
    const map = api.heatmap(input, true);
    seen.getContext('2d').putImageData(new ImageData(map.rgba, 32, 32), 0, 0);
  }

  function classify(input) {
    if (!state.model) return;
    try {
      const out = state.model.run(input);
      const probs = Array.from(out.data);
      const best = probs.indexOf(Math.max(...probs));
      showInput(input);
      bars.replaceChildren(...probs.map((p, d) => h('div', { class: `bar-row${d === best ? ' best' : ''}`, role: 'listitem', dataset: { digit: d, p } },
        h('span', {}, String(d)), h('span', { class: 'bar', style: `width:${(p * 100).toFixed(1)}%` }), h('span', {}, `${(p * 100).toFixed(1)} %`))));
      verdict.textContent = `LeNet-5 reads a ${best} (${(probs[best] * 100).toFixed(1)} %)`;
      verdict.dataset.digit = best;
      const fm = state.model.featureMaps(input);
      maps.replaceChildren(...fm.map((m) => {
        const layer = state.layers[m.layer];
        const [, c, hh, ww] = m.shape;
        const tiles = Array.from({ length: c }, (_, k) => {
          const tile = h('canvas', { width: ww, height: hh, class: 'map', role: 'img', title: `${layer.name}, channel ${k + 1}`, 'aria-label': `${layer.name}, channel ${k + 1}` });
          const heat = api.heatmap(m.data.subarray(k * hh * ww, (k + 1) * hh * ww), false);
          tile.getContext('2d').putImageData(new ImageData(heat.rgba, ww, hh), 0, 0);
          return tile;
        });
        return h('figure', { class: 'layer', dataset: { layer: m.layer } },
          h('figcaption', {}, `${layer.op} ${layer.name}: ${hh}×${ww}×${c}`), h('div', { class: 'tiles' }, tiles));
      }));
      error.clear();
    } catch (e) {
      error.show(e.message);
    }
  }

  function fromPad() {
    const drawn = api.digitFromDrawing(pad.pixels(), PAD, PAD);
    if (!drawn) return;
    if (drawn.tooSmall) {
      // Blown up to 8×8, a dot looks like a bold stroke: say so instead of a confident digit.
      showInput(drawn.input);
      bars.replaceChildren();
      maps.replaceChildren();
      delete verdict.dataset.digit;
      verdict.textContent = `Too small to read: the drawing spans ${drawn.inkSide} of ${PAD} pixels. Draw the digit larger, across a good part of the pad.`;
      return;
    }
    classify(drawn.input);
  }

  clearButton.addEventListener('click', clear);
  sampleButton.addEventListener('click', () => {
    const set = state.heldOut;
    if (!set) return;
    const k = state.sample % set.count;
    state.sample += 1;
    clear();
    classify(set.inputs.subarray(k * 1024, (k + 1) * 1024));
    verdict.textContent += ` (held-out digit labelled ${set.labels[k]})`;
  });

  clear();
  (async () => {
    try {
      const [model, heldOut] = await Promise.all([
        loadModel(api, 'lenet5-digits.onnx', { anchor: status, label: 'Downloading LeNet-5' }),
        modelBytes('digits-heldout.bin')]);
      state.model = model;
      state.layers = state.model.layers();
      state.heldOut = api.digitSet(heldOut);
      status.textContent = `LeNet-5 loaded: ${state.model.totalParams().toLocaleString('en')} parameters, trained by data/digits/train_lenet.py on scikit-learn's digits.`;
      root.dataset.ready = 'true';
    } catch (e) {
      status.textContent = `LeNet-5 could not be loaded (${e.message}); the other widgets still work.`;
      status.classList.add('error');
    }
  })();
}
