// Widget: region proposals, lecture 32 (R-CNN). Rust segments a generated scene into blobs,
// proposes one square region around each and runs lecture 26's classifier (the sliding-windows
// network at its 14×14 window, in tract) on each region (`regionProposals`); the comparison runs
// the same classifier on every 14×14 window (`compareSlidingWindows`) and the one-pass YOLO
// detector on the scene (its worker). This file draws.

import { h, errorLine, scrollX } from '../lib/dom.js';
import { CLASS_COLOURS, drawScene, strokeBox } from '../lib/scene.js';
import { fetchJson } from '../lib/media.js';
import { loadModel, loadRemoteDetector } from '../lib/models.js';

const VIEW = 288;
// Blob colours of the segmentation map (blob k gets BLOB_COLOURS[k % length]).
const BLOB_COLOURS = [[230, 159, 0], [86, 180, 233], [0, 158, 115], [240, 228, 66], [0, 114, 178], [213, 94, 0], [204, 121, 167]];

/** Mounts the widget into `root`, using the wasm module's exports `api`. */
export function mountRegionProposals(root, api) {
  const state = { seed: 1, scene: null, small: null, big: null, detector: null, names: [] };

  const status = h('p', { class: 'notice', id: 'rp-status', role: 'status' }, 'Loading the classifier…');
  const nextButton = h('button', { type: 'button', id: 'rp-next' }, 'Another scene');
  const compareButton = h('button', { type: 'button', id: 'rp-compare' }, 'Compare with sliding windows and YOLO');
  const canvas = h('canvas', { id: 'rp-canvas', width: VIEW, height: VIEW, role: 'img', 'aria-label': 'The scene with the proposed regions and their classes' });
  const segments = h('canvas', { id: 'rp-segments', width: VIEW, height: VIEW, role: 'img', 'aria-label': 'The segmentation: one colour per blob, grey background' });
  const list = h('ol', { id: 'rp-list' });
  const summary = h('p', { class: 'formula', id: 'rp-summary', 'aria-live': 'polite' });
  const table = h('table', { id: 'rp-table', class: 'shapes', hidden: true });
  const error = errorLine('rp-error', { stale: () => [canvas, segments, summary, table] });
  root.append(status,
    h('div', { class: 'controls' }, nextButton, compareButton), error,
    h('div', { class: 'equation' },
      h('figure', {}, h('figcaption', {}, '1. Segmentation into blobs'), segments),
      h('figure', {}, h('figcaption', {}, '2. One region per blob, classified'), canvas)),
    summary, list, scrollX(table));

  const fail = error.show;

  function render() {
    try {
      error.clear();
      const scene = state.scene;
      const n = scene.size;
      const r = api.regionProposals(state.small, scene.tensor, n, n);
      // The segmentation map.
      const map = new Uint8ClampedArray(n * n * 4);
      for (let i = 0; i < n * n; i++) {
        const k = r.labels[i];
        const c = k ? BLOB_COLOURS[(k - 1) % BLOB_COLOURS.length] : [200, 200, 200];
        map.set([...c, 255], 4 * i);
      }
      drawScene(segments, map, n);
      const ctx = drawScene(canvas, scene.rgba, n);
      list.replaceChildren();
      r.proposals.forEach((p, k) => {
        const box = p.region.map((v) => v / n);
        const name = state.names[p.class];
        strokeBox(ctx, box, p.class === 3 ? '#777' : CLASS_COLOURS[p.class], { label: `${k + 1} ${name}`, width: 3 });
        const [x1, y1, x2, y2] = p.region.map((v) => Math.round(v));
        list.append(h('li', {}, `Region ${k + 1}, around a blob of ${r.blobs[k].pixels} pixels: columns ${x1}–${x2}, rows ${y1}–${y2}, resized to 14×14 → ${name} (${(p.probabilities[p.class] * 100).toFixed(0)} %)`));
      });
      summary.textContent = `${r.blobs.length} blob${r.blobs.length === 1 ? '' : 's'} → ${r.proposals.length} region${r.proposals.length === 1 ? '' : 's'} classified, ${r.ms.toFixed(1)} ms (segmentation included); the scene holds ${scene.objects.length} shape${scene.objects.length === 1 ? '' : 's'}.`;
      summary.dataset.regions = r.proposals.length;
      summary.dataset.classes = r.proposals.map((p) => p.class).join(',');
      summary.dataset.ms = r.ms;
      state.last = r;
    } catch (e) {
      fail(e.message);
    }
  }

  /** The three ways side by side: windows classified and time, on this scene. */
  async function compare() {
    compareButton.disabled = true;
    try {
      error.clear();
      const n = state.scene.size;
      state.big ??= await loadModel(api, 'sliding-windows.onnx', { shape: [1, 3, n, n] });
      state.detector ??= await loadRemoteDetector('shapes-detector.onnx', 'shapes');
      const sliding = api.compareSlidingWindows(state.small, state.big, state.scene.tensor);
      const d = await state.detector.detect(state.scene.tensor, 0.6, 0.5);
      const r = state.last;
      const row = (method, windows, ms, found) => h('tr', {}, h('td', {}, method), h('td', {}, windows), h('td', {}, `${ms.toFixed(1)} ms`), h('td', {}, found));
      table.replaceChildren(
        h('tr', {}, h('th', {}, 'method'), h('th', {}, 'windows classified'), h('th', {}, 'time'), h('th', {}, 'objects found')),
        row('Region proposals (R-CNN): a classifier run per region', String(r.proposals.length), r.ms, String(r.proposals.filter((p) => p.class !== 3).length)),
        row(`Sliding windows: the 14×14 classifier on every window at stride ${sliding.stride}`, String(sliding.crops), sliding.naiveMs, 'every window labelled'),
        row('Sliding windows, convolutionally (OverFeat): one pass', `${sliding.crops} in 1 pass`, sliding.passMs, 'every window labelled'),
        row('YOLO: one pass of the shapes detector (in its worker)', '1 pass', d.ms, String(d.steps.length)));
      table.hidden = false;
      table.dataset.crops = sliding.crops;
      table.dataset.regions = r.proposals.length;
      table.dataset.yolo = d.steps.length;
    } catch (e) {
      fail(e.message);
    } finally {
      compareButton.disabled = false;
    }
  }

  nextButton.addEventListener('click', () => {
    state.seed += 1;
    state.scene = api.generateScene(state.seed);
    table.hidden = true;
    render();
  });
  compareButton.addEventListener('click', compare);

  (async () => {
    try {
      const [small, sidecar] = await Promise.all([
        loadModel(api, 'sliding-windows.onnx', { shape: [1, 3, 14, 14], anchor: status, label: 'Downloading the classifier' }),
        fetchJson(new URL('../models/sliding-windows.json', import.meta.url))]);
      state.small = small;
      state.names = sidecar.classes;
      state.scene = api.generateScene(state.seed);
      status.textContent = 'Lecture 26\'s classifier of 14×14 windows (circle, square, triangle, background), run on each proposed region.';
      render();
      root.dataset.ready = 'true';
    } catch (e) {
      status.textContent = `The classifier could not be loaded (${e.message}); the other widgets still work.`;
      status.classList.add('error');
    }
  })();
}
