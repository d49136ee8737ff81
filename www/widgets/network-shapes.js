// Widget: shapes and parameter counts through a ConvNet, lectures 01, 08, 10 and 11. Every shape
// and count comes from the wasm module (`networkShapes`, `denseParamsBetween`); this file only
// draws. The network is kept in the address (`net=3.39.39_c3.1.0.10_m2.2_f_d10`: the input c.h.w,
// then conv f.s.p.filters, max or average pool f.s, flatten, dense units), so a link shows it.

import { h, errorLine, scrollX } from '../lib/dom.js';

const PRESETS = {
  'lecture-01': {
    label: 'Lecture 01: a fully connected first layer on a 1000×1000 photo',
    input: [3, 1000, 1000],
    layers: [{ type: 'flatten' }, { type: 'dense', units: 1000 }],
    lesson: (params) => `Lecture 01: a 1000×1000×3 photo is ${number(3e6)} inputs; a fully connected first layer of 1,000 units needs ${number(params)} parameters, ${number(Math.round(params * 4 / 1e9))} GB of float32 weights before any learning starts. Convolutions share a small filter across the image instead.`,
  },
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

/** An editable copy of a preset's network (its input and layers). */
const copy = ({ input, layers }) => ({ input: [...input], layers: layers.map((l) => ({ ...l })) });

/** A network as the address keeps it: `c.h.w` then one token per layer, joined by `_`. */
export function encodeNetwork({ input, layers }) {
  const token = (l) => ({ conv: () => `c${l.f}.${l.s}.${l.p}.${l.filters}`, pool: () => `${l.mode === 'avg' ? 'a' : 'm'}${l.f}.${l.s}`,
    flatten: () => 'f', dense: () => `d${l.units}` })[l.type]();
  return [input.join('.'), ...layers.map(token)].join('_');
}

/** The network `text` names (see `encodeNetwork`), or an Error saying which part is wrong. */
export function decodeNetwork(text) {
  const [first, ...rest] = String(text).split('_');
  const nums = (s, n) => {
    const v = s.split('.').map(Number);
    if (v.length !== n || v.some((x) => !Number.isInteger(x) || x < 0)) throw new Error(`"${s}" should be ${n} whole numbers separated by dots`);
    return v;
  };
  const input = nums(first, 3);
  const layers = rest.map((t) => {
    const [kind, body] = [t[0], t.slice(1)];
    if (kind === 'c') { const [f, s, p, filters] = nums(body, 4); return { type: 'conv', f, s, p, filters }; }
    if (kind === 'm' || kind === 'a') { const [f, s] = nums(body, 2); return { type: 'pool', mode: kind === 'a' ? 'avg' : 'max', f, s }; }
    if (t === 'f') return { type: 'flatten' };
    if (kind === 'd') return { type: 'dense', units: nums(body, 1)[0] };
    throw new Error(`"${t}" is not a layer: use c (conv), m or a (pool), f (flatten) or d (dense)`);
  });
  return { input, layers };
}

/**
 * Mounts the widget into `root`, using the wasm module's exports `api`. `options.net` (see
 * `encodeNetwork`) or `options.preset` chooses the network; `onState({ net })` reports changes.
 */
export function mountNetworkShapes(root, api, options = {}) {
  let state = copy(PRESETS['lecture-10']);
  let presetKey = 'lecture-10';
  let fromAddress = null;
  if (PRESETS[options.preset]) {
    presetKey = options.preset;
    state = copy(PRESETS[presetKey]);
  }
  if (options.net) {
    try {
      state = decodeNetwork(options.net);
      presetKey = Object.keys(PRESETS).find((k) => encodeNetwork(PRESETS[k]) === options.net) ?? 'custom';
    } catch (e) {
      fromAddress = `The network in the address could not be read (${e.message}); the lecture 10 network is shown instead.`;
    }
  }
  const presetSelect = h('select', { id: 'net-preset', 'aria-label': 'Network' },
    Object.entries(PRESETS).map(([key, p]) => h('option', { value: key }, p.label)), h('option', { value: 'custom', hidden: true }, 'Your network'));
  presetSelect.value = presetKey;
  const lesson = h('p', { class: 'explanation', id: 'net-lesson', 'aria-live': 'polite' });
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
    error, scrollX(table), total, lesson, compare);
  presetSelect.addEventListener('change', () => { state = copy(PRESETS[presetSelect.value]); render(); });

  function field(obj, key, label, id) {
    const input = h('input', { type: 'number', min: 0, step: 1, value: obj[key], id, class: 'num', 'aria-label': label });
    input.addEventListener('change', () => { obj[key] = input.valueAsNumber; render(); });
    return h('label', { class: 'field' }, `${key} `, input);
  }

  function render() {
    let steps = [];
    let totalParams = null;
    const preset = Object.keys(PRESETS).find((k) => encodeNetwork(PRESETS[k]) === encodeNetwork(state));
    presetSelect.value = preset ?? 'custom';
    try {
      ({ layers: steps, totalParams } = api.networkShapes(state.input, state.layers));
      error.clear();
    } catch (e) {
      error.show(e.message);
    }
    if (fromAddress) {
      error.show(fromAddress);
      fromAddress = null;
    }
    lesson.textContent = preset && PRESETS[preset].lesson && totalParams !== null ? PRESETS[preset].lesson(totalParams) : '';
    options.onState?.({ net: encodeNetwork(state) });
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
