// Widget: 1x1 convolutions and the bottleneck, lectures 16-17. Multiplications of a same
// convolution, direct or through a 1x1 bottleneck, from Rust (`bottleneckCost`). This file draws.

import { h } from '../lib/dom.js';

const FIELDS = [['h', 'height', 28], ['w', 'width', 28], ['c', 'input channels', 192], ['f', 'filter size f', 5], ['k', 'output channels', 32], ['r', 'bottleneck channels', 16]];

/** Mounts the widget into `root`, using the wasm module's exports `api`. */
export function mountBottleneck(root, api) {
  const inputs = Object.fromEntries(FIELDS.map(([key, label, value]) => [key,
    h('input', { type: 'number', min: 1, step: 1, value, class: 'num', id: `bottleneck-${key}`, 'aria-label': label })]));
  const result = h('p', { class: 'formula', id: 'bottleneck-result', 'aria-live': 'polite' });
  const error = h('p', { class: 'error', id: 'bottleneck-error', role: 'alert', hidden: true });
  root.append(h('div', { class: 'controls' }, FIELDS.map(([key, label]) => h('label', {}, `${label} `, inputs[key]))), result, error);
  const n = (x) => x.toLocaleString('en');
  function render() {
    const v = Object.fromEntries(Object.entries(inputs).map(([k, el]) => [k, el.valueAsNumber]));
    try {
      const c = api.bottleneckCost(v.h, v.w, v.c, v.f, v.k, v.r);
      error.hidden = true;
      result.textContent = `Direct ${v.f}×${v.f} same convolution ${v.h}×${v.w}×${v.c} → ${v.h}×${v.w}×${v.k}: ${n(c.direct)} multiplications. ` +
        `Through a 1×1 bottleneck to ${v.r} channels: ${n(c.reduce)} + ${n(c.conv)} = ${n(c.total)} (${(c.direct / c.total).toFixed(1)}× fewer).`;
    } catch (e) {
      error.hidden = false;
      error.textContent = e.message;
    }
  }
  Object.values(inputs).forEach((el) => el.addEventListener('input', render));
  render();
}
