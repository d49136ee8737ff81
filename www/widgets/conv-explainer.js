// Widget: the convolution of lectures 02-05, cell by cell.
//
// Every number it shows comes from the wasm module: the output from tract (`conv`), the
// explanation of a cell from the plain-Rust reference (`explainConv`), the output size and its
// formula from the geometry module (`outputSizeFormula`), how often each pixel is read
// (`windowCoverage`). This file only turns them into DOM.

import { h, fmt, fmtFactor, cellColour, numberCell, renderKernelGrid, inWindow, span, preservingFocus, errorLine } from '../lib/dom.js';
import { int, numbers, oneOf } from '../lib/options.js';

/** Input presets: lecture 02's worked example, lectures 02-03's half-bright images, lecture 05. */
const INPUTS = {
  course: {
    label: 'Lecture 02 worked example (6×6)',
    n: 6,
    values: [
      3, 0, 1, 2, 7, 4,
      1, 5, 8, 9, 3, 1,
      2, 7, 2, 5, 1, 3,
      0, 1, 3, 1, 7, 8,
      4, 2, 1, 6, 2, 8,
      2, 4, 5, 2, 3, 9,
    ],
  },
  'bright-left': {
    label: 'Bright left, dark right (10 | 0)',
    n: 6,
    values: Array.from({ length: 36 }, (_, i) => (i % 6 < 3 ? 10 : 0)),
  },
  'stride-7x7': {
    label: '7×7 input (lecture 05: f = 3, s = 2 → 3×3)',
    n: 7,
    values: Array.from({ length: 49 }, (_, i) => (i * 7) % 10),
  },
  'bright-right': {
    label: 'Dark left, bright right (0 | 10)',
    n: 6,
    values: Array.from({ length: 36 }, (_, i) => (i % 6 < 3 ? 0 : 10)),
  },
};

/** A generated `n × n` input (digits 0-9 in a repeating pattern) for sizes no preset has. */
const patternInput = (n) => ({ label: `${n}×${n} pattern`, n, values: Array.from({ length: n * n }, (_, i) => (i * 7) % 10) });

/**
 * Mounts the widget into `root`, using the wasm module's exports `api`. `options` (strings, from
 * an element's attributes or a URL) may set `input` (a preset), `n` (a generated n×n input, 3-12),
 * `values` (the n·n input values), `filter`, `f` (kernel side, 1-7; an identity kernel when no
 * named filter has it), `kernel` (f·f values), `p` (0-3) and `s` (1-4); `onState(state)` is called
 * with the same keys after every change.
 */
export function mountConvExplainer(root, api, options = {}) {
  const filters = api.filters();
  const preset = INPUTS[oneOf(options.input, Object.keys(INPUTS), 'course')];
  const n = int(options.n, 3, 12, preset.n);
  if (n !== preset.n) INPUTS[`pattern-${n}`] = patternInput(n);
  const start = n !== preset.n ? INPUTS[`pattern-${n}`] : preset;
  const values = numbers(options.values, null);
  const named = filters.find((x) => x.name === options.filter && x.size === 3);
  const f = int(options.f, 1, 7, named?.size ?? 3);
  const chosen = named && named.size === f ? named : filters.find((x) => x.name === 'vertical' && x.size === f);
  const identity = Array.from({ length: f * f }, (_, i) => (i === (f * f - 1) / 2 || (f % 2 === 0 && i === 0) ? 1 : 0));
  const kernel = numbers(options.kernel, null);
  const state = {
    input: n !== preset.n ? `pattern-${n}` : (INPUTS[options.input] ? options.input : 'course'),
    n,
    image: Float32Array.from(values?.length === n * n ? values : start.values),
    edited: values?.length === n * n,
    filter: kernel?.length === f * f ? 'custom' : chosen?.name ?? 'custom',
    kernel: Float32Array.from(kernel?.length === f * f ? kernel : chosen?.weights ?? identity),
    f,
    padding: int(options.p, 0, 3, 0),
    stride: int(options.s, 1, 4, 1),
    focus: null, // [outY, outX] of the explained cell
  };
  const report = () => options.onState?.({
    input: state.input.startsWith('pattern-') ? undefined : state.input,
    n: state.input.startsWith('pattern-') ? state.n : undefined,
    values: state.edited ? state.image : undefined,
    filter: state.filter === 'custom' ? undefined : state.filter,
    f: state.f === 3 ? undefined : state.f,
    kernel: state.filter === 'custom' ? state.kernel : undefined,
    p: state.padding,
    s: state.stride,
  });

  const inputSelect = h('select', { id: 'conv-input', 'aria-label': 'Input image' },
    Object.entries(INPUTS).map(([key, p]) => h('option', { value: key }, p.label)));
  const filterSelect = h('select', { id: 'conv-filter', 'aria-label': 'Filter' },
    filters.filter((f) => f.size === 3).map((f) => h('option', { value: f.name }, f.label)),
    h('option', { value: 'custom' }, 'Custom (edit the cells)'));
  const paddingInput = h('input', { id: 'conv-padding', type: 'range', min: 0, max: 3, step: 1, value: 0 });
  const paddingValue = h('output', { for: 'conv-padding' }, '0');
  const strideInput = h('input', { id: 'conv-stride', type: 'range', min: 1, max: 4, step: 1, value: 1 });
  const strideValue = h('output', { for: 'conv-stride' }, '1');
  const validButton = h('button', { type: 'button', id: 'conv-valid' }, 'valid (p = 0)');
  const sameButton = h('button', { type: 'button', id: 'conv-same' }, 'same');
  const formula = h('p', { class: 'formula', id: 'conv-formula', 'aria-live': 'polite' });
  const tiling = h('p', { class: 'notice', id: 'conv-tiling', 'aria-live': 'polite' });
  const inputGrid = h('div', { class: 'grid', id: 'conv-input-grid', role: 'group', 'aria-label': 'Input (padded)' });
  const kernelGrid = h('div', { class: 'grid kernel', id: 'conv-kernel-grid', role: 'group', 'aria-label': 'Kernel' });
  const outputGrid = h('div', { class: 'grid', id: 'conv-output-grid', role: 'group', 'aria-label': 'Output' });
  const explanation = h('div', { class: 'explanation', id: 'conv-explanation', 'aria-live': 'polite' });
  const check = h('p', { class: 'check', id: 'conv-check' });
  const coverageGrid = h('div', { class: 'grid small', id: 'conv-coverage-grid', role: 'group', 'aria-label': 'Windows reading each input pixel' });
  const corners = h('ul', { class: 'corners', id: 'conv-corners', 'aria-live': 'polite' });
  // Next to the grids whose cells cause its errors; the output they make out of date is greyed.
  const error = errorLine('conv-error', { stale: () => [outputGrid, explanation, check, corners, coverageGrid] });

  root.append(
    h('div', { class: 'controls' },
      h('label', {}, 'Input ', inputSelect),
      h('label', {}, 'Filter ', filterSelect),
      h('label', {}, 'Padding p ', paddingInput, paddingValue),
      validButton, sameButton,
      h('label', {}, 'Stride s ', strideInput, strideValue)),
    formula, tiling,
    h('div', { class: 'equation' },
      h('figure', {}, h('figcaption', {}, 'Input (zero padding greyed)'), inputGrid),
      h('span', { class: 'op', 'aria-hidden': 'true' }, '∗'),
      h('figure', {}, h('figcaption', {}, 'Kernel'), kernelGrid),
      h('span', { class: 'op', 'aria-hidden': 'true' }, '='),
      h('figure', {}, h('figcaption', {}, 'Output (computed by tract)'), outputGrid)),
    error,
    explanation, check,
    h('details', { class: 'padding-view', id: 'conv-padding-view', open: true },
      h('summary', {}, 'What padding changes (lecture 04)'),
      h('div', { class: 'equation' },
        h('figure', {}, h('figcaption', {}, 'How many output cells read each input pixel'), coverageGrid),
        h('div', {}, h('p', {}, 'The input pixels each corner output sees:'), corners))));

  inputSelect.addEventListener('change', () => {
    const preset = INPUTS[inputSelect.value];
    Object.assign(state, { input: inputSelect.value, n: preset.n, image: Float32Array.from(preset.values), focus: null, edited: false });
    render();
  });
  filterSelect.addEventListener('change', () => {
    if (filterSelect.value === 'custom') return;
    const f = filters.find((x) => x.name === filterSelect.value);
    Object.assign(state, { filter: f.name, kernel: Float32Array.from(f.weights), f: f.size });
    render();
  });
  paddingInput.addEventListener('input', () => { state.padding = Number(paddingInput.value); state.focus = null; render(); });
  strideInput.addEventListener('input', () => { state.stride = Number(strideInput.value); state.focus = null; render(); });
  validButton.addEventListener('click', () => { state.padding = 0; state.focus = null; render(); });
  sameButton.addEventListener('click', () => { state.padding = api.samePadding(state.f); state.focus = null; render(); });

  function renderInput(trace, unread) {
    const { n, padding: p } = state;
    const side = n + 2 * p;
    inputGrid.style.gridTemplateColumns = `repeat(${side}, var(--cell))`;
    const cells = [];
    const win = trace?.window;
    for (let y = -p; y < n + p; y++) {
      for (let x = -p; x < n + p; x++) {
        const inside = y >= 0 && x >= 0 && y < n && x < n;
        const seen = inWindow(win, y, x);
        // Rows and columns at the far end that no window reaches (the stride does not tile).
        const skipped = y >= n + p - unread || x >= n + p - unread;
        const classes = ['slot', inside ? 'pixel' : 'pad', seen ? 'in-window' : '', skipped ? 'unread' : ''].join(' ');
        if (inside) {
          const i = y * n + x;
          cells.push(h('div', { class: classes, dataset: { y, x } },
            numberCell(state.image[i], `input row ${y + 1} column ${x + 1}`, (v) => { state.image[i] = v; state.edited = true; render(); })));
        } else {
          cells.push(h('div', { class: classes, dataset: { y, x }, 'aria-hidden': 'true' }, '0'));
        }
      }
    }
    inputGrid.replaceChildren(...cells);
  }

  function renderKernel() {
    renderKernelGrid(kernelGrid, state.kernel, state.f, (i, v) => {
      state.kernel[i] = v;
      state.filter = 'custom';
      filterSelect.value = 'custom';
      render();
    });
  }

  function renderOutput(out) {
    const [, oh, ow] = out.shape;
    const scale = out.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    outputGrid.style.gridTemplateColumns = `repeat(${ow}, var(--cell))`;
    const cells = [];
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        const v = out.data[y * ow + x];
        const focused = state.focus && state.focus[0] === y && state.focus[1] === x;
        const cell = h('button', {
          type: 'button',
          class: `slot out${focused ? ' focused' : ''}`,
          dataset: { y, x, key: `${y}:${x}` },
          style: `background:${cellColour(api, v, scale)}`,
          'aria-label': `output row ${y + 1} column ${x + 1}: ${fmt(v)}`,
        }, fmt(v));
        const explain = () => {
          if (state.focus && state.focus[0] === y && state.focus[1] === x) return;
          state.focus = [y, x];
          preservingFocus(root, () => render(false));
        };
        cell.addEventListener('mouseenter', explain);
        cell.addEventListener('focus', explain);
        cells.push(cell);
      }
    }
    outputGrid.replaceChildren(...cells);
    outputGrid.dataset.rows = oh;
    outputGrid.dataset.cols = ow;
  }

  function renderExplanation(trace) {
    if (!trace) {
      explanation.replaceChildren(h('p', {}, 'Hover over or focus an output cell to see its window, the products and their sum.'));
      return;
    }
    const f0 = trace.filters[0];
    const terms = f0.terms.map((t) => h('span', { class: t.padding ? 'term pad' : 'term' },
      `${fmtFactor(t.input)}·${fmtFactor(t.weight)}`));
    const plus = [];
    terms.forEach((t, i) => { if (i) plus.push(' + '); plus.push(t); });
    // Rows and columns are counted from 1 in the padded input, as the grid above shows them.
    const w = trace.window;
    const p = state.padding;
    const where = `rows ${span(w.start[0] + p, w.size[0])}, columns ${span(w.start[1] + p, w.size[1])}`;
    explanation.replaceChildren(
      h('p', {}, `Output row ${trace.at[0] + 1}, column ${trace.at[1] + 1} reads ${where} of the ${p ? 'padded ' : ''}input` +
        (f0.terms.some((t) => t.padding) ? ' (greyed terms are zero padding):' : ':')),
      h('p', { class: 'sum', id: 'conv-sum' }, ...plus, ' = ', h('strong', {}, fmt(f0.sum))));
  }

  /** Lecture 04: border pixels are read by fewer windows; each corner output's view of the input. */
  function renderPaddingView(options, [, oh, ow]) {
    const { n, f, padding, stride } = state;
    const coverage = api.windowCoverage(n, f, padding, stride);
    coverageGrid.style.gridTemplateColumns = `repeat(${n}, var(--cell-small))`;
    coverageGrid.replaceChildren(...Array.from(coverage.counts, (c, i) =>
      h('div', { class: `slot count${c ? '' : ' unread'}`, dataset: { y: Math.floor(i / n), x: i % n } }, String(c))));
    const names = [['top-left', 0, 0], ['top-right', 0, ow - 1], ['bottom-left', oh - 1, 0], ['bottom-right', oh - 1, ow - 1]];
    corners.replaceChildren(...names.map(([name, y, x]) => {
      const t = api.explainConv(options, [y, x]);
      const inside = t.window.inside;
      const zeros = t.filters[0].terms.filter((term) => term.padding).length;
      return h('li', { dataset: { corner: name } },
        `${name} output (${y + 1}, ${x + 1}): input rows ${span(inside.start[0], inside.size[0])}, columns ${span(inside.start[1], inside.size[1])}` +
        (zeros ? `, plus ${zeros} zeros of padding` : ''));
    }));
  }

  function render(rebuildInput = true) {
    const { n, f, padding, stride } = state;
    paddingInput.value = padding; paddingValue.textContent = padding;
    strideInput.value = stride; strideValue.textContent = stride;
    inputSelect.value = state.input;
    filterSelect.value = state.filter;
    const options = { input: state.image, inputShape: [1, n, n], weight: state.kernel, weightShape: [1, 1, f, f], padding, stride };
    try {
      formula.textContent = `n = ${n}, f = ${f}, p = ${padding}, s = ${stride}: output side ${api.outputSizeFormula(n, f, padding, stride)}`;
      const geo = api.convGeometry(n, f, padding, stride);
      tiling.textContent = geo.uncovered
        ? `Stride ${stride} does not tile the ${geo.padded}×${geo.padded} ${padding ? 'padded ' : ''}input: the last ${geo.uncovered} row${geo.uncovered > 1 ? 's' : ''} and column${geo.uncovered > 1 ? 's' : ''} (hatched) are never read, hence the floor.`
        : '';
      const out = api.conv(options);
      const ref = api.convReference(options);
      const trace = state.focus ? api.explainConv(options, state.focus) : null;
      error.clear();
      renderInput(trace, geo.uncovered);
      if (rebuildInput) renderKernel();
      renderOutput(out);
      renderExplanation(trace);
      renderPaddingView(options, out.shape);
      report();
      check.textContent = `tract ran an ONNX Conv graph (${out.shape[1]}×${out.shape[2]} output); the plain-Rust reference agrees to ${fmt(api.maxAbsDiff(out.data, ref.data))} (largest difference).`;
    } catch (e) {
      error.show(e);
    }
  }

  render();
}
