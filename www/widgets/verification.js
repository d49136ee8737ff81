// Widget: one-shot verification and recognition, the Siamese network and the triplet loss,
// lectures 33-37, with handwritten digits as the identities. tract runs the embedding network
// trained by data/digits/train_embedding.py (`Model.features`, `run`); distances, the triplet
// loss, recognition, the verification accuracy at the best τ and the logistic regression on
// |f(x_i) − f(x_j)| come from Rust (`squaredDistance`, `tripletLoss`, `recognise`,
// `verificationAccuracy`, `trainPairClassifier`). This file plots and draws.

import { h, fmt, errorLine, slider, wholeNumber, scrollX } from '../lib/dom.js';
import { drawingPad } from '../lib/pad.js';
import { loadModel, modelBytes } from '../lib/models.js';
import { CLASS_COLOURS } from '../lib/scene.js';

const PLOT = 360;
const PAD = 168;
const INPUT = 1024;
const COLOURS = [...CLASS_COLOURS, '#8e44ad', '#16a085', '#d35400', '#2c3e50', '#c0392b', '#7f8c8d', '#27ae60'].slice(0, 10);

/** Mounts the widget into `root`, using the wasm module's exports `api`. */
export function mountVerification(root, api) {
  const state = { model: null, set: null, enc: null, dim: 2, layer: 0, database: [], db: null, tau: 1, best: null, drawn: null, classifier: null };

  const status = h('p', { class: 'notice', id: 'verify-status', role: 'status' }, 'Loading the embedding network…');
  const plot = h('canvas', { id: 'verify-plot', width: PLOT, height: PLOT, role: 'img', 'aria-label': 'The encodings of the 360 held-out digits in the plane, coloured by digit; your drawing as a black star' });
  const legend = h('p', { class: 'check', id: 'verify-legend' });
  const pad = drawingPad({ id: 'verify-pad', size: PAD, label: 'Drawing pad: draw a digit to verify or recognise', lineWidth: 16, onChange: () => fromPad() });
  const clearButton = h('button', { type: 'button', id: 'verify-clear' }, 'Clear');
  const enrolSelect = h('select', { id: 'verify-enrol-as', 'aria-label': 'Identity to enrol the drawing as' }, Array.from({ length: 10 }, (_, d) => h('option', { value: d }, `digit ${d}`)));
  const enrolButton = h('button', { type: 'button', id: 'verify-enrol' }, 'Enrol the drawing');
  const tau = slider('verify-tau', 'τ ', { min: 0, max: 10, step: 0.05, value: 1, format: (v) => v.toFixed(2), label: 'Threshold τ' });
  const claimSelect = h('select', { id: 'verify-claim', 'aria-label': 'Claimed identity for verification' }, Array.from({ length: 10 }, (_, d) => h('option', { value: d }, `digit ${d}`)));
  const verdict = h('p', { class: 'formula', id: 'verify-verdict', 'aria-live': 'polite' });
  const oneToOne = h('p', { class: 'formula', id: 'verify-one', 'aria-live': 'polite' });
  const databaseTable = h('table', { class: 'shapes', id: 'verify-database' });
  const accuracy = h('p', { class: 'explanation', id: 'verify-accuracy' });
  const tripletInputs = ['anchor', 'positive', 'negative'].map((role, k) => h('input', { type: 'number', min: 1, max: 360, value: [1, 2, 3][k], class: 'num', id: `verify-${role}`, 'aria-label': `${role} (held-out digit number)` }));
  const tripletImages = ['A', 'P', 'N'].map((r) => h('canvas', { width: 32, height: 32, class: 'digit', role: 'img', 'aria-label': `${r} digit` }));
  const alpha = slider('verify-alpha', 'α ', { min: 0, max: 3, step: 0.1, value: 1, format: (v) => v.toFixed(1), label: 'Margin α' });
  const tripletText = h('p', { class: 'formula', id: 'verify-triplet', 'aria-live': 'polite' });
  const trainButton = h('button', { type: 'button', id: 'verify-train' }, 'Train the logistic regression');
  const logistic = h('p', { class: 'formula', id: 'verify-logistic', 'aria-live': 'polite' });
  const error = errorLine('verify-error', { stale: () => [verdict, oneToOne, logistic] });
  // The triplet picker's own line, next to its inputs.
  const tripletError = errorLine('verify-triplet-error', { stale: () => [tripletText, ...tripletImages] });

  root.append(status,
    h('div', { class: 'equation' },
      h('figure', {}, h('figcaption', {}, 'f(x) of every held-out digit (a 2-D encoding)'), plot, legend),
      h('figure', {}, h('figcaption', {}, 'Draw a digit: whose is it?'), pad.canvas, h('div', { class: 'controls' }, clearButton),
        h('div', { class: 'controls' }, enrolSelect, enrolButton))),
    h('div', { class: 'controls' }, tau.label, h('label', {}, 'Verify (1:1) as ', claimSelect)),
    error,
    verdict, oneToOne, accuracy, scrollX(databaseTable),
    h('h3', {}, 'Triplet loss (lecture 36)'),
    h('div', { class: 'controls' }, ...tripletInputs.map((input, k) => h('label', {}, `${['A', 'P', 'N'][k]} #`, input, tripletImages[k])), alpha.label),
    tripletError, tripletText,
    h('h3', {}, 'Verification as binary classification (lecture 37)'),
    h('p', {}, 'ŷ = σ(Σₖ wₖ |f(xᵢ)ₖ − f(xⱼ)ₖ| + b), trained in the browser on pairs of the first 180 held-out digits (target 1 for the same digit, 0 for different ones), tested on pairs of the other 180. The encodings are computed once and stored, as the lecture recommends.'),
    h('div', { class: 'controls' }, trainButton), logistic);

  const fail = error.show;
  const encoding = (i) => state.enc.subarray(i * state.dim, (i + 1) * state.dim);
  const fmtVec = (v) => `(${Array.from(v, (x) => x.toFixed(2)).join(', ')})`;

  function drawPlot() {
    const ctx = plot.getContext('2d');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, PLOT, PLOT);
    const xs = [];
    const ys = [];
    for (let i = 0; i < state.set.count; i++) { xs.push(state.enc[2 * i]); ys.push(state.enc[2 * i + 1]); }
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const side = Math.max(x1 - x0, y1 - y0) * 1.1 || 1;
    const at = ([x, y]) => [((x - (x0 + x1) / 2) / side + 0.5) * PLOT, ((y - (y0 + y1) / 2) / side + 0.5) * PLOT];
    for (let i = 0; i < state.set.count; i++) {
      const [px, py] = at([xs[i], ys[i]]);
      ctx.fillStyle = COLOURS[state.set.labels[i]];
      ctx.beginPath(); ctx.arc(px, py, 2.5, 0, 2 * Math.PI); ctx.fill();
    }
    for (const e of state.database) {
      const [px, py] = at(e.encoding);
      ctx.strokeStyle = COLOURS[e.label];
      ctx.lineWidth = 2;
      ctx.strokeRect(px - 6, py - 6, 12, 12);
    }
    if (state.drawn) {
      const [px, py] = at(state.drawn.encoding);
      ctx.fillStyle = '#000';
      ctx.font = '22px sans-serif';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText('★', px, py);
    }
  }

  /** Enrols `encoding` as digit `label` in Rust's database and in the list the plot draws. */
  function enrol(label, encoding, source) {
    state.db.enrol(String(label), encoding);
    state.database.push({ label, encoding: Float32Array.from(encoding), source });
  }

  function recogniseDrawn() {
    const db = state.database;
    if (!state.drawn) {
      verdict.textContent = 'Draw a digit to compare it with the database.';
      oneToOne.textContent = '';
    } else {
      try {
        // Rust's FaceDatabase decides (1:K and 1:1); the entries here are what the plot draws.
        const r = state.db.recognise(state.drawn.encoding, state.tau);
        const near = db[r.nearest];
        verdict.textContent = r.recognised
          ? `Recognised (1:K) as digit ${near.label}: d = ${r.distances[r.nearest].toFixed(3)} ≤ τ = ${state.tau.toFixed(2)}`
          : `Not in the database: the nearest, digit ${near.label}, is at d = ${r.distances[r.nearest].toFixed(3)} > τ = ${state.tau.toFixed(2)}`;
        verdict.dataset.recognised = r.recognised ? near.label : 'none';
        const claimed = Number(claimSelect.value);
        const v = state.db.verify(String(claimed), state.drawn.encoding, state.tau);
        oneToOne.textContent = `Verification (1:1) as digit ${claimed}: d = ${v.distance.toFixed(3)} ${v.same ? '≤' : '>'} τ → ${v.same ? 'same identity' : 'a different identity'}`;
        databaseTable.replaceChildren(h('tr', {}, h('th', {}, 'enrolled'), h('th', {}, 'f(x)'), h('th', {}, 'd(drawing, enrolled)')),
          ...db.map((e, k) => h('tr', { class: k === r.nearest ? 'best' : '' }, h('td', {}, `digit ${e.label} (${e.source})`), h('td', { class: 'sum' }, fmtVec(e.encoding)), h('td', { class: 'num' }, r.distances[k].toFixed(3)))));
        error.clear();
      } catch (e) {
        fail(e);
      }
    }
    drawPlot();
  }

  function fromPad() {
    if (!state.model) return;
    const drawn = api.digitFromDrawing(pad.pixels(), PAD, PAD);
    state.drawn = drawn ? { input: drawn.input, encoding: state.model.run(drawn.input).data } : null;
    recogniseDrawn();
  }

  function triplet() {
    try {
      const idx = tripletInputs.map((input, k) => wholeNumber(input, `${['A', 'P', 'N'][k]} (a held-out digit's number)`) - 1);
      idx.forEach((i, k) => {
        const heat = api.heatmap(state.set.inputs.subarray(i * INPUT, (i + 1) * INPUT), true, 1);
        tripletImages[k].getContext('2d').putImageData(new ImageData(heat.rgba, 32, 32), 0, 0);
        tripletImages[k].setAttribute('aria-label', `${['A', 'P', 'N'][k]}: held-out digit ${i + 1}, a ${state.set.labels[i]}`);
      });
      const margin = Number(alpha.input.value);
      const t = api.tripletLoss(encoding(idx[0]), encoding(idx[1]), encoding(idx[2]), margin);
      const [a, p, n] = idx.map((i) => state.set.labels[i]);
      const warning = a !== p ? ' (P should show the same digit as A)' : a === n ? ' (N should show a different digit from A)' : '';
      tripletText.textContent = `A a ${a}, P a ${p}, N a ${n}${warning}: d(A, P) = ${t.positive.toFixed(3)}, d(A, N) = ${t.negative.toFixed(3)}; ` +
        `L = max(${t.positive.toFixed(3)} − ${t.negative.toFixed(3)} + ${margin.toFixed(1)}, 0) = ${t.loss.toFixed(3)}: a${t.kind === 'easy' ? 'n' : ''} ${t.kind} triplet` +
        (t.kind === 'easy' ? ', already satisfied, nothing to learn.' : t.kind === 'hard' ? ': N is nearer to A than P is.' : ': right order, but inside the margin.');
      tripletText.dataset.kind = t.kind;
      tripletText.dataset.loss = t.loss;
      tripletError.clear();
    } catch (e) {
      tripletError.show(e);
    }
  }

  function train() {
    try {
      const half = 180;
      const t0 = performance.now();
      state.classifier?.free();
      state.classifier = api.trainPairClassifier({ encodings: state.enc.subarray(0, half * state.dim), dim: state.dim, labels: state.set.labels.subarray(0, half) });
      const ms = performance.now() - t0;
      const acc = state.classifier.accuracy(state.enc.subarray(half * state.dim), state.dim, state.set.labels.subarray(half), 2000, 7);
      logistic.textContent = `w = (${Array.from(state.classifier.weights, (w) => fmt(w)).join(', ')}), b = ${fmt(state.classifier.bias)}, trained on 2000 pairs in ${ms.toFixed(0)} ms: ${(acc * 100).toFixed(1)} % right on 2000 pairs of the other 180 digits.`;
      logistic.dataset.accuracy = acc;
    } catch (e) {
      fail(e);
    }
  }

  clearButton.addEventListener('click', () => { pad.clear(); fromPad(); });
  enrolButton.addEventListener('click', () => {
    if (!state.drawn) return;
    enrol(Number(enrolSelect.value), state.drawn.encoding, 'your drawing');
    recogniseDrawn();
  });
  tau.input.addEventListener('input', () => { state.tau = Number(tau.input.value); recogniseDrawn(); });
  claimSelect.addEventListener('change', recogniseDrawn);
  tripletInputs.forEach((input) => input.addEventListener('change', triplet));
  alpha.input.addEventListener('input', triplet);
  trainButton.addEventListener('click', train);

  (async () => {
    try {
      const [model, heldOut] = await Promise.all([
        loadModel(api, 'digit-embedding.onnx', { anchor: status, label: 'Downloading the embedding network' }),
        modelBytes('digits-heldout.bin')]);
      state.model = model;
      state.set = api.digitSet(heldOut);
      state.layer = state.model.layers().length - 1;
      const features = state.model.features(state.set.inputs, state.layer);
      state.enc = features.data;
      state.dim = features.dim;
      // The default triplet: A the first held-out digit, P the next example of the same digit, N
      // the first example of another digit (A, P, N = #1, #2, #3 mixed digits before).
      const labels = Array.from(state.set.labels);
      tripletInputs[1].value = String(labels.indexOf(labels[0], 1) + 1);
      tripletInputs[2].value = String(labels.findIndex((l) => l !== labels[0]) + 1);
      // The one-shot database: the first held-out example of every digit.
      state.db = new api.FaceDatabase(state.dim);
      for (let d = 0; d < 10; d++) {
        const i = Array.from(state.set.labels).indexOf(d);
        enrol(d, encoding(i), `held-out #${i + 1}`);
      }
      state.best = api.verificationAccuracy(state.enc, state.dim, state.set.labels);
      state.tau = Math.round(state.best.tau * 20) / 20;
      tau.input.max = Math.ceil(state.best.tau * 4);
      tau.input.value = state.tau;
      tau.show();
      accuracy.textContent = `Held-out verification over all ${state.best.samePairs.toLocaleString('en')} same and ${state.best.differentPairs.toLocaleString('en')} different pairs: best τ = ${state.best.tau.toFixed(3)}, balanced accuracy ${(state.best.balancedAccuracy * 100).toFixed(1)} %.`;
      accuracy.dataset.accuracy = state.best.balancedAccuracy;
      legend.replaceChildren(...COLOURS.map((c, d) => h('span', { class: 'legend-item', dataset: { digit: d } }, h('span', { class: 'swatch', style: `background:${c}` }), ` ${d} `)), ' · squares: the database · ★: your drawing');
      status.textContent = `Embedding network loaded (${state.model.totalParams().toLocaleString('en')} parameters, trained with the triplet loss by data/digits/train_embedding.py); the 360 held-out digits encoded by tract.`;
      recogniseDrawn();
      triplet();
      root.dataset.ready = 'true';
    } catch (e) {
      status.textContent = `The embedding network could not be loaded (${e.message}); the other widgets still work.`;
      status.classList.add('error');
    }
  })();
}
