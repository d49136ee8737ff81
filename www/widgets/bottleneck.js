// Widget: 1x1 convolutions and the bottleneck, lectures 16-17. Lecture 16's 6x6x32 activation
// with one 1x1x32 filter, computed by tract (`conv`) and explained by the reference
// (`explainConv`); multiplications of a same convolution, direct or through a 1x1 bottleneck,
// from Rust (`bottleneckCost`). This file draws.

import { h, errorLine } from '../lib/dom.js';
import { int } from '../lib/options.js';

const FIELDS = [['h', 'height', 28], ['w', 'width', 28], ['c', 'input channels', 192], ['f', 'filter size f', 5], ['k', 'output channels', 32], ['r', 'bottleneck channels', 16]];

/**
 * Mounts the widget into `root`, using the wasm module's exports `api`. `options` (strings) may
 * set `h`, `w`, `c`, `f`, `k` and `r` (whole numbers ≥ 1); `onState` reports them after a change.
 */
export function mountBottleneck(root, api, options = {}) {
  const inputs = Object.fromEntries(FIELDS.map(([key, label, value]) => [key,
    h('input', { type: 'number', min: 1, step: 1, value: int(options[key], 1, 1e6, value), class: 'num', id: `bottleneck-${key}`, 'aria-label': label })]));
  const result = h('p', { class: 'formula', id: 'bottleneck-result', 'aria-live': 'polite' });
  const error = errorLine('bottleneck-error', { stale: () => result });
  const oneByOne = h('p', { class: 'explanation', id: 'bottleneck-1x1', 'aria-live': 'polite' });
  const n = (x) => x.toLocaleString('en');
  root.append(oneByOne, h('div', { class: 'controls' }, FIELDS.map(([key, label]) => h('label', {}, `${label} `, inputs[key]))), error, result);
  try {
    // Lecture 16: 6x6x32 * 1x1x32 → 6x6x1, each output one pixel's 32 channels weighted and summed.
    const options = { input: api.activations(32, 6, 6), inputShape: [32, 6, 6], weight: Float32Array.from({ length: 32 }, (_, i) => (i % 4) - 1.5), weightShape: [1, 32, 1, 1], relu: true };
    const out = api.conv(options);
    const cell = api.explainConv(options, [0, 0]).filters[0];
    // The lecture's second example, computed the same way: 32 filters of 1×1×192 on 28×28×192.
    const big = { input: api.activations(192, 28, 28), inputShape: [192, 28, 28], weight: Float32Array.from({ length: 32 * 192 }, (_, i) => ((i * 7) % 5) / 4 - 0.5), weightShape: [32, 192, 1, 1], relu: true };
    const bigOut = api.conv(big);
    const bigCell = api.explainConv(big, [0, 0]).filters;
    const [k, oh, ow] = bigOut.shape;
    oneByOne.textContent = `6×6×32 ∗ one 1×1×32 filter → ${out.shape[1]}×${out.shape[2]}×${out.shape[0]} (tract): output (1, 1) = ReLU of the ${cell.terms.length} channels of pixel (1, 1) weighted and summed = ${cell.output.toFixed(2)}. ` +
      `28×28×192 ∗ ${bigCell.length} filters of 1×1×${bigCell[0].terms.length} → ${oh}×${ow}×${k} (tract): the depth shrinks from 192 to ${k} while height and width stay, ` +
      `at ${n(oh * ow * k * bigCell[0].terms.length)} multiplications (${oh}·${ow}·${k} outputs × ${bigCell[0].terms.length}); first output ${bigCell[0].output.toFixed(2)}.`;
    oneByOne.dataset.terms = cell.terms.length;
    oneByOne.dataset.bigShape = `${oh}x${ow}x${k}`;
  } catch (e) {
    oneByOne.textContent = e.message;
  }
  function render() {
    const v = Object.fromEntries(Object.entries(inputs).map(([k, el]) => [k, el.valueAsNumber]));
    try {
      const c = api.bottleneckCost(v.h, v.w, v.c, v.f, v.k, v.r);
      error.clear();
      options.onState?.(v);
      result.textContent = `Direct ${v.f}×${v.f} same convolution ${v.h}×${v.w}×${v.c} → ${v.h}×${v.w}×${v.k}: ${n(c.direct)} multiplications. ` +
        `Through a 1×1 bottleneck to ${v.r} channels: ${n(c.reduce)} + ${n(c.conv)} = ${n(c.total)} (${(c.direct / c.total).toFixed(1)}× fewer).`;
    } catch (e) {
      error.show(e.message);
    }
  }
  Object.values(inputs).forEach((el) => el.addEventListener('input', render));
  render();
}
