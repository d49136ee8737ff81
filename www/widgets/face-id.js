// Widget: face verification and recognition with real face encodings, lectures 24 and 33-36. Rust's
// `FacePipeline` finds faces (face-api's Tiny Face Detector: letterbox, tract, decoding, NMS), finds
// 68 landmarks in each (face-api's landmark network), aligns each face on its eyes and mouth (or
// crops the square around the detector's box, for comparison), and encodes the 150×150 crop (face-api's
// face recognition network, 128 numbers per face); Rust's `FaceDatabase` enrols, recognises (1:K)
// and verifies (1:1), and its distances and `tripletLoss` explain the numbers. The pipeline runs in
// a worker of its own (lib/remote-model.js `RemoteFaces`), so does lecture 24's alignment study;
// this file draws. Photos and webcam frames never leave the page.

import { h, errorLine, slider, scrollX, sourceMemory } from '../lib/dom.js';
import { decodeImage, fetchBytes, fetchJson, snapshot } from '../lib/media.js';
import { loadRemoteFaces } from '../lib/models.js';
import { drawLandmarks, strokeBox } from '../lib/scene.js';

const VIEW = 320;
const CROP = 150;

/** Mounts the widget into `root`, using the wasm module's exports `api`. */
export function mountFaceId(root, api) {
  const state = { models: null, threshold: 0.36, aligned: true, image: null, faces: [], database: new api.FaceDatabase(128), photos: [], seen: [] };
  const parts = api.faceParts();

  const status = h('p', { class: 'notice', id: 'faceid-status', role: 'status' }, 'The face encoder (22 MB) and the landmark network (1.4 MB) load when you start.');
  const startButton = h('button', { type: 'button', id: 'faceid-start' }, 'Start: download the face encoder');
  const sourceSelect = h('select', { id: 'faceid-source', 'aria-label': 'Image source', disabled: true });
  const fileInput = h('input', { type: 'file', accept: 'image/*', id: 'faceid-file', hidden: true });
  const snapButton = h('button', { type: 'button', id: 'faceid-snap', disabled: true }, 'Take a webcam frame');
  const tau = slider('faceid-tau', 'τ (d = ‖f(x1) − f(x2)‖²) ', { min: 0, max: 1.5, step: 0.01, value: 0.36, format: (v) => v.toFixed(2), label: 'Threshold τ' });
  const alignBox = h('input', { type: 'checkbox', id: 'faceid-align', checked: true });
  const claimSelect = h('select', { id: 'faceid-claim', 'aria-label': 'Verify every face as this person (1:1)' }, h('option', { value: '' }, 'nobody (recognise, 1:K)'));
  const canvas = h('canvas', { id: 'faceid-canvas', width: VIEW, height: VIEW, role: 'img', 'aria-label': 'The image with the faces found' });
  const facesList = h('div', { class: 'faces', id: 'faceid-faces' });
  const databaseTable = h('table', { class: 'shapes', id: 'faceid-database' });
  const tripletSelects = ['anchor', 'positive', 'negative'].map((r) => h('select', { id: `faceid-${r}`, 'aria-label': `${r} face` }));
  const alpha = slider('faceid-alpha', 'α ', { min: 0, max: 1, step: 0.05, value: 0.2, format: (v) => v.toFixed(2), label: 'Margin α' });
  const alphaInput = alpha.input;
  const tripletText = h('p', { class: 'formula', id: 'faceid-triplet', 'aria-live': 'polite' });
  const extremesButton = h('button', { type: 'button', id: 'faceid-extremes' }, 'Easiest and hardest triplet of the database');
  const extremes = h('p', { class: 'explanation', id: 'faceid-extremes-text', 'aria-live': 'polite' });
  const studyButton = h('button', { type: 'button', id: 'faceid-study', disabled: true }, 'Measure: the astronaut turned, smaller and mirrored');
  const studyTable = h('table', { class: 'shapes', id: 'faceid-study-table' });
  const studyText = h('p', { class: 'explanation', id: 'faceid-study-text', 'aria-live': 'polite' },
    'Lecture 24: the 68 landmarks say where the eyes and the mouth are, so each face can be turned level and scaled the same before it is encoded. Does that keep one person\'s encodings closer?');
  const strips = ['A', 'P', 'N'].map((r) => h('canvas', { width: 128, height: 1, class: 'encoding', role: 'img', 'aria-label': `the 128 numbers of ${r}` }));
  const error = errorLine('faceid-error', { stale: () => [canvas, facesList] });
  // Shown once two faces have been seen (a triplet needs someone else for N).
  const tripletControls = h('div', { class: 'controls', hidden: true }, ...tripletSelects.map((s, k) => h('label', {}, `${'APN'[k]} `, s)), alpha.label);
  const tripletStrips = h('div', { class: 'strips', hidden: true }, ...strips.map((c, k) => h('figure', {}, h('figcaption', {}, `f(${'APN'[k]}): 128 numbers, blue < 0 < red`), c)));
  // Nothing to show until an image has been looked at.
  canvas.hidden = true;
  root.append(status,
    h('div', { class: 'controls' }, startButton, h('label', {}, 'Image ', sourceSelect), fileInput, snapButton,
      tau.label, h('label', {}, 'Verify as ', claimSelect),
      h('label', { title: 'Lecture 24: turn and scale each face by its 68 landmarks before encoding; off: the square around the detector\'s box' }, alignBox, ' align on the landmarks')),
    error,
    h('div', { class: 'equation' }, canvas, facesList),
    h('h3', {}, 'The database (one photo per person is enough)'), scrollX(databaseTable),
    h('h3', {}, 'A triplet of the faces seen so far'),
    tripletControls, tripletStrips, tripletText,
    h('div', { class: 'controls' }, extremesButton), extremes,
    h('h3', {}, 'Alignment (lecture 24): does it help?'), studyText,
    h('div', { class: 'controls' }, studyButton), scrollX(studyTable),
    h('p', { class: 'notice' }, 'Photos and webcam frames stay in this page: nothing is uploaded.'));

  const fail = error.show;


  function renderFaces() {
    const db = state.database;
    // One 1:K comparison per face: its distances to every entry also fill the table below.
    const recognitions = state.faces.map((face) => (db.size() ? db.recognise(face.encoding, state.threshold) : null));
    facesList.replaceChildren(...state.faces.map((face, i) => {
      const crop = h('canvas', { width: CROP, height: CROP, class: 'face-crop', role: 'img', 'aria-label': `face ${i + 1}` });
      crop.getContext('2d').putImageData(new ImageData(api.imageFromTensor(face.crop, CROP, CROP), CROP, CROP), 0, 0);
      const r = recognitions[i];
      const one = claimSelect.value ? db.verify(claimSelect.value, face.encoding, state.threshold) : null;
      const verdict = one ? `Is this ${claimSelect.value}? d = ${one.distance.toFixed(3)} ${one.same ? '≤ τ: yes' : '> τ: no'} (1:1)`
        : !r ? 'The database is empty: enrol this face.'
        : r.recognised ? `${r.name} (d = ${r.distances[r.nearest].toFixed(3)} ≤ τ)`
          : `not in the database (nearest: ${r.name}, d = ${r.distances[r.nearest].toFixed(3)} > τ)`;
      const name = h('input', { type: 'text', value: face.source, 'aria-label': `Name for face ${i + 1}`, class: 'name' });
      const enrol = h('button', { type: 'button', class: 'enrol' }, 'Enrol');
      enrol.addEventListener('click', () => {
        const who = name.value.trim() || `person ${state.database.size() + 1}`;
        try {
          state.database.enrol(who, face.encoding);
        } catch (e) {
          fail(e);
          return;
        }
        if (![...claimSelect.options].some((o) => o.value === who)) claimSelect.append(h('option', { value: who }, who));
        render();
      });
      return h('figure', { class: 'face', dataset: { face: i, recognised: r?.recognised ? r.name : '' } },
        crop, h('figcaption', {}, h('span', { class: 'check' }, face.aligned ? `aligned: turned ${(-face.angle).toFixed(0)}° to level the eyes` : 'square crop of the box'), h('br'),
          h('span', { class: 'verdict' }, verdict), h('br'), name, ' ', enrol));
    }));
    databaseTable.replaceChildren(h('tr', {}, h('th', {}, 'name'), ...state.faces.map((_, i) => h('th', {}, `d to face ${i + 1}`))),
      ...Array.from(db.names(), (name, k) => h('tr', {}, h('td', {}, name),
        ...recognitions.map((r) => h('td', { class: 'num' }, r.distances[k].toFixed(3))))));
  }

  function renderTriplet() {
    const options = state.seen.map((f, k) => h('option', { value: k }, f.label));
    // Defaults: A and P the first face (the same person; another photo of them makes a real
    // positive), N the second (someone else, or another face).
    const defaults = [0, 0, 1];
    tripletSelects.forEach((s, k) => {
      const keep = s.value;
      s.replaceChildren(...options.map((o) => o.cloneNode(true)));
      s.value = keep !== '' && Number(keep) < state.seen.length ? keep : String(Math.min(defaults[k], Math.max(0, state.seen.length - 1)));
    });
    const enough = state.seen.length >= 2;
    tripletControls.hidden = !enough;
    tripletStrips.hidden = !enough;
    if (!enough) {
      delete tripletText.dataset.kind;
      tripletText.textContent = state.seen.length
        ? 'A triplet needs two faces at least: the anchor A and a positive P of the same person, and a negative N of someone else. Look at another photo.'
        : 'Faces you look at appear here; a triplet needs two of them at least.';
      return;
    }
    const [a, p, n] = tripletSelects.map((s) => state.seen[Number(s.value)]);
    [a, p, n].forEach((f, k) => strips[k].getContext('2d').putImageData(new ImageData(api.heatmap(f.encoding, false).rgba, 128, 1), 0, 0));
    const alpha = Number(alphaInput.value);
    const t = api.tripletLoss(a.encoding, p.encoding, n.encoding, alpha);
    tripletText.textContent = `d(A, P) = ${t.positive.toFixed(3)}, d(A, N) = ${t.negative.toFixed(3)}, α = ${alpha.toFixed(2)}: L = ${t.loss.toFixed(3)}, a${t.kind === 'easy' ? 'n' : ''} ${t.kind} triplet.`;
    tripletText.dataset.kind = t.kind;
  }

  function render() {
    renderFaces();
    renderTriplet();
  }

  /** Finds and encodes the faces of RGBA `pixels` (`width × height`) called `source`, in the
   * face models' worker, aligned on their landmarks or not (the checkbox). */
  async function look(pixels, width, height, source) {
    try {
      error.clear();
      state.image = { pixels, width, height, source };
      const aligned = state.aligned;
      const found = await state.models.find(pixels, width, height, aligned);
      const count = found.count;
      const side = Math.max(width, height);
      const ctx = canvas.getContext('2d');
      canvas.hidden = false;
      ctx.putImageData(new ImageData(api.imageFromTensor(api.letterbox(pixels, width, height, VIEW), VIEW, VIEW), VIEW, VIEW), 0, 0);
      for (let k = 0; k < count; k++) {
        strokeBox(ctx, Array.from(found.boxes.subarray(4 * k, 4 * k + 4), (v) => v / side), '#e0a100', { label: `face ${k + 1}`, width: 3 });
      }
      drawLandmarks(ctx, found.points, VIEW / side, parts);
      state.faces = [];
      for (let k = 0; k < count; k++) {
        const face = {
          crop: found.crops.subarray(k * 3 * CROP * CROP, (k + 1) * 3 * CROP * CROP),
          encoding: found.encodings.slice(k * 128, (k + 1) * 128),
          angle: found.angles[k],
          aligned,
          source,
        };
        state.faces.push(face);
        state.seen.push({ ...face, label: `${source}, face ${k + 1}${aligned ? '' : ' (square crop)'}` });
      }
      status.textContent = count
        ? `${count} face${count > 1 ? 's' : ''} found in ${source}: 68 landmarks each, ${aligned ? 'turned level and scaled by them' : 'cropped square around the box'}, encoded as 128 numbers.`
        : `No face found in ${source}: try a photo with a face seen from the front.`;
      status.dataset.faces = count;
      render();
    } catch (e) {
      fail(e.message);
    }
  }

  /** Lecture 24's measurement, in the face models' worker: the astronaut turned, shrunk and
   * mirrored, d to the original with square and with aligned crops. */
  async function study() {
    studyButton.disabled = true;
    try {
      const decode = async (name) => {
        const photo = state.photos.find((p) => p.name === name);
        return decodeImage(new Blob([await fetchBytes(new URL(`../${photo.file}`, import.meta.url))]), api);
      };
      const [img, camera] = await Promise.all([decode('astronaut'), decode('camera')]);
      const t0 = performance.now();
      const all = await state.models.alignmentStudy(img.pixels, img.width, camera);
      const ms = performance.now() - t0;
      const rows = all.filter((r) => r.samePerson);
      const other = all.find((r) => !r.samePerson && r.square !== null);
      const tauNow = state.threshold;
      // Red where the verdict at τ is wrong: every variant is the astronaut, the cameraman is not.
      const cell = (d, same = true) => (d === null ? h('td', {}, 'no face')
        : h('td', { class: `num${(d <= tauNow) === same ? '' : ' wrong'}` }, `${d.toFixed(3)} ${d <= tauNow ? '≤' : '>'} τ`));
      studyTable.replaceChildren(
        h('tr', {}, h('th', {}, 'the astronaut'), h('th', {}, 'eye line (landmarks)'), h('th', {}, 'd, square crop'), h('th', {}, 'd, aligned')),
        ...rows.map((r) => h('tr', {}, h('td', {}, r.variant), h('td', { class: 'num' }, Number.isFinite(r.measuredAngle) ? `${r.measuredAngle.toFixed(1)}°` : '–'),
          cell(r.square), cell(r.aligned))),
        other && h('tr', { class: 'other' }, h('td', {}, 'the cameraman (someone else)'), h('td', {}), cell(other.square, false), cell(other.aligned, false)));
      const turned = rows.filter((r) => r.variant.startsWith('turned') && r.square !== null);
      const mean = (key) => turned.reduce((sum, r) => sum + r[key], 0) / turned.length;
      const accepted = (key) => rows.slice(1).filter((r) => r[key] !== null && r[key] <= tauNow).length;
      studyText.textContent = `Each variant is the same person, so every d should be ≤ τ = ${tauNow.toFixed(2)}. ` +
        `Square crops: ${accepted('square')} of ${rows.length - 1} accepted; aligned: ${accepted('aligned')} of ${rows.length - 1}. ` +
        (turned.length ? `Over the turned photos the mean d falls from ${mean('square').toFixed(3)} to ${mean('aligned').toFixed(3)}: the encoder was trained on level faces, so turning them level first matters more than anything it learned. ` : '') +
        (other ? `The cameraman, someone else, should stay above τ: d = ${other.square.toFixed(3)} square, ${other.aligned.toFixed(3)} aligned. ` : '') +
        `(${all.length} photos through detector, landmarks and encoder twice, ${(ms / 1000).toFixed(1)} s in a worker.)`;
      studyTable.dataset.rows = rows.length;
    } catch (e) {
      fail(e.message);
    } finally {
      studyButton.disabled = false;
    }
  }

  async function lookAt(value) {
    if (value === 'file') { fileInput.click(); return; }
    const photo = state.photos.find((p) => p.name === value);
    try {
      const img = await decodeImage(new Blob([await fetchBytes(new URL(`../${photo.file}`, import.meta.url))]), api);
      await look(img.pixels, img.width, img.height, photo.label);
      memory.shown();
    } catch (e) {
      memory.back();
      fail(`The photo could not be loaded.\n${e.message}`);
    }
  }

  fileInput.addEventListener('change', async () => {
    const file = fileInput.files[0];
    if (!file) return;
    try {
      const img = await decodeImage(file, api);
      await look(img.pixels, img.width, img.height, file.name);
      memory.shown();
    } catch (e) {
      memory.back();
      fail(`${file.name} is not an image this browser can decode.\n${e.message}`);
    }
  });
  const memory = sourceMemory(sourceSelect, fileInput);
  sourceSelect.addEventListener('change', () => lookAt(sourceSelect.value));
  snapButton.addEventListener('click', async () => {
    const frame = await snapshot(fail, 'use a photo instead');
    if (frame) look(frame.pixels, frame.width, frame.height, 'webcam frame');
  });
  tau.input.addEventListener('input', () => { state.threshold = Number(tau.input.value); render(); });
  alignBox.addEventListener('change', () => {
    state.aligned = alignBox.checked;
    if (state.image) look(state.image.pixels, state.image.width, state.image.height, state.image.source);
  });
  studyButton.addEventListener('click', study);
  claimSelect.addEventListener('change', render);
  extremesButton.addEventListener('click', () => {
    try {
      const x = state.database.extremeTriplets(Number(alphaInput.value));
      if (!x) {
        extremes.textContent = 'Enrol two faces of one person and one of another first.';
        return;
      }
      const describe = (t) => {
        const names = state.database.names();
        const [a, p, n] = Array.from(t.indices, (i) => `${names[i]} #${i + 1}`);
        return `A = ${a}, P = ${p}, N = ${n}: d(A, P) = ${t.positive.toFixed(3)}, d(A, N) = ${t.negative.toFixed(3)}, L = ${t.loss.toFixed(3)} (${t.kind})`;
      };
      extremes.textContent = `Easiest: ${describe(x.easy)}; it teaches nothing. Hardest: ${describe(x.hard)}; training on triplets like it moves the encodings most.`;
      extremes.dataset.hard = x.hard.kind;
    } catch (e) {
      fail(e.message);
    }
  });
  tripletSelects.forEach((s) => s.addEventListener('change', renderTriplet));
  alphaInput.addEventListener('input', renderTriplet);

  startButton.addEventListener('click', async () => {
    startButton.disabled = true;
    try {
      status.textContent = 'Downloading the face encoder (22 MB), the landmark network and the face detector…';
      const [models, photos] = await Promise.all([
        loadRemoteFaces({ anchor: status, label: 'Downloading the face encoder' }),
        fetchJson(new URL('../images/photos.json', import.meta.url))]);
      state.models = models;
      state.photos = photos;
      sourceSelect.replaceChildren(...photos.map((p) => h('option', { value: p.name }, p.label)), h('option', { value: 'file' }, 'Your photo…'));
      sourceSelect.disabled = false;
      snapButton.disabled = false;
      studyButton.disabled = false;
      startButton.hidden = true;
      sourceSelect.value = 'astronaut';
      await lookAt('astronaut');
      root.dataset.ready = 'true';
    } catch (e) {
      startButton.disabled = false;
      fail(`The face models could not be loaded (${e.message}); the other widgets still work.`);
    }
  });
  render();
}
