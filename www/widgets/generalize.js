// Widget: 1D and 3D convolution, lecture 43. tract runs ONNX Conv graphs over one and three
// spatial axes (`conv`), the reference explains an output (`explainConv`), the signal, the volume
// and the filters come from Rust (`heartbeat`, `ballVolume`, `ndFilters`), colours from `heatmap`.
// This file only draws.

import { h, fmt, fmtFactor, numberCell, span, preservingFocus, svgEl, errorLine } from '../lib/dom.js';

const SIGNAL = 14;
const F1 = 5;
const VOLUME = 14;
const F3 = 5;

const svg = svgEl;

/** Mounts the widget into `root`, using the wasm module's exports `api`. */
export function mountGeneralize(root, api) {
  const filters1 = api.ndFilters(1);
  const filters3 = api.ndFilters(3);
  const state = {
    signal: api.heartbeat(SIGNAL),
    filter1: 'slope',
    weight1: Float32Array.from(filters1.find((f) => f.name === 'slope').weights),
    focus: null, // output index of the 1D explanation
    volume: api.ballVolume(VOLUME),
    filter3: 'depth-edge',
    inputDepth: 4,
    outputDepth: 2,
  };

  // 1D
  const select1 = h('select', { id: 'signal-filter', 'aria-label': '1D filter' },
    filters1.map((f) => h('option', { value: f.name }, f.label)), h('option', { value: 'custom' }, 'Custom'));
  select1.value = state.filter1;
  const signalCells = h('div', { class: 'grid', id: 'signal-input', role: 'group', 'aria-label': 'Signal samples' });
  const kernelCells = h('div', { class: 'grid kernel', id: 'signal-kernel', role: 'group', 'aria-label': '1D filter weights' });
  const chart = svg('svg', { id: 'signal-chart', viewBox: '0 0 560 220', role: 'img', 'aria-label': 'Signal and filtered signal' });
  const formula1 = h('p', { class: 'formula', id: 'signal-formula' });
  const explain1 = h('p', { class: 'explanation sum', id: 'signal-explanation', 'aria-live': 'polite' });
  const outputCells = h('div', { class: 'grid', id: 'signal-output', role: 'group', 'aria-label': 'Filtered signal' });

  // 3D
  const select3 = h('select', { id: 'volume3-filter', 'aria-label': '3D filter' }, filters3.map((f) => h('option', { value: f.name }, f.label)));
  select3.value = state.filter3;
  const inDepth = h('input', { type: 'range', id: 'volume3-in-depth', min: 0, max: VOLUME - 1, value: state.inputDepth, 'aria-label': 'Input slice depth' });
  const inDepthValue = h('output', { for: 'volume3-in-depth' });
  const outDepth = h('input', { type: 'range', id: 'volume3-out-depth', min: 0, max: VOLUME - F3, value: state.outputDepth, 'aria-label': 'Output slice depth' });
  const outDepthValue = h('output', { for: 'volume3-out-depth' });
  const inCanvas = h('canvas', { id: 'volume3-input', width: VOLUME, height: VOLUME, role: 'img', 'aria-label': 'Input slice' });
  const outCanvas = h('canvas', { id: 'volume3-output', width: 1, height: 1, role: 'img', 'aria-label': 'Output slice' });
  const formula3 = h('p', { class: 'formula', id: 'volume3-formula', 'aria-live': 'polite' });
  const reads3 = h('p', { class: 'explanation', id: 'volume3-reads', 'aria-live': 'polite' });
  const error = errorLine('generalize-error', { stale: () => [outputCells, chart, explain1, outCanvas, reads3] });

  root.append(
    h('h3', {}, '1D: a heartbeat trace'),
    h('div', { class: 'controls' }, h('label', {}, 'Filter ', select1)),
    formula1,
    h('div', { class: 'equation' },
      h('figure', {}, h('figcaption', {}, `Signal (${SIGNAL} samples, editable)`), signalCells),
      h('span', { class: 'op', 'aria-hidden': 'true' }, '∗'),
      h('figure', {}, h('figcaption', {}, `Filter (${F1})`), kernelCells)),
    error,
    h('figure', {}, h('figcaption', {}, 'Output (computed by tract; hover a value)'), outputCells),
    chart, explain1,
    h('h3', {}, '3D: a volume (like a CT scan) holding a ball'),
    h('div', { class: 'controls' },
      h('label', {}, 'Filter ', select3),
      h('label', {}, 'Input slice ', inDepth, inDepthValue),
      h('label', {}, 'Output slice ', outDepth, outDepthValue)),
    formula3,
    h('div', { class: 'equation' },
      h('figure', {}, h('figcaption', {}, `Input ${VOLUME}×${VOLUME}×${VOLUME}, one slice`), inCanvas),
      h('span', { class: 'op', 'aria-hidden': 'true' }, '∗ 5×5×5 ='),
      h('figure', {}, h('figcaption', { id: 'volume3-caption' }, 'Output, one slice (tract)'), outCanvas)),
    reads3);

  const fail = error.show;

  select1.addEventListener('change', () => {
    if (select1.value === 'custom') return;
    state.filter1 = select1.value;
    state.weight1 = Float32Array.from(filters1.find((f) => f.name === select1.value).weights);
    render1();
  });
  select3.addEventListener('change', () => { state.filter3 = select3.value; render3(); });
  inDepth.addEventListener('input', () => { state.inputDepth = Number(inDepth.value); render3(); });
  outDepth.addEventListener('input', () => { state.outputDepth = Number(outDepth.value); render3(); });

  function options1() {
    return { input: state.signal, inputShape: [1, SIGNAL], weight: state.weight1, weightShape: [1, 1, F1] };
  }

  /** Bars of `values` (drawing only), offset by `x0` slots, in a band centred on `mid`. */
  function bars(values, scale, x0, mid, cls, highlight) {
    const g = svg('g', { class: cls });
    values.forEach((v, i) => {
      const hgt = scale ? (Math.abs(v) / scale) * 45 : 0;
      g.append(svg('rect', {
        x: 20 + (x0 + i) * 37, width: 30, y: v >= 0 ? mid - hgt : mid, height: Math.max(hgt, 0.5),
        class: highlight?.(i) ? 'bar in-window' : 'bar',
      }));
    });
    return g;
  }

  function render1() {
    try {
      const out = api.conv(options1());
      const trace = state.focus === null ? null : api.explainConv(options1(), [state.focus]);
      error.clear();
      formula1.textContent = `n = ${SIGNAL}, f = ${F1}: output length ${api.outputSizeFormula(SIGNAL, F1, 0, 1)}`;
      signalCells.style.gridTemplateColumns = `repeat(${SIGNAL}, var(--cell))`;
      const win = trace?.window;
      const inWin = (i) => win && i >= win.start[0] && i < win.start[0] + win.size[0];
      signalCells.replaceChildren(...Array.from(state.signal, (v, i) => h('div', { class: `slot${inWin(i) ? ' in-window' : ''}` },
        numberCell(v, `sample ${i + 1}`, (value) => { state.signal[i] = value; render1(); }))));
      kernelCells.style.gridTemplateColumns = `repeat(${F1}, var(--cell))`;
      kernelCells.replaceChildren(...Array.from(state.weight1, (v, i) => h('div', { class: 'slot' },
        numberCell(v, `filter weight ${i + 1}`, (value) => { state.weight1[i] = value; state.filter1 = 'custom'; select1.value = 'custom'; render1(); }))));
      const [, len] = out.shape;
      outputCells.style.gridTemplateColumns = `repeat(${len}, var(--cell))`;
      outputCells.dataset.length = len;
      outputCells.replaceChildren(...Array.from(out.data, (v, i) => {
        const cell = h('button', { type: 'button', class: `slot out${state.focus === i ? ' focused' : ''}`, dataset: { i, key: `${i}` },
          'aria-label': `output ${i + 1}: ${fmt(v)}` }, fmt(v));
        const explain = () => { if (state.focus !== i) { state.focus = i; preservingFocus(root, render1); } };
        cell.addEventListener('mouseenter', explain);
        cell.addEventListener('focus', explain);
        return cell;
      }));
      const scaleIn = state.signal.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const scaleOut = out.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      // The output bar i sits under the centre of its window (shifted by (f - 1) / 2 = 2 slots).
      chart.replaceChildren(
        svg('line', { x1: 10, x2: 550, y1: 55, y2: 55, class: 'axis' }),
        svg('line', { x1: 10, x2: 550, y1: 165, y2: 165, class: 'axis' }),
        bars(Array.from(state.signal), scaleIn, 0, 55, 'signal', inWin),
        bars(Array.from(out.data), scaleOut, 2, 165, 'filtered', (i) => i === state.focus));
      if (trace) {
        const f0 = trace.filters[0];
        explain1.textContent = `Output ${state.focus + 1} reads samples ${span(win.start[0], win.size[0])}: ` +
          `${f0.terms.map((t) => `${fmtFactor(t.input)}·${fmtFactor(t.weight)}`).join(' + ')} = ${fmt(f0.sum)}`;
      } else {
        explain1.textContent = 'Hover over or focus an output value to see its window of 5 samples and the sum.';
      }
    } catch (e) {
      fail(e);
    }
  }

  function drawSlice(canvas, rgba, side) {
    if (canvas.width !== side) { canvas.width = side; canvas.height = side; }
    canvas.getContext('2d').putImageData(new ImageData(rgba, side, side), 0, 0);
  }

  function render3() {
    inDepthValue.textContent = state.inputDepth + 1;
    outDepthValue.textContent = state.outputDepth + 1;
    try {
      const weight = filters3.find((f) => f.name === state.filter3).weights;
      const options = { input: state.volume, inputShape: [1, VOLUME, VOLUME, VOLUME], weight, weightShape: [1, 1, F3, F3, F3] };
      const t0 = performance.now();
      const out = api.conv(options);
      const ms = performance.now() - t0;
      const [, od, oh, ow] = out.shape;
      const inputMap = api.heatmap(state.volume, true);
      const outputMap = api.heatmap(out.data, false);
      const sliceIn = VOLUME * VOLUME * 4;
      const sliceOut = oh * ow * 4;
      drawSlice(inCanvas, inputMap.rgba.slice(state.inputDepth * sliceIn, (state.inputDepth + 1) * sliceIn), VOLUME);
      drawSlice(outCanvas, outputMap.rgba.slice(state.outputDepth * sliceOut, (state.outputDepth + 1) * sliceOut), ow);
      outCanvas.dataset.shape = out.shape.join('x');
      const trace = api.explainConv(options, [state.outputDepth, 0, 0]);
      const w = trace.window;
      formula3.textContent = `${VOLUME}×${VOLUME}×${VOLUME} ∗ ${F3}×${F3}×${F3} → ${od}×${oh}×${ow}: each side ${api.outputSizeFormula(VOLUME, F3, 0, 1)} (tract: ${ms.toFixed(1)} ms)`;
      reads3.textContent = `Output slice ${state.outputDepth + 1} reads input slices ${span(w.start[0], w.size[0])}; ` +
        `its values run from ${fmt(outputMap.min)} to ${fmt(outputMap.max)} over the whole output (blue negative, red positive).`;
      error.clear();
    } catch (e) {
      fail(e);
    }
  }

  render1();
  render3();
}
