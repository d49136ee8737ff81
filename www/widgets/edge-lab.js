// Widget: edge detection on images, lectures 02-03, and pooling of the result (lecture 09).
// One call per frame (`edgeMap`): Rust turns the pixels into a tensor, tract convolves it (valid:
// no padding, so no false edges along the border; the output is (h − f + 1) × (w − f + 1)) and
// optionally pools it, and Rust colours the result. A hovered pixel is explained by the reference
// (`explainConv`). This file moves pixels between canvases and the wasm module, and draws.

import { h, fmt, fmtFactor, renderKernelGrid, span, errorLine, sourceMemory } from '../lib/dom.js';
import { decodeImage, fetchJson, openCamera } from '../lib/media.js';
import { numbers, oneOf } from '../lib/options.js';

const GENERATED_SIZE = 256;

/**
 * Mounts the widget into `root`, using the wasm module's exports `api`. `options` (strings) may
 * set `image` (`gen:<name>`, `text` or `photo:<name>`), `filter`, `kernel` (9 or 25 values, a
 * custom kernel), `absolute` (`true`) and `pool` (`none`, `max`, `avg`); `onState` reports them.
 */
export function mountEdgeLab(root, api, options = {}) {
  const filters = api.filters();
  let photos = [];
  const custom = numbers(options.kernel, null);
  const named = filters.find((f) => f.name === options.filter);
  const state = {
    // { width, height, label } and either grey: Float32Array [1, h, w] (generated images) or
    // pixels: RGBA bytes (anything drawn on a canvas; its grey tensor is made on demand).
    image: null,
    filter: 'vertical',
    kernel: Float32Array.from(filters.find((f) => f.name === 'vertical').weights),
    f: 3,
    absolute: options.absolute === 'true',
    pool: oneOf(options.pool, ['none', 'max', 'avg'], 'none'), // 2x2, stride 2, after the filter
    camera: null, // from openCamera: { frames, since, stop() }
    saved: {}, // the last filter and kernel used at each kernel size, restored when it comes back
  };

  const sourceSelect = h('select', { id: 'edge-source', 'aria-label': 'Image source' },
    h('optgroup', { label: 'Generated' }, api.generatedImages().map((g) => h('option', { value: `gen:${g.name}` }, g.label)),
      h('option', { value: 'text' }, 'Text')),
    h('optgroup', { label: 'Your own' }, h('option', { value: 'file' }, 'Image file…'), h('option', { value: 'webcam' }, 'Webcam (live)')));
  const filterSelect = h('select', { id: 'edge-filter', 'aria-label': 'Filter' },
    filters.map((f) => h('option', { value: f.name }, f.label)), h('option', { value: 'custom' }, 'Custom (edit the kernel)'));
  const sizeSelect = h('select', { id: 'edge-kernel-size', 'aria-label': 'Custom kernel size' },
    h('option', { value: 3 }, '3×3'), h('option', { value: 5 }, '5×5'));
  const absolute = h('input', { type: 'checkbox', id: 'edge-abs' });
  const poolSelect = h('select', { id: 'edge-pool', 'aria-label': 'Pooling after the filter' },
    h('option', { value: 'none' }, 'none'), h('option', { value: 'max' }, 'max 2×2, s = 2'), h('option', { value: 'avg' }, 'average 2×2, s = 2'));
  const fileInput = h('input', { type: 'file', accept: 'image/*', id: 'edge-file', hidden: true });
  const kernelGrid = h('div', { class: 'grid kernel', id: 'edge-kernel', role: 'group', 'aria-label': 'Kernel' });
  const inputCanvas = h('canvas', { id: 'edge-input', width: 1, height: 1, role: 'img', 'aria-label': 'Input image' });
  const outputCanvas = h('canvas', { id: 'edge-output', width: 1, height: 1, role: 'img', 'aria-label': 'Filtered image' });
  const bar = h('div', { class: 'colour-bar', id: 'edge-bar' });
  const barLabels = h('div', { class: 'colour-labels', id: 'edge-bar-labels' });
  const notice = h('p', { class: 'notice', id: 'edge-notice', 'aria-live': 'polite' });
  const info = h('p', { class: 'explanation sum', id: 'edge-info', 'aria-live': 'polite' });
  const stats = h('p', { class: 'check', id: 'edge-stats' });
  const error = errorLine('edge-error', { stale: () => [outputCanvas, info, stats] });
  const caption = h('figcaption', { id: 'edge-output-caption' }, 'Output (computed by tract, valid convolution)');
  const stopButton = h('button', { type: 'button', id: 'edge-stop', hidden: true }, 'Stop webcam');

  root.append(
    h('div', { class: 'controls' },
      h('label', {}, 'Image ', sourceSelect), fileInput, stopButton,
      h('label', {}, 'Filter ', filterSelect),
      h('label', {}, 'Custom size ', sizeSelect),
      h('label', {}, absolute, ' absolute values'),
      h('label', {}, 'Then pool ', poolSelect)),
    error, notice,
    h('div', { class: 'equation' },
      h('figure', {}, h('figcaption', {}, 'Input (filtered as grey)'), inputCanvas),
      h('span', { class: 'op', 'aria-hidden': 'true' }, '∗'),
      h('figure', {}, h('figcaption', {}, 'Kernel'), kernelGrid),
      h('span', { class: 'op', 'aria-hidden': 'true' }, '='),
      h('figure', {}, caption, outputCanvas, bar, barLabels)),
    info, stats);

  const fail = error.show;

  // The select returns to the picture on screen when a file, photo or camera fails.
  const memory = sourceMemory(sourceSelect, fileInput);

  function setImage(image) {
    memory.shown();
    // A new picture: the last hover explanation was about the old one.
    if (state.image?.label !== image.label) info.textContent = '';
    state.image = image;
    const { width, height } = image;
    if (inputCanvas.width !== width || inputCanvas.height !== height) {
      inputCanvas.width = width;
      inputCanvas.height = height;
    }
    const rgba = image.pixels ?? api.heatmap(image.grey, true).rgba; // grey: magnitudes 0..max
    inputCanvas.getContext('2d').putImageData(new ImageData(rgba, width, height), 0, 0);
    run();
  }

  function loadGenerated(name) {
    const size = GENERATED_SIZE;
    setImage({ grey: api.generateImage(name, size), width: size, height: size, label: name });
  }

  /** The grey [1, h, w] tensor of the current image (computed on demand for canvas images). */
  function greyOf(image) {
    image.grey ??= api.imageToTensor(image.pixels, image.width, image.height, 1);
    return image.grey;
  }

  function loadText() {
    const canvas = new OffscreenCanvas(GENERATED_SIZE, GENERATED_SIZE);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, GENERATED_SIZE, GENERATED_SIZE);
    ctx.fillStyle = '#fff';
    ctx.font = 'bold 72px sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText('CNN', GENERATED_SIZE / 2, GENERATED_SIZE / 2);
    fromCanvas(ctx, GENERATED_SIZE, GENERATED_SIZE, 'text');
  }

  function fromCanvas(ctx, width, height, label) {
    const pixels = ctx.getImageData(0, 0, width, height).data;
    setImage({ pixels, width, height, label });
  }

  /**
   * Decodes an image file or blob called `name`, scales it to the limit if needed (with a notice)
   * and uses it; `credit` is appended to the notice (a photo's licence).
   */
  async function loadFile(file, name = file.name, credit = '') {
    stopCamera();
    let image;
    try {
      image = await decodeImage(file, api);
    } catch {
      // The select goes back to the picture still shown.
      memory.back();
      fail(`“${name}” is not an image this browser can decode (type ${file.type || 'unknown'}). Try a PNG, JPEG, GIF or WebP file.`);
      return;
    }
    const [w0, h0] = image.original;
    notice.textContent = (image.scaled
      ? `Scaled “${name}” from ${w0}×${h0} to ${image.width}×${image.height} (limit ${api.maxImageSide()} pixels per side).`
      : `“${name}”, ${w0}×${h0}.`) + credit;
    setImage({ pixels: image.pixels, width: image.width, height: image.height, label: name });
  }

  /** The sample photos listed in images/photos.json (see images/SOURCES.md for their licences). */
  async function addPhotos() {
    try {
      photos = await fetchJson(new URL('../images/photos.json', import.meta.url));
    } catch (e) {
      notice.textContent = `The sample photos could not be listed (${e.message}); generated images, files and the webcam still work.`;
      return;
    }
    sourceSelect.insertBefore(h('optgroup', { label: 'Photos (public domain / CC0)' },
      photos.map((p) => h('option', { value: `photo:${p.name}` }, p.label))), sourceSelect.children[1]);
  }

  async function loadPhoto(name) {
    const photo = photos.find((p) => p.name === name);
    try {
      const response = await fetch(new URL(`../${photo.file}`, import.meta.url));
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      await loadFile(await response.blob(), photo.label, ` Photo: ${photo.licence}.`);
    } catch (e) {
      memory.back();
      fail(`The photo “${photo.label}” could not be loaded (${e.message}).`);
    }
  }

  async function startCamera() {
    stopCamera();
    const camera = await openCamera((pixels, width, height) => setImage({ pixels, width, height, label: 'webcam' }), fail, 'pick another image');
    if (!camera) {
      memory.back();
      return;
    }
    state.camera = camera;
    stopButton.hidden = false;
    notice.textContent = 'Webcam frames are processed in this page only; nothing is sent anywhere.';
  }

  function stopCamera() {
    if (!state.camera) return;
    state.camera.stop();
    state.camera = null;
    stopButton.hidden = true;
  }

  function renderKernel() {
    renderKernelGrid(kernelGrid, state.kernel, state.f, (i, v) => {
      state.kernel[i] = v;
      state.filter = 'custom';
      filterSelect.value = 'custom';
      run();
    });
  }

  function run() {
    if (!state.image) return;
    const { grey, pixels, width, height } = state.image;
    try {
      const t0 = performance.now();
      const map = api.edgeMap({ rgba: pixels, grey, width, height, kernel: state.kernel, absolute: state.absolute, pool: state.pool });
      const t1 = performance.now();
      const [, oh, ow] = map.shape;
      if (outputCanvas.width !== ow || outputCanvas.height !== oh) {
        outputCanvas.width = ow;
        outputCanvas.height = oh;
      }
      outputCanvas.getContext('2d').putImageData(new ImageData(map.rgba, ow, oh), 0, 0);
      error.clear();
      outputCanvas.dataset.scale = map.scale;
      const [, ch, cw] = map.convShape;
      caption.textContent = state.pool === 'none'
        ? `Output ${cw}×${ch} (computed by tract, valid convolution)`
        : `Output ${cw}×${ch}, then ${state.pool === 'max' ? 'max' : 'average'} pooling → ${ow}×${oh} (both by tract)`;
      // The bar shows the colour map Rust paints with (image::heatmap_colour).
      bar.style.background = `linear-gradient(to right, ${(state.absolute ? [0, 0.5, 1] : [-1, 0, 1]).map((t) => api.heatmapColour(t, 1, state.absolute)).join(', ')})`;
      barLabels.replaceChildren(...(state.absolute ? [0, map.scale] : [-map.scale, 0, map.scale]).map((v) => h('span', {}, fmt(v))));
      const cam = state.camera;
      const fps = cam && cam.frames > 1 ? ` · ${(cam.frames / ((performance.now() - cam.since) / 1000)).toFixed(0)} frames/s` : '';
      stats.textContent = `${width}×${height} image, ${state.f}×${state.f} kernel: tract and colouring took ${(t1 - t0).toFixed(1)} ms${fps}`;
      stats.dataset.frames = cam ? cam.frames : 0;
      const source = sourceSelect.value;
      options.onState?.({
        image: source === 'file' || source === 'webcam' ? undefined : source,
        filter: state.filter === 'custom' ? undefined : state.filter,
        kernel: state.filter === 'custom' ? state.kernel : undefined,
        absolute: state.absolute || undefined,
        pool: state.pool,
      });
    } catch (e) {
      fail(e.message);
    }
  }

  function explainAt(event) {
    if (!state.image) return;
    // offsetX/Y and clientWidth/Height are both in the canvas's padding box (border excluded).
    const x = Math.floor((event.offsetX / outputCanvas.clientWidth) * outputCanvas.width);
    const y = Math.floor((event.offsetY / outputCanvas.clientHeight) * outputCanvas.height);
    if (x < 0 || y < 0 || x >= outputCanvas.width || y >= outputCanvas.height) return;
    if (state.pool !== 'none') {
      info.textContent = 'Set pooling to “none” to see how a single output pixel is computed.';
      return;
    }
    const { width, height } = state.image;
    try {
      const options = { input: greyOf(state.image), inputShape: [1, height, width], weight: state.kernel, weightShape: [1, 1, state.f, state.f] };
      const t = api.explainConv(options, [y, x]);
      const f0 = t.filters[0];
      const terms = f0.terms.map((term) => `${fmtFactor(term.input)}·${fmtFactor(term.weight)}`);
      const w = t.window;
      info.textContent = `Output pixel (row ${y + 1}, column ${x + 1}) reads grey input rows ${span(w.start[0], w.size[0])}, columns ${span(w.start[1], w.size[1])}: ${terms.join(' + ')} = ${fmt(f0.sum)}`;
    } catch (e) {
      fail(e.message);
    }
  }

  sourceSelect.addEventListener('change', () => {
    const v = sourceSelect.value;
    error.clear();
    if (v === 'file') { fileInput.click(); return; }
    if (v === 'webcam') { startCamera(); return; }
    stopCamera();
    notice.textContent = '';
    if (v === 'text') loadText();
    else if (v.startsWith('photo:')) loadPhoto(v.slice(6));
    else loadGenerated(v.slice(4));
  });
  fileInput.addEventListener('change', async () => {
    if (fileInput.files[0]) await loadFile(fileInput.files[0]);
  });
  root.addEventListener('dragover', (e) => { e.preventDefault(); root.classList.add('dragging'); });
  root.addEventListener('dragleave', () => root.classList.remove('dragging'));
  root.addEventListener('drop', (e) => {
    e.preventDefault();
    root.classList.remove('dragging');
    const file = e.dataTransfer?.files?.[0];
    if (file) {
      sourceSelect.value = 'file';
      loadFile(file);
    }
  });
  filterSelect.addEventListener('change', () => {
    if (filterSelect.value === 'custom') return;
    const f = filters.find((x) => x.name === filterSelect.value);
    Object.assign(state, { filter: f.name, kernel: Float32Array.from(f.weights), f: f.size });
    sizeSelect.value = String(f.size);
    renderKernel();
    run();
  });
  sizeSelect.addEventListener('change', () => {
    const f = Number(sizeSelect.value);
    // Remember this size's filter and kernel; bring back what the new size had, or a fresh custom
    // kernel with 1 in the centre (identity) for the learner to edit.
    state.saved[state.f] = { filter: state.filter, kernel: state.kernel };
    const back = state.saved[f];
    if (back) {
      Object.assign(state, { filter: back.filter, f, kernel: back.kernel });
    } else {
      Object.assign(state, { filter: 'custom', f, kernel: new Float32Array(f * f) });
      state.kernel[(f * f - 1) / 2] = 1;
    }
    filterSelect.value = state.filter;
    renderKernel();
    run();
  });
  absolute.addEventListener('change', () => { state.absolute = absolute.checked; run(); });
  poolSelect.addEventListener('change', () => { state.pool = poolSelect.value; info.textContent = ''; run(); });
  stopButton.addEventListener('click', () => { stopCamera(); sourceSelect.value = 'gen:bright-left'; loadGenerated('bright-left'); });
  outputCanvas.addEventListener('mousemove', explainAt);

  if (custom && (custom.length === 9 || custom.length === 25)) {
    Object.assign(state, { filter: 'custom', f: Math.sqrt(custom.length), kernel: Float32Array.from(custom) });
  } else if (named) {
    Object.assign(state, { filter: named.name, f: named.size, kernel: Float32Array.from(named.weights) });
  }
  filterSelect.value = state.filter;
  sizeSelect.value = String(state.f);
  absolute.checked = state.absolute;
  poolSelect.value = state.pool;
  renderKernel();
  const image = options.image ?? 'gen:bright-left';
  if (image === 'text') {
    sourceSelect.value = 'text';
    loadText();
  } else if (image.startsWith('gen:') && [...sourceSelect.options].some((o) => o.value === image)) {
    sourceSelect.value = image;
    loadGenerated(image.slice(4));
  } else {
    loadGenerated('bright-left');
  }
  addPhotos().then(() => {
    if (image.startsWith('photo:') && [...sourceSelect.options].some((o) => o.value === image)) {
      sourceSelect.value = image;
      loadPhoto(image.slice(6));
    }
  });
}
