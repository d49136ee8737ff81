// Widget: convolution over volume (lecture 06) and one layer of a ConvNet (lecture 07).
//
// A 6×6×3 input and k filters of 3×3×3 with editable per-channel kernels, a bias each and an
// optional ReLU. tract computes the 4×4×k output (`conv`), the reference explains a cell
// (`explainConv`), the parameter count comes from `networkShapes`. This file only draws.

import { h, fmt, fmtFactor, cellColour, numberCell, renderKernelGrid, inWindow, span, preservingFocus, errorLine } from '../lib/dom.js';

const N = 6;
const F = 3;
const CHANNELS = ['red', 'green', 'blue'];
/** Lecture 02's image in red, a bright-left half in green, a bright-top half in blue. */
const INPUT = [
  [3, 0, 1, 2, 7, 4, 1, 5, 8, 9, 3, 1, 2, 7, 2, 5, 1, 3, 0, 1, 3, 1, 7, 8, 4, 2, 1, 6, 2, 8, 2, 4, 5, 2, 3, 9],
  Array.from({ length: 36 }, (_, i) => (i % 6 < 3 ? 10 : 0)),
  Array.from({ length: 36 }, (_, i) => (i < 18 ? 10 : 0)),
].flat();
const MAX_FILTERS = 10;

/** Mounts the widget into `root`, using the wasm module's exports `api`. */
export function mountVolumeLab(root, api) {
  const named = api.filters().filter((f) => f.size === F);
  const kernelOf = (name) => Array.from(named.find((f) => f.name === name).weights);
  const zeros = new Array(F * F).fill(0);
  /** Filter presets: one kernel per channel (lecture 06's "one channel only" and "all channels"). */
  const PRESETS = {
    'vertical-red': { label: 'Vertical edge, red channel only', channels: [kernelOf('vertical'), zeros, zeros] },
    'vertical-all': { label: 'Vertical edge, all channels', channels: [kernelOf('vertical'), kernelOf('vertical'), kernelOf('vertical')] },
    'horizontal-all': { label: 'Horizontal edge, all channels', channels: [kernelOf('horizontal'), kernelOf('horizontal'), kernelOf('horizontal')] },
    'horizontal-blue': { label: 'Horizontal edge, blue channel only', channels: [zeros, zeros, kernelOf('horizontal')] },
    'sobel-x-all': { label: 'Sobel x, all channels', channels: [kernelOf('sobel-x'), kernelOf('sobel-x'), kernelOf('sobel-x')] },
  };
  const presetNames = Object.keys(PRESETS);
  const makeFilter = (i) => {
    const preset = presetNames[i % presetNames.length];
    return { preset, weights: Float32Array.from(PRESETS[preset].channels.flat()), bias: 0 };
  };
  const state = {
    input: Float32Array.from(INPUT),
    filters: [makeFilter(0), makeFilter(1)],
    relu: false,
    focus: null, // { filter, at: [y, x] }
  };

  const countInput = h('input', { id: 'volume-k', type: 'range', min: 1, max: MAX_FILTERS, value: 2, 'aria-label': 'Number of filters k' });
  const countValue = h('output', { for: 'volume-k' }, '2');
  const relu = h('input', { type: 'checkbox', id: 'volume-relu' });
  const inputGrids = h('div', { class: 'equation', id: 'volume-input' });
  const filterList = h('div', { class: 'filters', id: 'volume-filters' });
  const shapeText = h('p', { class: 'formula', id: 'volume-shape', 'aria-live': 'polite' });
  const params = h('p', { class: 'formula', id: 'volume-params', 'aria-live': 'polite' });
  const explanation = h('div', { class: 'explanation', id: 'volume-explanation', 'aria-live': 'polite' });
  const error = errorLine('volume-error', { stale: () => [shapeText, params, filterList, explanation] });

  root.append(
    h('div', { class: 'controls' },
      h('label', {}, 'Filters k ', countInput, countValue),
      h('label', {}, relu, ' ReLU after the bias (one layer, lecture 07)')),
    h('p', { class: 'check' }, 'Input 6×6×3 (edit any cell):'), inputGrids,
    error, shapeText, params, filterList, explanation);

  countInput.addEventListener('input', () => {
    const k = Number(countInput.value);
    while (state.filters.length < k) state.filters.push(makeFilter(state.filters.length));
    state.filters.length = k;
    state.focus = null;
    render();
  });
  relu.addEventListener('change', () => { state.relu = relu.checked; render(); });

  function options() {
    const k = state.filters.length;
    return {
      input: state.input,
      inputShape: [3, N, N],
      weight: Float32Array.from(state.filters.flatMap((f) => Array.from(f.weights))),
      weightShape: [k, 3, F, F],
      bias: Float32Array.from(state.filters.map((f) => f.bias)),
      relu: state.relu,
    };
  }

  function renderInput(trace) {
    const win = trace?.window;
    inputGrids.replaceChildren(...CHANNELS.map((name, c) => {
      const grid = h('div', { class: `grid channel-${name}`, role: 'group', 'aria-label': `Input, ${name} channel` });
      grid.style.gridTemplateColumns = `repeat(${N}, var(--cell))`;
      grid.append(...Array.from({ length: N * N }, (_, i) => {
        const [y, x] = [Math.floor(i / N), i % N];
        const index = c * N * N + i;
        return h('div', { class: `slot${inWindow(win, y, x) ? ' in-window' : ''}` },
          numberCell(state.input[index], `${name} row ${y + 1} column ${x + 1}`, (v) => { state.input[index] = v; render(); }));
      }));
      return h('figure', {}, h('figcaption', {}, `${name} (channel ${c + 1})`), grid);
    }));
  }

  function renderFilters(out) {
    const [, oh, ow] = out.shape;
    const scale = out.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    filterList.replaceChildren(...state.filters.map((filter, k) => {
      const preset = h('select', { 'aria-label': `Filter ${k + 1} preset` },
        presetNames.map((p) => h('option', { value: p, selected: p === filter.preset }, PRESETS[p].label)),
        h('option', { value: 'custom', selected: filter.preset === 'custom' }, 'Custom'));
      preset.addEventListener('change', () => {
        if (preset.value === 'custom') return;
        Object.assign(filter, { preset: preset.value, weights: Float32Array.from(PRESETS[preset.value].channels.flat()) });
        render();
      });
      const bias = h('input', { type: 'number', step: 'any', class: 'num', value: fmt(filter.bias), 'aria-label': `Filter ${k + 1} bias` });
      bias.addEventListener('change', () => { filter.bias = bias.valueAsNumber; render(); });
      const kernels = CHANNELS.map((name, c) => {
        const grid = h('div', { class: 'grid kernel small', role: 'group', 'aria-label': `Filter ${k + 1}, ${name} kernel` });
        const slice = filter.weights.subarray(c * F * F, (c + 1) * F * F);
        renderKernelGrid(grid, slice, F, (i, v) => { slice[i] = v; filter.preset = 'custom'; render(); });
        return h('figure', {}, h('figcaption', {}, name), grid);
      });
      const grid = h('div', { class: 'grid', role: 'group', 'aria-label': `Output channel ${k + 1}` });
      grid.style.gridTemplateColumns = `repeat(${ow}, var(--cell))`;
      grid.dataset.rows = oh;
      grid.dataset.cols = ow;
      grid.append(...Array.from({ length: oh * ow }, (_, i) => {
        const [y, x] = [Math.floor(i / ow), i % ow];
        const v = out.data[k * oh * ow + i];
        const focused = state.focus?.filter === k && state.focus.at[0] === y && state.focus.at[1] === x;
        const cell = h('button', { type: 'button', class: `slot out${focused ? ' focused' : ''}`, dataset: { y, x, key: `${k}:${y}:${x}` },
          style: `background:${cellColour(api, v, scale)}`, 'aria-label': `output channel ${k + 1} row ${y + 1} column ${x + 1}: ${fmt(v)}` }, fmt(v));
        const explain = () => {
          if (focused) return;
          state.focus = { filter: k, at: [y, x] };
          preservingFocus(root, render);
        };
        cell.addEventListener('mouseenter', explain);
        cell.addEventListener('focus', explain);
        return cell;
      }));
      return h('div', { class: 'filter-card', dataset: { filter: k } },
        h('div', { class: 'controls' }, h('strong', {}, `Filter ${k + 1}`), preset, h('label', {}, 'bias b ', bias)),
        h('div', { class: 'equation' }, ...kernels,
          h('span', { class: 'op', 'aria-hidden': 'true' }, '→'),
          h('figure', {}, h('figcaption', {}, `output channel ${k + 1} (tract)`), grid)));
    }));
  }

  function renderExplanation(trace) {
    if (!trace) {
      explanation.replaceChildren(h('p', {}, 'Hover over or focus an output cell to see its 27 products, the bias and the sum.'));
      return;
    }
    const f = trace.filters[state.focus.filter];
    const w = trace.window;
    const lines = CHANNELS.map((name, c) => h('p', { class: 'sum' }, `${name}: `,
      f.terms.filter((t) => t.channel === c).map((t) => `${fmtFactor(t.input)}·${fmtFactor(t.weight)}`).join(' + ')));
    explanation.replaceChildren(
      h('p', {}, `Filter ${f.filter + 1}, output row ${trace.at[0] + 1}, column ${trace.at[1] + 1}: the 3×3×3 window at rows ${span(w.start[0], w.size[0])}, columns ${span(w.start[1], w.size[1])} of all three channels, 27 products:`),
      ...lines,
      h('p', { class: 'sum', id: 'volume-sum' }, `sum of the products + bias ${fmt(f.bias)} = ${fmt(f.sum)}`,
        state.relu ? ` → ReLU: max(0, ${fmt(f.sum)}) = ${fmt(f.output)}` : ''));
  }

  function render() {
    const k = state.filters.length;
    countInput.value = k;
    countValue.textContent = k;
    try {
      const opts = options();
      const out = api.conv(opts);
      const trace = state.focus ? api.explainConv(opts, state.focus.at) : null;
      const layer = [{ type: 'conv', f: F, s: 1, p: 0, filters: k }];
      const count = api.networkShapes([3, N, N], layer).totalParams;
      const big = api.networkShapes([3, 1000, 1000], layer);
      error.clear();
      const [, oh, ow] = out.shape;
      shapeText.textContent = `6×6×3 ∗ ${k} filter${k > 1 ? 's' : ''} of 3×3×3 → ${oh}×${ow}×${k} (each filter gives one ${oh}×${ow} channel; they are stacked)`;
      params.textContent = `Parameters: (f·f·n_c + 1)·k = (3·3·3 + 1)·${k} = ${count}. ` +
        `On a 1000×1000×3 image the same layer still has ${big.totalParams}: the count does not depend on the image size.`;
      renderInput(trace);
      renderFilters(out);
      renderExplanation(trace);
    } catch (e) {
      error.show(e.message);
    }
  }

  render();
}
