// Widget: a residual block, lectures 14-15. a[l+2] = g(z[l+2] + a[l]): tract runs the block
// (`residualBlock`) on a ReLU activation (`activations`) with its weights scaled by a slider; at
// 0 the block is the identity. Colours from `heatmap`, the difference from `maxAbsDiff`.

import { h, errorLine } from '../lib/dom.js';
import { num } from '../lib/options.js';

const C = 4;
const N = 16;

/**
 * Mounts the widget into `root`, using the wasm module's exports `api`. `options.scale` (0-2) sets
 * the scale of the block's weights; `onState({ scale })` reports it after a change.
 */
export function mountResidual(root, api, options = {}) {
  const input = api.activations(C, N, N);
  const start = Math.min(2, Math.max(0, num(options.scale, 1)));
  const scale = h('input', { type: 'range', id: 'residual-scale', min: 0, max: 2, step: 0.05, value: start, 'aria-label': 'Scale of the block\'s weights' });
  const scaleValue = h('output', { for: 'residual-scale' });
  const before = h('div', { class: 'tiles', id: 'residual-in' });
  const after = h('div', { class: 'tiles', id: 'residual-out' });
  const result = h('p', { class: 'formula', id: 'residual-result', 'aria-live': 'polite' });
  const error = errorLine('residual-error', { stale: () => [after, result] });
  root.append(h('div', { class: 'controls' }, h('label', {}, 'Scale of W[l+1] and W[l+2] ', scale, scaleValue)), error,
    h('div', { class: 'equation feature-maps' },
      h('figure', {}, h('figcaption', {}, `a[l]: ${N}×${N}×${C}`), before),
      h('span', { class: 'op', 'aria-hidden': 'true' }, '→'),
      h('figure', {}, h('figcaption', {}, 'a[l+2] = ReLU(z[l+2] + a[l]) (tract)'), after)),
    result);

  function tiles(target, data, name) {
    const scaleAll = api.heatmap(data, true).max;
    target.replaceChildren(...Array.from({ length: C }, (_, k) => {
      const plane = data.subarray(k * N * N, (k + 1) * N * N);
      // One colour scale for all maps: the largest value of the whole activation.
      const heat = api.heatmap(plane, true, scaleAll);
      const c = h('canvas', { width: N, height: N, class: 'map', role: 'img', 'aria-label': `${name} channel ${k + 1}: values ${heat.min.toFixed(2)} to ${heat.max.toFixed(2)}` });
      c.getContext('2d').putImageData(new ImageData(heat.rgba, N, N), 0, 0);
      return c;
    }));
  }

  function render() {
    scaleValue.textContent = Number(scale.value).toFixed(2);
    try {
      const out = api.residualBlock(input, [1, C, N, N], Number(scale.value));
      const diff = api.maxAbsDiff(out.data, input);
      tiles(after, out.data, 'a[l+2]');
      result.textContent = `Largest |a[l+2] − a[l]| = ${diff.toFixed(4)}` + (diff === 0
        ? ': with zero weights z[l+2] = 0 and a[l+2] = ReLU(a[l]) = a[l], the identity. That is why a residual block is easy to learn and adding one does not hurt.'
        : '. Move the slider to 0 and the block becomes the identity.');
      result.dataset.diff = diff;
      error.clear();
      options.onState?.({ scale: Number(scale.value) });
    } catch (e) {
      error.show(e.message);
    }
  }
  tiles(before, input, 'a[l]');
  scale.addEventListener('input', render);
  render();
}
