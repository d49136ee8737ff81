// Widget: data augmentation, lecture 21. Rust transforms a photo and a digit (`augment`): mirror,
// random crop, rotation, shear, local warping, colour shift and PCA colour augmentation; LeNet-5
// (tract) reads the digit before and after the geometric ones. This file draws.

import { h, errorLine } from '../lib/dom.js';
import { fetchBytes } from '../lib/media.js';
import { loadModel, modelBytes } from '../lib/models.js';

const SIZE = 128;
const KINDS = {
  mirror: { label: 'Mirroring', params: {} },
  crop: { label: 'Random crop', params: { scale: [0.4, 1, 0.05, 0.6], x: [0, 1, 0.05, 0.5], y: [0, 1, 0.05, 0.5] } },
  rotate: { label: 'Rotation', params: { degrees: [-45, 45, 1, 20] } },
  shear: { label: 'Shearing', params: { amount: [-0.6, 0.6, 0.05, 0.3] } },
  warp: { label: 'Local warping', params: { pixels: [0, 8, 0.5, 3], seed: [1, 20, 1, 1] } },
  colour: { label: 'Colour shifting', params: { r: [-0.3, 0.3, 0.02, 0.2], g: [-0.3, 0.3, 0.02, 0], b: [-0.3, 0.3, 0.02, -0.2] } },
  pca: { label: 'PCA colour augmentation', params: { a1: [-3, 3, 0.1, 2], a2: [-3, 3, 0.1, 0], a3: [-3, 3, 0.1, 0] } },
};
const GEOMETRIC = ['mirror', 'crop', 'rotate', 'shear', 'warp'];

/** Mounts the widget into `root`, using the wasm module's exports `api`. */
export function mountAugmentation(root, api) {
  const state = { kind: 'rotate', values: {}, photo: null, digit: null, model: null };
  const kindSelect = h('select', { id: 'aug-kind', 'aria-label': 'Augmentation' }, Object.entries(KINDS).map(([k, v]) => h('option', { value: k }, v.label)));
  kindSelect.value = state.kind;
  const sliders = h('div', { class: 'controls', id: 'aug-params' });
  const photoIn = h('canvas', { width: SIZE, height: SIZE, id: 'aug-photo-in', role: 'img', 'aria-label': 'Original photo' });
  const photoOut = h('canvas', { width: SIZE, height: SIZE, id: 'aug-photo-out', role: 'img', 'aria-label': 'Augmented photo' });
  const digitIn = h('canvas', { width: 32, height: 32, id: 'aug-digit-in', role: 'img', 'aria-label': 'Original digit' });
  const digitOut = h('canvas', { width: 32, height: 32, id: 'aug-digit-out', role: 'img', 'aria-label': 'Augmented digit' });
  const verdict = h('p', { class: 'formula', id: 'aug-verdict', 'aria-live': 'polite' });
  const error = errorLine('aug-error', { stale: () => [photoOut, digitOut, verdict] });
  root.append(h('div', { class: 'controls' }, h('label', {}, 'Augmentation ', kindSelect)), sliders, error,
    h('div', { class: 'equation' },
      h('figure', {}, h('figcaption', {}, 'Photo'), photoIn), h('span', { class: 'op', 'aria-hidden': 'true' }, '→'), h('figure', {}, h('figcaption', {}, 'Augmented'), photoOut),
      h('figure', {}, h('figcaption', {}, 'Digit'), digitIn), h('span', { class: 'op', 'aria-hidden': 'true' }, '→'), h('figure', {}, h('figcaption', {}, 'Augmented'), digitOut)),
    verdict);

  const draw = (canvas, tensor, side, grey) => {
    const rgba = grey ? api.heatmap(tensor, true, 1).rgba : api.imageFromTensor(tensor, side, side);
    canvas.getContext('2d').putImageData(new ImageData(rgba, side, side), 0, 0);
  };

  function options() {
    const v = state.values;
    const base = { kind: state.kind, ...v };
    if (state.kind === 'colour') return { kind: 'colour', shift: [v.r, v.g, v.b] };
    if (state.kind === 'pca') return { kind: 'pca', alpha: [v.a1, v.a2, v.a3] };
    return base;
  }

  function buildSliders() {
    state.values = {};
    sliders.replaceChildren(...Object.entries(KINDS[state.kind].params).map(([name, [min, max, step, value]]) => {
      state.values[name] = value;
      const input = h('input', { type: 'range', min, max, step, value, id: `aug-${name}`, 'aria-label': name });
      const out = h('output', { for: `aug-${name}` }, String(value));
      input.addEventListener('input', () => { state.values[name] = Number(input.value); out.textContent = input.value; render(); });
      return h('label', {}, `${name} `, input, out);
    }));
  }

  function prediction(input) {
    const p = Array.from(state.model.run(input).data);
    const best = p.indexOf(Math.max(...p));
    return [best, p[best]];
  }

  function render() {
    if (!state.photo || !state.digit) return;
    try {
      const photo = api.augment(state.photo, [3, SIZE, SIZE], options());
      draw(photoOut, photo, SIZE, false);
      error.clear();
      if (GEOMETRIC.includes(state.kind)) {
        const digit = api.augment(state.digit, [1, 32, 32], options());
        draw(digitOut, digit, 32, true);
        const [a, pa] = prediction(state.digit);
        const [b, pb] = prediction(digit);
        verdict.textContent = `LeNet-5 reads the digit as ${a} (${(pa * 100).toFixed(1)} %) and the augmented one as ${b} (${(pb * 100).toFixed(1)} %)` +
          (a === b ? ': the label survives, so the new image is a valid training example.' : ': changed — too strong an augmentation for this label.');
        verdict.dataset.before = a;
        verdict.dataset.after = b;
      } else {
        digitOut.getContext('2d').clearRect(0, 0, 32, 32);
        verdict.textContent = 'Colour augmentations change the photo\'s colours; the grey digit has none to change.';
      }
    } catch (e) {
      error.show(e.message);
    }
  }

  kindSelect.addEventListener('change', () => { state.kind = kindSelect.value; buildSliders(); render(); });
  buildSliders();
  (async () => {
    try {
      const [photo, model, heldOut] = await Promise.all([fetchBytes(new URL('../images/coffee.png', import.meta.url)),
        loadModel(api, 'lenet5-digits.onnx'), modelBytes('digits-heldout.bin')]);
      const bitmap = await createImageBitmap(new Blob([photo], { type: 'image/png' }));
      const c = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = c.getContext('2d');
      ctx.drawImage(bitmap, 0, 0);
      state.photo = api.detectorInput(ctx.getImageData(0, 0, c.width, c.height).data, c.width, c.height, SIZE);
      state.model = model;
      state.digit = api.digitSet(heldOut).inputs.slice(0, 1024);
      draw(photoIn, state.photo, SIZE, false);
      draw(digitIn, state.digit, 32, true);
      render();
      root.dataset.ready = 'true';
    } catch (e) {
      error.show(`The samples could not be loaded (${e.message}).`);
    }
  })();
}
