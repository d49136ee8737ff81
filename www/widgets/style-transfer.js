// Widget: neural style transfer, lectures 38-42. The content image C, the style image S and the
// generated image G go through the first layers of a trained CNN bundled with the project (the
// sliding-windows classifier: conv 5×5 ×16 → ReLU → max pool). tract computes the activations and
// the costs (`styleCosts`); gradient descent on G runs the plain-Rust backward pass
// (`StyleTransfer`). Both run in a worker of their own (lib/remote-model.js `RemoteStyle`), so the
// iterations never block the page; Gram matrices, costs and images are drawn here. Images never
// leave the page.

import { h, errorLine, wholeNumber, sourceMemory } from '../lib/dom.js';
import { decodeImage, fetchBytes, fetchJson, snapshot } from '../lib/media.js';
import { loadRemoteStyle, modelBytes } from '../lib/models.js';

const SIZE = 128;
// Iterations per message to the worker (about 12 ms each): G is redrawn after each batch.
const STEPS_PER_MESSAGE = 4;

/** Mounts the widget into `root`, using the wasm module's exports `api`. */
export function mountStyleTransfer(root, api) {
  const state = { bytes: null, style: null, images: {}, running: false, photos: [] };

  const status = h('p', { class: 'notice', id: 'style-status', role: 'status' }, 'Loading the network…');
  const contentSelect = h('select', { id: 'style-content', 'aria-label': 'Content image C' });
  const styleSelect = h('select', { id: 'style-style', 'aria-label': 'Style image S' });
  const fileInput = h('input', { type: 'file', accept: 'image/*', id: 'style-file', hidden: true });
  const snapButton = h('button', { type: 'button', id: 'style-snap' }, 'A webcam frame as C');
  const contentLayer = h('select', { id: 'style-content-layer', 'aria-label': 'Content layer' },
    h('option', { value: 'relu' }, 'ReLU of conv 1 (124×124×16)'), h('option', { value: 'pool' }, 'max pool (62×62×16)'));
  const lambdaRelu = h('input', { type: 'range', id: 'style-lambda-relu', min: 0, max: 1, step: 0.05, value: 0.5, 'aria-label': 'λ of the ReLU layer' });
  const logBeta = h('input', { type: 'range', id: 'style-log-beta', min: 2, max: 10, step: 0.5, value: 9, 'aria-label': 'log₁₀ β' });
  const betaValue = h('output', { for: 'style-log-beta' });
  const startSelect = h('select', { id: 'style-start', 'aria-label': 'Start G from' }, h('option', { value: 'content' }, 'C'), h('option', { value: 'noise' }, 'noise'));
  const stepsInput = h('input', { type: 'number', id: 'style-steps', min: 1, max: 2000, value: 100, class: 'num', 'aria-label': 'Iterations' });
  const runButton = h('button', { type: 'button', id: 'style-run' }, 'Generate G');
  const stopButton = h('button', { type: 'button', id: 'style-stop', hidden: true }, 'Stop');
  const progress = h('progress', { id: 'style-progress', max: 100, value: 0, hidden: true, 'aria-label': 'Gradient descent progress' });
  const canvases = Object.fromEntries(['content', 'style', 'generated'].map((k) => [k, h('canvas', { width: SIZE, height: SIZE, id: `style-${k}-image`, class: 'style-image', role: 'img', 'aria-label': `${k} image` })]));
  const grams = Object.fromEntries(['style', 'generated'].map((k) => [k, h('canvas', { width: 16, height: 16, id: `style-gram-${k}`, class: 'gram', role: 'img', 'aria-label': `Gram matrix of ${k === 'style' ? 'S' : 'G'}` })]));
  const costs = h('p', { class: 'formula', id: 'style-costs', 'aria-live': 'polite' });
  const check = h('p', { class: 'check', id: 'style-check' });
  const error = errorLine('style-error', { stale: () => [canvases.generated, grams.generated, costs] });

  root.append(status,
    h('div', { class: 'controls' }, h('label', {}, 'Content C ', contentSelect), snapButton, h('label', {}, 'Style S ', styleSelect), fileInput),
    h('div', { class: 'controls' }, h('label', {}, 'Content layer ', contentLayer), h('label', {}, 'λ ReLU ', lambdaRelu, ' (the max pool gets 1 − λ)'),
      h('label', {}, 'β = 10^', logBeta, betaValue, ' (α = 1)')),
    h('div', { class: 'controls' }, h('label', {}, 'Start G from ', startSelect), h('label', {}, 'Iterations ', stepsInput), runButton, stopButton, progress), error,
    h('div', { class: 'equation' },
      h('figure', {}, h('figcaption', {}, 'C'), canvases.content),
      h('figure', {}, h('figcaption', {}, 'S'), canvases.style),
      h('figure', {}, h('figcaption', {}, 'G'), canvases.generated),
      h('figure', {}, h('figcaption', {}, 'Gram G(S), ReLU layer'), grams.style),
      h('figure', {}, h('figcaption', {}, 'Gram G(G), ReLU layer'), grams.generated)),
    costs, check,
    h('p', { class: 'notice' }, 'Your images stay in this page: nothing is sent anywhere.'));

  const fail = error.show;
  const beta = () => 10 ** Number(logBeta.value);
  const lambdas = () => [Number(lambdaRelu.value), 1 - Number(lambdaRelu.value)];

  function draw(canvas, tensor) {
    canvas.getContext('2d').putImageData(new ImageData(api.imageFromTensor(tensor, SIZE, SIZE), SIZE, SIZE), 0, 0);
  }

  function drawGram(canvas, data) {
    canvas.getContext('2d').putImageData(new ImageData(api.heatmap(data, true).rgba, 16, 16), 0, 0);
  }

  /** J by tract's activations of C, S and G (the check on the Rust forward pass), in the worker. */
  function tractCosts(generated) {
    const [a, b] = lambdas();
    const { relu, pool } = state.style;
    return state.style.costs({
      content: state.images.content, style: state.images.style, generated,
      contentLayer: contentLayer.value === 'relu' ? relu : pool,
      styleLayers: [{ layer: relu, lambda: a }, { layer: pool, lambda: b }], alpha: 1, beta: beta(),
    });
  }

  function show(c, byTract) {
    costs.textContent = `J(G) = α·J_content + β·J_style = ${c.content.toFixed(3)} + 10^${logBeta.value}·(${lambdas()[0].toFixed(2)}·${c.styleLayers[0].toExponential(3)} + ${lambdas()[1].toFixed(2)}·${c.styleLayers[1].toExponential(3)}) = ${c.total.toFixed(3)}`;
    costs.dataset.total = c.total;
    if (byTract) check.textContent = `The same J from tract's activations: ${byTract.total.toFixed(3)} (content ${byTract.content.toFixed(3)}).`;
    check.dataset.tract = byTract?.total ?? '';
  }

  /** Draws G and its Gram matrix (and S's) from the worker's `snap`. */
  function drawSnap(snap) {
    draw(canvases.generated, snap.image);
    drawGram(grams.style, snap.grams.style);
    drawGram(grams.generated, snap.grams.generated);
  }

  // Each refresh supersedes the previous: an answer for an older one is not drawn.
  let generation = 0;
  /** Starts a new G from the current images and settings and shows its costs. */
  async function refresh() {
    betaValue.textContent = logBeta.value;
    if (!state.style || !state.images.content || !state.images.style) return;
    const mine = ++generation;
    try {
      error.clear();
      const [a, b] = lambdas();
      const snap = await state.style.start({
        model: state.bytes, node: '/conv1/Conv', size: SIZE, content: state.images.content, style: state.images.style,
        contentLayer: contentLayer.value, styleLayers: [{ layer: 'relu', lambda: a }, { layer: 'pool', lambda: b }],
        alpha: 1, beta: beta(), start: startSelect.value, seed: 1, rate: 0.02,
      });
      const byTract = await tractCosts(snap.image);
      if (mine !== generation) return;
      drawSnap(snap);
      show(snap.costs, byTract);
      return snap.costs;
    } catch (e) {
      fail(e);
    }
  }

  async function run() {
    if (state.running) return;
    let total;
    try {
      total = wholeNumber(stepsInput, 'The number of iterations');
    } catch (e) {
      fail(e);
      return;
    }
    error.clear();
    state.running = true;
    runButton.disabled = true;
    stopButton.hidden = false;
    progress.hidden = false;
    progress.max = total;
    try {
      const startCosts = await refresh();
      const t0 = performance.now();
      let done = 0;
      while (state.running && done < total) {
        const snap = await state.style.step(Math.min(STEPS_PER_MESSAGE, total - done));
        done = snap.iterations;
        drawSnap(snap);
        progress.value = done;
        show(snap.costs);
      }
      const final = await state.style.step(0);
      show(final.costs, await tractCosts(final.image));
      const ms = (performance.now() - t0) / Math.max(1, final.iterations);
      const share = startCosts && startCosts.style > 0 ? final.costs.style / startCosts.style : NaN;
      status.textContent = `${final.iterations} iterations, ${ms.toFixed(0)} ms each (forward and backward in Rust, in a worker; drawing included).` +
        (Number.isFinite(share) ? ` J_style is now ${(100 * share).toPrecision(2)} % of what it was at the start; J_content went from ${startCosts.content.toFixed(1)} to ${final.costs.content.toFixed(1)}.` : '');
      status.dataset.styleShare = share;
      root.dataset.done = 'true';
    } catch (e) {
      fail(e);
    } finally {
      state.running = false;
      runButton.disabled = false;
      stopButton.hidden = true;
      progress.hidden = true;
    }
  }

  async function loadInto(which, value) {
    try {
      let tensor;
      if (value === 'scene') {
        tensor = api.sceneInputs(1, SIZE, SIZE);
      } else if (value === 'stripes') {
        tensor = api.styleStripes(SIZE);
      } else {
        const photo = state.photos.find((p) => p.name === value);
        const bytes = await fetchBytes(new URL(`../${photo.file}`, import.meta.url));
        const img = await decodeImage(new Blob([bytes]), api);
        tensor = api.detectorInput(img.pixels, img.width, img.height, SIZE);
      }
      state.images[which] = tensor;
      draw(canvases[which], tensor);
      memories[which].shown();
    } catch (e) {
      memories[which].back();
      fail(e);
    }
  }

  let fileTarget = 'content';
  const memories = { content: sourceMemory(contentSelect), style: sourceMemory(styleSelect) };
  fileInput.addEventListener('cancel', () => memories[fileTarget].back());
  function chooser(select, which) {
    select.addEventListener('change', async () => {
      if (select.value === 'file') { fileTarget = which; fileInput.click(); return; }
      await loadInto(which, select.value);
      refresh();
    });
  }
  chooser(contentSelect, 'content');
  chooser(styleSelect, 'style');
  fileInput.addEventListener('change', async () => {
    const file = fileInput.files[0];
    if (!file) return;
    try {
      const img = await decodeImage(file, api);
      state.images[fileTarget] = api.detectorInput(img.pixels, img.width, img.height, SIZE);
      draw(canvases[fileTarget], state.images[fileTarget]);
      memories[fileTarget].shown();
      refresh();
    } catch (e) {
      memories[fileTarget].back();
      fail(new Error(`${file.name} could not be read as an image.\n${e.message}`));
    }
  });
  for (const input of [contentLayer, lambdaRelu, logBeta, startSelect]) input.addEventListener('change', refresh);
  snapButton.addEventListener('click', async () => {
    const frame = await snapshot((m) => fail(new Error(m)), 'pick a photo');
    if (!frame) return;
    state.images.content = api.detectorInput(frame.pixels, frame.width, frame.height, SIZE);
    draw(canvases.content, state.images.content);
    refresh();
  });
  logBeta.addEventListener('input', () => { betaValue.textContent = logBeta.value; });
  runButton.addEventListener('click', run);
  stopButton.addEventListener('click', () => { state.running = false; });

  (async () => {
    try {
      const [bytes, photos] = await Promise.all([
        modelBytes('sliding-windows.onnx', { anchor: status, label: 'Downloading the network' }),
        fetchJson(new URL('../images/photos.json', import.meta.url))]);
      state.bytes = bytes;
      state.photos = photos;
      state.style = await loadRemoteStyle('sliding-windows.onnx', [1, 3, SIZE, SIZE]);
      const options = [...photos.map((p) => h('option', { value: p.name }, p.label)), h('option', { value: 'scene' }, 'Generated shapes'), h('option', { value: 'stripes' }, 'Generated stripes'), h('option', { value: 'file' }, 'Your image…')];
      contentSelect.replaceChildren(...options.map((o) => o.cloneNode(true)));
      styleSelect.replaceChildren(...options);
      contentSelect.value = 'chelsea';
      styleSelect.value = 'stripes';
      await loadInto('content', 'chelsea');
      await loadInto('style', 'stripes');
      status.textContent = 'The first layers of the sliding-windows classifier (trained by data/shapes/train_sliding.py) give the activations; press Generate.';
      await refresh();
      root.dataset.ready = 'true';
    } catch (e) {
      status.textContent = `Style transfer could not start (${e.message}); the other widgets still work.`;
      status.classList.add('error');
    }
  })();
}
