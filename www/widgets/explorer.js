// Widget: the model explorer (lectures 13-18 and any ONNX CNN). Pick a bundled model, one of the
// classic architectures (analysed by shape, never run), a file of your own, or a model URL given
// as ?model=… in the page address. The layer table (`Model.layers()`, `analyseArchitecture`) and the
// feature maps (`Model.featureMaps`, taken from the real graph) come from tract; this file draws.
// Below them, lecture 39's "what deep ConvNets learn": for a layer and channel, the input patches
// (receptive fields) of a set of inputs that activate it most (`Model.topActivations`).

import { h, errorLine, scrollX, sourceMemory } from '../lib/dom.js';
import { decodeImage, downloadBar, fetchBytes, fetchJson } from '../lib/media.js';
import { fetchWithProgress } from '../lib/loader.js';
import { RemoteModel, remoteStructure } from '../lib/remote-model.js';
import { modelBytes } from '../lib/models.js';
import { drawingPad } from '../lib/pad.js';

const BUNDLED = {
  'lenet5-digits': { label: 'LeNet-5 trained on digits (runs)', file: 'lenet5-digits.onnx' },
  'shapes-detector': { label: 'Shapes detector, tiny YOLO (runs)', file: 'shapes-detector.onnx' },
  'sliding-windows': { label: 'Sliding-windows classifier on 28×28 (runs)', file: 'sliding-windows.onnx', shape: [1, 3, 28, 28] },
  'face-detector': { label: 'Tiny Face Detector (runs)', file: 'face-detector.onnx' },
};
const MAX_TILES = 32;
// The side of the drawing pad, in canvas pixels.
const PAD = 160;
const TOP = 9;
// Inputs searched for lecture 39: the 360 held-out digits for a 32x32 grey model, otherwise
// generated scenes, as many as fit about 2 million input values (8 at least).
const sceneCount = (c, hh, ww) => Math.max(8, Math.min(100, Math.floor(2e6 / (c * hh * ww))));
const number = (n) => n.toLocaleString('en');
/** A shape as the course writes it: `[1, c, h, w]` → `h×w×c` (55×55×96), `[1, n]` → `n`. */
const courseShape = (s) => (s.length === 4 && s[0] === 1 ? `${s[2]}×${s[3]}×${s[1]}` : s.length === 2 && s[0] === 1 ? String(s[1]) : `[${s.join(', ')}]`);

/** A conv's or pool's window as the course writes it: `f×f, s, p` (padding per side if uneven). */
function windowText(w) {
  if (!w) return '';
  const [top, bottom, left, right] = w.padding;
  const pad = top === bottom && left === right && top === left ? `p ${top}` : `p ${top},${bottom},${left},${right}`;
  const stride = w.stride[0] === w.stride[1] ? `s ${w.stride[0]}` : `s ${w.stride.join('×')}`;
  const dilation = w.dilation.some((d) => d !== 1) ? `, d ${w.dilation.join('×')}` : '';
  return `${w.kernel.join('×')}, ${stride}, ${pad}${dilation}`;
}

/**
 * Mounts the widget into `root`, using the wasm module's exports `api`. `options.model` (or
 * `options.src`) names a bundled model (`lenet5-digits`, …), an architecture (`arch:vgg16`) or the
 * address of an ONNX file, resolved against the page; `onState({ model })` reports the choice.
 */
export function mountExplorer(root, api, options = {}) {
  const state = { model: null, layers: [], maps: [], focus: null, photos: [], picture: null };
  const select = h('select', { id: 'explorer-model', 'aria-label': 'Model' },
    h('optgroup', { label: 'Trained models (run by tract)' }, Object.entries(BUNDLED).map(([k, m]) => h('option', { value: `bundled:${k}` }, m.label))),
    h('optgroup', { label: 'Architectures (shapes and counts only)' }, api.architectures().map((a) => h('option', { value: `arch:${a.name}` }, a.label))),
    h('option', { value: 'file' }, 'Your ONNX file…'));
  const fileInput = h('input', { type: 'file', accept: '.onnx', id: 'explorer-file', hidden: true });
  // What the feature maps are of: a generated sample, a bundled photo, the learner's drawing or
  // image.
  const inputSelect = h('select', { id: 'explorer-input', 'aria-label': 'Input the feature maps are of' },
    h('option', { value: 'sample' }, 'a generated sample'), h('option', { value: 'draw' }, 'your drawing'), h('option', { value: 'file' }, 'your image…'));
  const imageInput = h('input', { type: 'file', accept: 'image/*', id: 'explorer-image-file', hidden: true });
  let redraw = 0;
  const pad = drawingPad({ id: 'explorer-pad', size: PAD, label: 'Draw the input here', lineWidth: 14,
    // The maps follow the drawing once a stroke pauses (each refresh runs the whole model).
    onChange: () => { clearTimeout(redraw); redraw = setTimeout(refreshMaps, 150); } });
  const padClear = h('button', { type: 'button', id: 'explorer-pad-clear' }, 'Clear');
  const padBox = h('div', { class: 'controls', id: 'explorer-pad-box', hidden: true }, pad.canvas,
    h('p', { class: 'notice' }, 'Draw with the mouse, a pen or a finger. A one-channel 32×32 model (LeNet-5) sees the drawing as the digit pad makes it; other models see it as a picture.'), padClear);
  const nchw = h('input', { type: 'checkbox', id: 'explorer-nchw' });
  const status = h('p', { class: 'notice', id: 'explorer-status', 'aria-live': 'polite' });
  const table = h('table', { class: 'shapes', id: 'explorer-table' });
  const maps = h('div', { class: 'feature-maps', id: 'explorer-maps' });
  const large = h('canvas', { id: 'explorer-large', width: 1, height: 1, hidden: true, role: 'img', 'aria-label': 'The chosen feature map, large' });
  const value = h('p', { class: 'formula', id: 'explorer-value', 'aria-live': 'polite' });
  const error = errorLine('explorer-error');
  const learnLayer = h('select', { id: 'learn-layer', 'aria-label': 'Layer' });
  const learnChannel = h('input', { id: 'learn-channel', type: 'number', min: 1, value: 1, 'aria-label': 'Channel' });
  const learnButton = h('button', { type: 'button', id: 'learn-run' }, 'Find the strongest patches');
  const learnStatus = h('p', { class: 'notice', id: 'learn-status', 'aria-live': 'polite' });
  const patches = h('div', { class: 'patches', id: 'learn-patches' });
  const learn = h('div', { class: 'learn', id: 'learn', hidden: true },
    h('h3', {}, 'What deep ConvNets learn (lecture 39)'),
    h('p', {}, 'For one channel of one layer, the inputs that activate it most, cut to the patch of the input its strongest position sees (its receptive field, composed from the kernels, strides and padding on the way). Early layers answer to strokes and edges, deeper ones to larger parts.'),
    h('div', { class: 'controls' }, h('label', {}, 'Layer ', learnLayer), h('label', {}, 'Channel ', learnChannel), learnButton),
    learnStatus, patches);
  root.append(h('div', { class: 'controls' }, h('label', {}, 'Model ', select), fileInput,
    h('label', {}, 'Feature maps of ', inputSelect), imageInput, h('label', {}, nchw, ' shapes as NCHW')), padBox, error, status, scrollX(table),
    h('div', { class: 'equation' }, maps, h('figure', {}, large, value)), learn);

  const fail = error.show;

  function renderTable(layers, title) {
    const rows = layers.map((l, i) => h('tr', { dataset: { layer: i } },
      h('td', {}, String(i + 1)), h('td', {}, l.name), h('td', {}, l.op),
      h('td', { dataset: { shape: '' }, title: `NCHW [${Array.from(l.outputShape).join(', ')}]` }, nchw.checked ? `[${Array.from(l.outputShape).join(', ')}]` : courseShape(Array.from(l.outputShape))),
      h('td', { class: 'window' }, windowText(l.window)),
      h('td', { class: 'num' }, number(l.params)), h('td', { class: 'num' }, number(l.macs))));
    const params = layers.reduce((s, l) => s + l.params, 0);
    const macs = layers.reduce((s, l) => s + l.macs, 0);
    table.replaceChildren(
      h('caption', {}, title),
      h('tr', {}, ...['#', 'layer', 'op', nchw.checked ? 'output (NCHW)' : 'output (h×w×c)', 'window', 'parameters', 'multiply-adds'].map((t) => h('th', {}, t))),
      ...rows,
      h('tr', { class: 'total' }, h('td', {}, ''), h('td', {}, 'total'), h('td', {}, ''), h('td', {}, ''), h('td', {}, ''),
        h('td', { class: 'num', id: 'explorer-total-params' }, number(params)), h('td', { class: 'num', id: 'explorer-total-macs' }, number(macs))));
    if (!layers.some((l) => l.op === 'Conv')) {
      fail('This model has no convolution (Conv) layer, so it is not a CNN; its layers are listed, but there are no feature maps to show.');
    }
  }

  function renderMaps() {
    maps.replaceChildren(...state.maps.map((m, index) => {
      const layer = state.layers[m.layer];
      const [, c, hh, ww] = m.shape;
      const shown = Math.min(c, MAX_TILES);
      const tiles = Array.from({ length: shown }, (_, k) => {
        const tile = h('canvas', { width: ww, height: hh, class: 'map', tabindex: 0, role: 'button',
          'aria-label': `${layer.name} channel ${k + 1}`, dataset: { map: index, channel: k } });
        const heat = api.heatmap(m.data.subarray(k * hh * ww, (k + 1) * hh * ww), false);
        tile.getContext('2d').putImageData(new ImageData(heat.rgba, ww, hh), 0, 0);
        const open = () => showLarge(index, k);
        tile.addEventListener('click', open);
        tile.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); open(); } });
        return tile;
      });
      return h('figure', { class: 'layer', dataset: { layer: m.layer } },
        h('figcaption', {}, `${layer.op} ${layer.name}: ${hh}×${ww}×${c}${c > shown ? ` (first ${shown} channels)` : ''}`), h('div', { class: 'tiles' }, tiles));
    }));
  }

  function showLarge(index, k) {
    const m = state.maps[index];
    const [, , hh, ww] = m.shape;
    const plane = m.data.subarray(k * hh * ww, (k + 1) * hh * ww);
    const heat = api.heatmap(plane, false);
    large.width = ww;
    large.height = hh;
    large.hidden = false;
    large.getContext('2d').putImageData(new ImageData(heat.rgba, ww, hh), 0, 0);
    state.focus = { index, k, plane, hh, ww, name: state.layers[m.layer].name };
    value.textContent = `${state.focus.name}, channel ${k + 1}: values ${heat.min.toFixed(3)} to ${heat.max.toFixed(3)}; move over the map to read them.`;
    learnLayer.value = String(m.layer);
    learnChannel.max = m.shape[1];
    learnChannel.value = String(k + 1);
    findPatches();
  }

  /** The set of inputs lecture 39 searches for the current model: `{ inputs, count, label }`. */
  async function inputSet() {
    const [, c, hh, ww] = state.model.inputShape();
    const key = `${c}x${hh}x${ww}`;
    if (state.inputSet?.key === key) return state.inputSet;
    if (c === 1 && hh === 32 && ww === 32) {
      const digits = api.digitSet(await modelBytes('digits-heldout.bin'));
      state.inputSet = { key, inputs: digits.inputs, count: digits.count, label: 'held-out digits' };
    } else {
      const count = sceneCount(c, hh, ww);
      const inputs = c === 3 ? api.sceneInputs(count, hh, ww) : null;
      state.inputSet = { key, inputs, count, label: 'generated scenes' };
    }
    return state.inputSet;
  }

  async function findPatches() {
    const layerIndex = Number(learnLayer.value);
    const layer = state.layers[layerIndex];
    if (!state.model || !layer) return;
    const channel = Number(learnChannel.value) - 1;
    try {
      const set = await inputSet();
      if (!set.inputs) throw new Error('this model\'s input is neither a 32×32 grey digit nor an RGB image, so there is no input set to search');
      const t0 = performance.now();
      const top = await state.model.topActivations(set.inputs, layerIndex, channel, TOP);
      const rf = layer.receptiveField;
      const field = rf ? `each position sees ${rf.rows.size}×${rf.columns.size} input pixels, ${rf.rows.jump} apart` : 'its receptive field is not known, so the whole input is shown';
      learnStatus.textContent = `${layer.op} ${layer.name}, channel ${channel + 1}: the ${top.length} strongest of ${set.count} ${set.label} (${(performance.now() - t0).toFixed(0)} ms); ${field}.`;
      patches.replaceChildren(...top.map((t) => {
        const canvas = h('canvas', { width: t.patch.width, height: t.patch.height, class: 'patch', role: 'img',
          'aria-label': `input ${t.input + 1}, activation ${t.value.toFixed(2)}` });
        canvas.getContext('2d').putImageData(new ImageData(t.patch.rgba, t.patch.width, t.patch.height), 0, 0);
        const [top_, left] = t.window.start;
        return h('figure', { class: 'patch', dataset: { input: t.input, value: t.value } }, canvas,
          h('figcaption', {}, `${t.value.toFixed(2)} · #${t.input + 1}`, h('br'), `rows ${top_}…${top_ + t.window.size[0] - 1}, cols ${left}…${left + t.window.size[1] - 1}`));
      }));
    } catch (e) {
      patches.replaceChildren();
      learnStatus.textContent = `No patches: ${e.message}`;
    }
  }

  function fillLearnLayers() {
    const options = state.maps.map((m) => {
      const l = state.layers[m.layer];
      return h('option', { value: m.layer }, `${m.layer + 1}. ${l.op} ${l.name} (${m.shape[1]} channels)`);
    });
    learnLayer.replaceChildren(...options);
    learn.hidden = options.length === 0;
    patches.replaceChildren();
    learnStatus.textContent = options.length ? 'Choose a layer and channel (or click a feature map above).' : '';
    const first = state.maps[0];
    if (first) learnChannel.max = first.shape[1];
  }
  learnLayer.addEventListener('change', () => {
    const m = state.maps.find((x) => x.layer === Number(learnLayer.value));
    learnChannel.max = m.shape[1];
    learnChannel.value = '1';
    findPatches();
  });
  learnChannel.addEventListener('change', findPatches);
  learnButton.addEventListener('click', findPatches);

  large.addEventListener('mousemove', (event) => {
    const f = state.focus;
    if (!f) return;
    const x = Math.min(f.ww - 1, Math.floor((event.offsetX / large.clientWidth) * f.ww));
    const y = Math.min(f.hh - 1, Math.floor((event.offsetY / large.clientHeight) * f.hh));
    value.textContent = `${f.name}, channel ${f.k + 1}, row ${y + 1}, column ${x + 1}: ${f.plane[y * f.ww + x].toFixed(4)}`;
  });

  /**
   * Loads ONNX `bytes` called `name` (optionally at `shape`) in the model worker (a file that traps
   * tract ends that worker, not the page), lists its layers, runs it.
   */
  async function useModel(bytes, name, shape) {
    error.clear();
    state.maps = [];
    maps.replaceChildren();
    large.hidden = true;
    value.textContent = '';
    const megabytes = (bytes.length / 1e6).toFixed(0);
    status.replaceChildren(`${name}: tract is reading ${megabytes} MB… `, h('progress', { id: 'explorer-progress', 'aria-label': `Reading ${name}` }));
    if (bytes.length > api.maxRunBytes()) {
      await useStructure(bytes, name, megabytes);
      return;
    }
    try {
      const t0 = performance.now();
      const model = await RemoteModel.load(bytes, shape);
      const loadMs = performance.now() - t0;
      state.model?.free();
      state.model = model;
      state.layers = model.layers();
      renderTable(state.layers, `${name}: input [${model.inputShape().join(', ')}] → output [${model.outputShape().join(', ')}]`);
      const input = await chosenInput(model.inputShape());
      const t1 = performance.now();
      state.maps = await model.featureMaps(input);
      status.textContent = `${name}: loaded and optimised by tract in ${loadMs.toFixed(0)} ms; ${state.maps.length} feature maps of a sample input in ${(performance.now() - t1).toFixed(0)} ms. Click a map to see it large.`;
      renderMaps();
      fillLearnLayers();
    } catch (e) {
      table.replaceChildren();
      state.maps = [];
      state.model?.free();
      state.model = null;
      fillLearnLayers();
      status.textContent = '';
      fail(`${name}: ${e.message}`);
    }
  }

  /** The input the feature maps are of, at the model's input `shape`. */
  async function chosenInput(shape) {
    const source = inputSelect.value;
    if (source === 'draw') {
      // A one-channel 32×32 model is LeNet-5's kind: the drawing as the digit pad turns it into a
      // digit (Rust's digitFromDrawing), blank while nothing is drawn.
      if (shape.join() === '1,1,32,32') return api.digitFromDrawing(pad.pixels(), PAD, PAD)?.input ?? new Float32Array(32 * 32);
      return api.modelInputFromImage(pad.pixels(), PAD, PAD, shape);
    }
    if (source.startsWith('photo:')) {
      const photo = state.photos.find((p) => p.name === source.slice(6));
      state.picture = await decodeImage(new Blob([await fetchBytes(new URL(`../${photo.file}`, import.meta.url))]), api);
    }
    if (source !== 'sample' && state.picture) {
      return api.modelInputFromImage(state.picture.pixels, state.picture.width, state.picture.height, shape);
    }
    return api.sampleInput(shape);
  }

  /** The feature maps again, of the input now chosen. */
  async function refreshMaps() {
    if (!state.model) return;
    try {
      error.clear();
      const t0 = performance.now();
      state.maps = await state.model.featureMaps(await chosenInput(state.model.inputShape()));
      status.textContent = `${state.maps.length} feature maps of ${inputSelect.selectedOptions[0].textContent} in ${(performance.now() - t0).toFixed(0)} ms. Click a map to see it large.`;
      large.hidden = true;
      renderMaps();
      fillLearnLayers();
    } catch (e) {
      fail(`The feature maps could not be computed.\n${e.message}`);
    }
  }

  /** A file too large to run: its layer table from the file without its weights. */
  async function useStructure(bytes, name, megabytes) {
    state.model?.free();
    state.model = null;
    fillLearnLayers();
    try {
      const t0 = performance.now();
      const s = await remoteStructure(bytes);
      state.layers = s.layers;
      renderTable(s.layers, `${name}: input [${s.inputShape.join(', ')}] → output [${s.outputShape.join(', ')}] (structure only)`);
      status.textContent = `${name}: ${megabytes} MB is more than the ${(api.maxRunBytes() / 2 ** 20).toFixed(0)} MiB the playground can run in a browser, so tract read its structure, shapes and counts without the weights (${(performance.now() - t0).toFixed(0)} ms); it is not run.`;
    } catch (e) {
      table.replaceChildren();
      status.textContent = '';
      fail(`${name}: ${e.message}`);
    }
  }

  /** A model from an address (not kept: it may be hundreds of megabytes). */
  async function useUrl(url, name, shape) {
    const bar = downloadBar(status, `Downloading ${name}`);
    try {
      const bytes = await fetchWithProgress(url, bar.update).finally(bar.done);
      await useModel(bytes, name, shape);
    } catch (e) {
      fail(`${name} could not be fetched (${e.message}).`);
    }
  }

  /** Bundled model `key`, from the page's one model cache (other widgets load the same files). */
  async function useBundled(key) {
    const { file, label, shape } = BUNDLED[key];
    try {
      // A copy: the worker takes the bytes it is handed, and the cache keeps its own.
      const bytes = (await modelBytes(file, { anchor: status, label: `Downloading ${label}` })).slice();
      await useModel(bytes, label, shape);
    } catch (e) {
      fail(`${label} could not be fetched (${e.message}).`);
    }
  }

  function useArchitecture(name, label) {
    error.clear();
    maps.replaceChildren();
    large.hidden = true;
    state.maps = [];
    state.model?.free();
    state.model = null;
    fillLearnLayers();
    try {
      const t0 = performance.now();
      state.layers = api.analyseArchitecture(name);
      renderTable(state.layers, `${label}: built in Rust with weights declared by shape only`);
      status.textContent = `${label}: shapes, parameters and multiply-adds from tract's analysis in ${(performance.now() - t0).toFixed(0)} ms; the weights are never allocated, so it is not run.`;
    } catch (e) {
      fail(e.message);
    }
  }

  function choose(value_) {
    if (value_ === 'file') { fileInput.click(); return; }
    const [kind, key] = value_.split(':');
    if (kind === 'bundled') useBundled(key);
    else useArchitecture(key, api.architectures().find((a) => a.name === key).label);
  }

  const pictureMemory = sourceMemory(inputSelect, imageInput);
  padClear.addEventListener('click', () => { pad.clear(); refreshMaps(); });
  inputSelect.addEventListener('change', () => {
    // Picking "your image…" keeps the pad until an image is read (a cancel goes back to it).
    if (inputSelect.value === 'file') { imageInput.click(); return; }
    padBox.hidden = inputSelect.value !== 'draw';
    state.picture = null;
    refreshMaps().then(() => pictureMemory.shown());
  });
  imageInput.addEventListener('change', async () => {
    const file = imageInput.files[0];
    if (!file) return;
    try {
      state.picture = await decodeImage(file, api);
      inputSelect.value = 'file';
      padBox.hidden = true;
      pictureMemory.shown();
      await refreshMaps();
    } catch (e) {
      pictureMemory.back();
      fail(`“${file.name}” is not an image this browser can decode.\n${e.message}`);
    }
  });
  nchw.addEventListener('change', () => {
    if (state.layers.length) renderTable(state.layers, table.querySelector('caption')?.textContent ?? '');
  });
  fetchJson(new URL('../images/photos.json', import.meta.url)).then((photos) => {
    state.photos = photos;
    inputSelect.insertBefore(h('optgroup', { label: 'Photos' }, photos.map((p) => h('option', { value: `photo:${p.name}` }, `the ${p.label.toLowerCase()} photo`))), inputSelect.lastChild);
  }).catch(() => {});

  select.addEventListener('change', () => {
    choose(select.value);
    if (select.value !== 'file') options.onState?.({ model: select.value.replace(/^bundled:/, '') });
  });
  fileInput.addEventListener('change', async () => {
    const file = fileInput.files[0];
    if (file) await useModel(new Uint8Array(await file.arrayBuffer()), file.name);
  });
  root.addEventListener('dragover', (e) => e.preventDefault());
  root.addEventListener('drop', async (e) => {
    e.preventDefault();
    const file = e.dataTransfer?.files?.[0];
    if (file) await useModel(new Uint8Array(await file.arrayBuffer()), file.name);
  });

  const fromPage = options.model ?? options.src;
  const known = BUNDLED[fromPage] ? `bundled:${fromPage}` : [...select.options].find((o) => o.value === fromPage)?.value;
  if (known) {
    select.value = known;
    const [kind, key] = known.split(':');
    if (kind === 'bundled') useBundled(key).then(() => { root.dataset.ready = 'true'; });
    else {
      choose(known);
      root.dataset.ready = 'true';
    }
  } else if (fromPage) {
    select.prepend(h('option', { value: 'url' }, `From the address: ${fromPage}`));
    select.value = 'url';
    useUrl(new URL(fromPage, location.href), fromPage).then(() => { root.dataset.ready = 'true'; });
  } else {
    useBundled('lenet5-digits').then(() => { root.dataset.ready = 'true'; });
  }
}
