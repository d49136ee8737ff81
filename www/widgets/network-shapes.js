// Widget: shapes and parameter counts through a ConvNet, lectures 08, 10 and 11. Every shape and
// count comes from the wasm module (`networkShapes`, `denseParamsBetween`); this file only draws.

import { h, errorLine, scrollX } from '../lib/dom.js';

const PRESETS = {
  'lecture-08': {
    label: 'Lecture 08: simple ConvNet (39×39×3)',
    input: [3, 39, 39],
    layers: [
      { type: 'conv', f: 3, s: 1, p: 0, filters: 10 },
      { type: 'conv', f: 5, s: 2, p: 0, filters: 20 },
      { type: 'conv', f: 5, s: 2, p: 0, filters: 40 },
      { type: 'flatten' },
    ],
  },
  'lecture-10': {
    label: 'Lecture 10: LeNet-5-like (32×32×3)',
    input: [3, 32, 32],
    layers: [
      { type: 'conv', f: 5, s: 1, p: 0, filters: 6 },
      { type: 'pool', mode: 'max', f: 2, s: 2 },
      { type: 'conv', f: 5, s: 1, p: 0, filters: 16 },
      { type: 'pool', mode: 'max', f: 2, s: 2 },
      { type: 'flatten' },
      { type: 'dense', units: 120 },
      { type: 'dense', units: 84 },
      { type: 'dense', units: 10 },
    ],
  },
};

/** Editable numeric fields of each layer type, with their labels. */
const FIELDS = {
  conv: [['f', 'f'], ['s', 's'], ['p', 'p'], ['filters', 'filters']],
  pool: [['f', 'f'], ['s', 's']],
  flatten: [],
  dense: [['units', 'units']],
};

const number = (n) => n.toLocaleString('en-US');
/** `[c, h, w]` as the course writes it, `h × w × c`; a flat `[n]` as `n`. */
const courseShape = (s) => (s.length === 3 ? `${s[1]}×${s[2]}×${s[0]}` : String(s[0]));

/** Mounts the widget into `root`, using the wasm module's exports `api`. */
export function mountNetworkShapes(root, api) {
  let state = structuredClone(PRESETS['lecture-10']);
  const presetSelect = h('select', { id: 'net-preset', 'aria-label': 'Network' },
    Object.entries(PRESETS).map(([key, p]) => h('option', { value: key, selected: key === 'lecture-10' }, p.label)));
  const table = h('table', { class: 'shapes', id: 'net-table' });
  const total = h('p', { id: 'net-total', 'aria-live': 'polite' });
  const compare = h('p', { id: 'net-compare' });
  const error = errorLine('net-error', { stale: () => [total, compare] });
  const add = (layer) => h('button', { type: 'button', onclick: () => { state.layers.push(layer()); render(); } },
    `+ ${layer().type}`);
  root.append(
    h('div', { class: 'controls' }, h('label', {}, 'Preset ', presetSelect),
      add(() => ({ type: 'conv', f: 3, s: 1, p: 0, filters: 8 })),
      add(() => ({ type: 'pool', mode: 'max', f: 2, s: 2 })),
      add(() => ({ type: 'flatten' })),
      add(() => ({ type: 'dense', units: 10 }))),
    error, scrollX(table), total, compare);
  presetSelect.addEventListener('change', () => { state = structuredClone(PRESETS[presetSelect.value]); render(); });

  function field(obj, key, label, id) {
    const input = h('input', { type: 'number', min: 0, step: 1, value: obj[key], id, class: 'num', 'aria-label': label });
    input.addEventListener('change', () => { obj[key] = input.valueAsNumber; render(); });
    return h('label', { class: 'field' }, `${key} `, input);
  }

  function render() {
    let steps = [];
    let totalParams = null;
    try {
      ({ layers: steps, totalParams } = api.networkShapes(state.input, state.layers));
      error.clear();
    } catch (e) {
      error.show(e.message);
    }
    const rows = [h('tr', {}, h('th', {}, 'Layer'), h('th', {}, 'Activation (h×w×c)'), h('th', {}, 'Parameters'), h('th', {}, h('span', { class: 'sr-only' }, 'Remove')))];
    rows.push(h('tr', {}, h('td', {}, 'input ', ...['c', 'h', 'w'].map((k, i) => {
      const input = h('input', { type: 'number', min: 1, step: 1, value: state.input[i], class: 'num', id: `net-input-${k}`, 'aria-label': `input ${k}` });
      input.addEventListener('change', () => { state.input[i] = input.valueAsNumber; render(); });
      return h('label', { class: 'field' }, `${k} `, input);
    })), h('td', { dataset: { shape: state.input.join(',') } }, courseShape(state.input)), h('td', {}, '0'), h('td')));
    state.layers.forEach((layer, i) => {
      const step = steps[i];
      const remove = h('button', { type: 'button', 'aria-label': `remove layer ${i + 1}`, onclick: () => { state.layers.splice(i, 1); render(); } }, '✕');
      rows.push(h('tr', {},
        h('td', {}, `${i + 1}. ${layer.type} `, FIELDS[layer.type].map(([key, label]) => field(layer, key, `layer ${i + 1} ${label}`, `net-${i}-${key}`))),
        h('td', { dataset: { shape: step ? step.output.join(',') : '' } }, step ? courseShape(step.output) : '—'),
        h('td', {}, step ? number(step.params) : '—'),
        h('td', {}, remove)));
    });
    table.replaceChildren(...rows);
    total.textContent = totalParams === null ? '' : `Total parameters: ${number(totalParams)}`;
    const fc = api.denseParamsBetween([3, 32, 32], [6, 28, 28]);
    const conv = api.networkShapes([3, 32, 32], [{ type: 'conv', f: 5, s: 1, p: 0, filters: 6 }]).totalParams;
    compare.textContent = `Lecture 11: connecting 32×32×3 to 28×28×6 fully would take ${number(fc)} parameters; six 5×5 filters take ${number(conv)}.`;
  }

  render();
}
