// Widget: classification with localisation and landmarks, lectures 23-24. Click the object in a
// scene (or the background) to see the target y = [p_c, b_x, b_y, b_h, b_w, c_1, c_2, c_3], with
// "don't care" entries when there is no object, and the squared-error loss of a prediction you can
// edit, for both cases (`localizationTarget`, `localizationLoss`, `objectAt`). In landmark mode a
// click adds a landmark (l_x, l_y). This file only draws.

import { h, fmt, errorLine, scrollX } from '../lib/dom.js';
import { CLASS_COLOURS, drawScene, strokeBox, fractionAt } from '../lib/scene.js';

const SIZE = 384;

/** Mounts the widget into `root`, using the wasm module's exports `api`. */
export function mountLocalization(root, api) {
  const state = { seed: 0, scene: null, picked: null, clicked: null, landmarks: [], mode: 'object', prediction: null };

  const nextButton = h('button', { type: 'button', id: 'loc-next' }, 'Another image');
  const modeSelect = h('select', { id: 'loc-mode', 'aria-label': 'What a click does' },
    h('option', { value: 'object' }, 'pick the object (or background)'), h('option', { value: 'landmark' }, 'add a landmark'));
  const clearButton = h('button', { type: 'button', id: 'loc-clear-landmarks' }, 'Clear landmarks');
  const canvas = h('canvas', { id: 'loc-canvas', width: SIZE, height: SIZE, role: 'img', 'aria-label': 'Image with one object; click it or the background' });
  const target = h('table', { class: 'shapes', id: 'loc-target' });
  const loss = h('p', { class: 'formula', id: 'loc-loss', 'aria-live': 'polite' });
  const landmarks = h('p', { class: 'explanation', id: 'loc-landmarks', 'aria-live': 'polite' });
  const error = errorLine('loc-error', { stale: () => [target, loss] });
  root.append(h('div', { class: 'controls' }, nextButton, h('label', {}, 'A click will ', modeSelect), clearButton),
    error, h('div', { class: 'equation' }, canvas, h('div', {}, scrollX(target), loss, landmarks)));

  /** The next seed whose scene holds exactly one object (lecture 23 localises one object). */
  function nextScene() {
    do {
      state.seed += 1;
      state.scene = api.generateScene(state.seed);
    } while (state.scene.objects.length !== 1);
    Object.assign(state, { picked: null, clicked: null, landmarks: [], prediction: null });
    render();
  }

  function render() {
    const { scene } = state;
    const classes = Array.from(scene.classes);
    const ctx = drawScene(canvas, scene.rgba, scene.size);
    const o = scene.objects[0];
    if (state.picked !== null) strokeBox(ctx, Array.from(o.box), CLASS_COLOURS[o.class], { label: classes[o.class], width: 3 });
    ctx.save();
    ctx.fillStyle = '#e0a100';
    ctx.strokeStyle = '#000';
    state.landmarks.forEach(([x, y], i) => {
      ctx.beginPath(); ctx.arc(x * SIZE, y * SIZE, 5, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
      ctx.fillText(`l${i + 1}`, x * SIZE + 7, y * SIZE - 7);
    });
    ctx.restore();
    landmarks.textContent = state.landmarks.length
      ? `Landmarks add ${2 * state.landmarks.length} outputs: ${state.landmarks.map(([x, y], i) => `l${i + 1} = (${x.toFixed(2)}, ${y.toFixed(2)})`).join(', ')}`
      : 'Landmark mode: each click adds a point (l_x, l_y); the network then outputs 2 numbers per landmark, always in the same order.';
    if (state.clicked === null) {
      target.replaceChildren(h('tr', {}, h('td', {}, 'Click the object, or the background, to see the target y.')));
      loss.textContent = '';
      return;
    }
    try {
      const y = api.localizationTarget(state.picked === null ? null : o.box, o.class, classes.length);
      // A prediction to edit: starts near the target (0.8 where the target is 1).
      state.prediction ??= y.map((v, i) => (i === 0 ? 0.8 : v ?? 0.5));
      const names = ['p_c', 'b_x', 'b_y', 'b_h', 'b_w', ...classes.map((c, i) => `c_${i + 1} (${c})`)];
      target.replaceChildren(
        h('tr', {}, h('th', {}, 'component'), h('th', {}, 'target y'), h('th', {}, 'prediction ŷ')),
        ...names.map((name, i) => {
          const input = h('input', { type: 'number', step: 0.05, class: 'num', value: state.prediction[i], 'aria-label': `prediction ${name}` });
          input.addEventListener('change', () => { state.prediction[i] = input.valueAsNumber; render(); });
          return h('tr', { dataset: { component: i } }, h('td', {}, name), h('td', { class: 'y' }, y[i] === null ? '? (don\'t care)' : fmt(y[i])), h('td', {}, input));
        }));
      const value = api.localizationLoss(Float32Array.from(state.prediction), y);
      loss.textContent = y[0] === 1
        ? `Object: L = Σ (ŷ_i − y_i)² over all ${y.length} components = ${value.toFixed(4)}`
        : `No object: only p_c counts, L = (ŷ_1 − 0)² = ${value.toFixed(4)}`;
      error.clear();
    } catch (e) {
      error.show(e.message);
    }
  }

  canvas.addEventListener('click', (event) => {
    const [x, y] = fractionAt(canvas, event);
    if (state.mode === 'landmark') {
      state.landmarks.push([x, y]);
    } else {
      const hit = api.objectAt(state.scene.objects[0].box, x, y);
      Object.assign(state, { clicked: [x, y], picked: hit >= 0 ? hit : null, prediction: null });
    }
    render();
  });
  modeSelect.addEventListener('change', () => { state.mode = modeSelect.value; });
  clearButton.addEventListener('click', () => { state.landmarks = []; render(); });
  nextButton.addEventListener('click', nextScene);
  nextScene();
}
