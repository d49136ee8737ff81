// Widget: pooling, lecture 09. Output by tract (`pool2d`), explanation by the reference
// (`explainPool`), output size by the geometry (`outputSizeFormula`); this file only draws.

import { h, fmt, numberCell } from '../lib/dom.js';

/** Lecture 09's 4x4 input, which max-pools (f = 2, s = 2) to [[9, 2], [6, 3]]. */
const LECTURE_09 = [1, 3, 2, 1, 2, 9, 1, 1, 1, 3, 2, 3, 5, 6, 1, 2];

/** Mounts the widget into `root`, using the wasm module's exports `api`. */
export function mountPoolExplainer(root, api) {
  const state = { n: 4, image: Float32Array.from(LECTURE_09), mode: 'max', f: 2, s: 2, focus: null };

  const modeSelect = h('select', { id: 'pool-mode', 'aria-label': 'Pooling mode' },
    h('option', { value: 'max' }, 'Max pooling'), h('option', { value: 'avg' }, 'Average pooling'));
  const fInput = h('input', { id: 'pool-f', type: 'range', min: 1, max: 4, value: 2, 'aria-label': 'Window size f' });
  const fValue = h('output', { for: 'pool-f' });
  const sInput = h('input', { id: 'pool-s', type: 'range', min: 1, max: 4, value: 2, 'aria-label': 'Stride s' });
  const sValue = h('output', { for: 'pool-s' });
  const formula = h('p', { class: 'formula', id: 'pool-formula', 'aria-live': 'polite' });
  const inputGrid = h('div', { class: 'grid', id: 'pool-input-grid', role: 'group', 'aria-label': 'Input' });
  const outputGrid = h('div', { class: 'grid', id: 'pool-output-grid', role: 'group', 'aria-label': 'Output' });
  const explanation = h('p', { class: 'explanation sum', id: 'pool-explanation', 'aria-live': 'polite' });
  const error = h('p', { class: 'error', id: 'pool-error', role: 'alert', hidden: true });

  root.append(
    h('div', { class: 'controls' },
      h('label', {}, 'Mode ', modeSelect),
      h('label', {}, 'Window f ', fInput, fValue),
      h('label', {}, 'Stride s ', sInput, sValue)),
    formula,
    h('div', { class: 'equation' },
      h('figure', {}, h('figcaption', {}, 'Input (one channel)'), inputGrid),
      h('span', { class: 'op', 'aria-hidden': 'true' }, '→'),
      h('figure', {}, h('figcaption', {}, 'Output (computed by tract)'), outputGrid)),
    explanation, error);

  modeSelect.addEventListener('change', () => { state.mode = modeSelect.value; render(); });
  fInput.addEventListener('input', () => { state.f = Number(fInput.value); state.focus = null; render(); });
  sInput.addEventListener('input', () => { state.s = Number(sInput.value); state.focus = null; render(); });

  function render() {
    const { n, f, s, mode } = state;
    fValue.textContent = f;
    sValue.textContent = s;
    const args = [state.image, [1, n, n], mode, f, s];
    try {
      formula.textContent = `n = ${n}, f = ${f}, s = ${s}: output side ${api.outputSizeFormula(n, f, 0, s)}`;
      const out = api.pool2d(...args);
      const trace = state.focus ? api.explainPool(...args, 0, state.focus[0], state.focus[1]) : null;
      error.hidden = true;
      const win = trace?.window;
      inputGrid.style.gridTemplateColumns = `repeat(${n}, var(--cell))`;
      inputGrid.replaceChildren(...Array.from(state.image, (v, i) => {
        const y = Math.floor(i / n);
        const x = i % n;
        const inWindow = win && y >= win.top && y < win.top + win.height && x >= win.left && x < win.left + win.width;
        const isArgmax = trace?.argmax && trace.argmax[0] === y && trace.argmax[1] === x;
        const cell = numberCell(v, `input row ${y + 1} column ${x + 1}`, (value) => { state.image[i] = value; render(); });
        return h('div', { class: `slot${inWindow ? ' in-window' : ''}${isArgmax ? ' argmax' : ''}`, dataset: { y, x } }, cell);
      }));
      const [, oh, ow] = out.shape;
      outputGrid.style.gridTemplateColumns = `repeat(${ow}, var(--cell))`;
      outputGrid.dataset.rows = oh;
      outputGrid.dataset.cols = ow;
      outputGrid.replaceChildren(...Array.from(out.data, (v, i) => {
        const y = Math.floor(i / ow);
        const x = i % ow;
        const focused = state.focus && state.focus[0] === y && state.focus[1] === x;
        const cell = h('button', { type: 'button', class: `slot out${focused ? ' focused' : ''}`, dataset: { y, x },
          'aria-label': `output row ${y + 1} column ${x + 1}: ${fmt(v)}` }, fmt(v));
        const explain = () => {
          if (focused) return;
          state.focus = [y, x];
          render();
        };
        cell.addEventListener('mouseenter', explain);
        cell.addEventListener('focus', explain);
        return cell;
      }));
      explanation.textContent = trace
        ? `${mode === 'max' ? 'max' : 'mean'}(${trace.values.map((v) => fmt(v[2])).join(', ')}) = ${fmt(trace.output)}` +
          (trace.argmax ? ` (from row ${trace.argmax[0] + 1}, column ${trace.argmax[1] + 1})` : '')
        : 'Hover over or focus an output cell to see its window.';
    } catch (e) {
      error.hidden = false;
      error.textContent = e.message;
    }
  }

  render();
}
