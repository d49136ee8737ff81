// Widget: pooling, lecture 09. Output by tract (`pool`), explanation by the reference
// (`explainPool`), output size by the geometry (`outputSizeFormula`); global average pooling of
// 7x7x1000 activations (`activations`, `pool`). This file only draws.

import { h, fmt, numberCell, inWindow, preservingFocus, errorLine } from '../lib/dom.js';
import { int, numbers, oneOf } from '../lib/options.js';

/** Lecture 09's 4x4 input, which max-pools (f = 2, s = 2) to [[9, 2], [6, 3]]. */
const LECTURE_09 = [1, 3, 2, 1, 2, 9, 1, 1, 1, 3, 2, 3, 5, 6, 1, 2];

/**
 * Mounts the widget into `root`, using the wasm module's exports `api`. `options` (strings) may
 * set `mode` (`max` or `avg`), `f` (1-4), `s` (1-4), `p` (0-3) and `values` (a square input,
 * 4-100 values); `onState(state)` is called with the same keys after every change.
 */
export function mountPoolExplainer(root, api, options = {}) {
  const values = numbers(options.values, null);
  const side = values && Number.isInteger(Math.sqrt(values.length)) && values.length >= 4 && values.length <= 100 ? Math.sqrt(values.length) : 0;
  const state = {
    n: side || 4,
    image: Float32Array.from(side ? values : LECTURE_09),
    edited: Boolean(side),
    mode: oneOf(options.mode, ['max', 'avg'], 'max'),
    f: int(options.f, 1, 4, 2),
    s: int(options.s, 1, 4, 2),
    p: int(options.p, 0, 3, 0),
    focus: null,
  };
  const report = () => options.onState?.({ mode: state.mode, f: state.f, s: state.s, p: state.p, values: state.edited ? state.image : undefined });

  const modeSelect = h('select', { id: 'pool-mode', 'aria-label': 'Pooling mode' },
    h('option', { value: 'max' }, 'Max pooling'), h('option', { value: 'avg' }, 'Average pooling'));
  const fInput = h('input', { id: 'pool-f', type: 'range', min: 1, max: 4, value: 2, 'aria-label': 'Window size f' });
  const fValue = h('output', { for: 'pool-f' });
  const sInput = h('input', { id: 'pool-s', type: 'range', min: 1, max: 4, value: 2, 'aria-label': 'Stride s' });
  const sValue = h('output', { for: 'pool-s' });
  const pInput = h('input', { id: 'pool-p', type: 'range', min: 0, max: 3, value: 0, 'aria-label': 'Padding p' });
  const pValue = h('output', { for: 'pool-p' });
  const globalButton = h('button', { type: 'button', id: 'pool-global' }, 'Global average pooling: 7×7×1000 → 1×1×1000');
  const globalResult = h('p', { class: 'explanation', id: 'pool-global-result', 'aria-live': 'polite' });
  const formula = h('p', { class: 'formula', id: 'pool-formula', 'aria-live': 'polite' });
  const inputGrid = h('div', { class: 'grid', id: 'pool-input-grid', role: 'group', 'aria-label': 'Input' });
  const outputGrid = h('div', { class: 'grid', id: 'pool-output-grid', role: 'group', 'aria-label': 'Output' });
  const explanation = h('p', { class: 'explanation sum', id: 'pool-explanation', 'aria-live': 'polite' });
  const error = errorLine('pool-error', { stale: () => [outputGrid, explanation] });

  root.append(
    h('div', { class: 'controls' },
      h('label', {}, 'Mode ', modeSelect),
      h('label', {}, 'Window f ', fInput, fValue),
      h('label', {}, 'Stride s ', sInput, sValue),
      h('label', {}, 'Padding p ', pInput, pValue)),
    formula,
    h('div', { class: 'equation' },
      h('figure', {}, h('figcaption', {}, 'Input (one channel)'), inputGrid),
      h('span', { class: 'op', 'aria-hidden': 'true' }, '→'),
      h('figure', {}, h('figcaption', {}, 'Output (computed by tract)'), outputGrid)),
    error, explanation,
    h('div', { class: 'controls' }, globalButton), globalResult);

  modeSelect.addEventListener('change', () => { state.mode = modeSelect.value; render(); });
  fInput.addEventListener('input', () => { state.f = Number(fInput.value); state.focus = null; render(); });
  sInput.addEventListener('input', () => { state.s = Number(sInput.value); state.focus = null; render(); });
  pInput.addEventListener('input', () => { state.p = Number(pInput.value); state.focus = null; render(); });
  globalButton.addEventListener('click', globalAverage);

  /** Lecture 09's exception: average pooling over the whole 7x7 map collapses each channel. */
  function globalAverage() {
    try {
      const input = api.activations(1000, 7, 7);
      const out = api.pool({ input, inputShape: [1000, 7, 7], mode: 'avg', size: 7 });
      const first = api.explainPool({ input, inputShape: [1000, 7, 7], mode: 'avg', size: 7 }, 0, [0, 0]);
      globalResult.textContent = `tract pooled 1000 channels of 7×7 activations to shape [${out.shape.join(', ')}] ` +
        `(1×1×1000): channel 1 is the mean of its ${first.values.length} values = ${fmt(out.data[0])}, ` +
        `channels 1–5: ${Array.from(out.data.slice(0, 5), fmt).join(', ')} …`;
    } catch (e) {
      globalResult.textContent = e.message;
    }
  }

  function render() {
    const { n, f, s, p, mode } = state;
    fValue.textContent = f;
    sValue.textContent = s;
    pValue.textContent = p;
    modeSelect.value = mode;
    fInput.value = f;
    sInput.value = s;
    pInput.value = p;
    const options = { input: state.image, inputShape: [1, n, n], mode, size: f, stride: s, padding: p };
    try {
      formula.textContent = `n = ${n}, f = ${f}, p = ${p}, s = ${s}: output side ${api.outputSizeFormula(n, f, p, s)}` +
        (p ? (mode === 'max' ? ' (padding never wins a max)' : ' (averages skip the padding)') : '');
      const out = api.pool(options);
      const trace = state.focus ? api.explainPool(options, 0, state.focus) : null;
      error.clear();
      report();
      const win = trace?.window;
      inputGrid.style.gridTemplateColumns = `repeat(${n}, var(--cell))`;
      inputGrid.replaceChildren(...Array.from(state.image, (v, i) => {
        const y = Math.floor(i / n);
        const x = i % n;
        const seen = inWindow(win, y, x);
        const isArgmax = trace?.argmax && trace.argmax[0] === y && trace.argmax[1] === x;
        const cell = numberCell(v, `input row ${y + 1} column ${x + 1}`, (value) => { state.image[i] = value; state.edited = true; render(); });
        return h('div', { class: `slot${seen ? ' in-window' : ''}${isArgmax ? ' argmax' : ''}`, dataset: { y, x } }, cell);
      }));
      const [, oh, ow] = out.shape;
      outputGrid.style.gridTemplateColumns = `repeat(${ow}, var(--cell))`;
      outputGrid.dataset.rows = oh;
      outputGrid.dataset.cols = ow;
      outputGrid.replaceChildren(...Array.from(out.data, (v, i) => {
        const y = Math.floor(i / ow);
        const x = i % ow;
        const focused = state.focus && state.focus[0] === y && state.focus[1] === x;
        const cell = h('button', { type: 'button', class: `slot out${focused ? ' focused' : ''}`, dataset: { y, x, key: `${y}:${x}` },
          'aria-label': `output row ${y + 1} column ${x + 1}: ${fmt(v)}` }, fmt(v));
        const explain = () => {
          if (focused) return;
          state.focus = [y, x];
          preservingFocus(root, render);
        };
        cell.addEventListener('mouseenter', explain);
        cell.addEventListener('focus', explain);
        return cell;
      }));
      explanation.textContent = trace
        ? `${mode === 'max' ? 'max' : 'mean'}(${trace.values.map((v) => fmt(v.value)).join(', ')}) = ${fmt(trace.output)}` +
          (trace.argmax ? ` (from row ${trace.argmax[0] + 1}, column ${trace.argmax[1] + 1})` : '')
        : 'Hover over or focus an output cell to see its window.';
    } catch (e) {
      error.show(e.message);
    }
  }

  render();
}
