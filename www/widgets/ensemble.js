// Widget: ensembles and multi-crop at test time, lecture 22. Five LeNet-5 networks trained alike
// from different seeds (data/digits/train_lenet.py --seed K) judge the held-out digits alone,
// averaged, and averaged over the ten crops of each digit; Rust measures it all
// (`Ensemble`, course/ensemble.rs) in a worker of its own. This file draws the table and the
// ten crops of one digit.

import { h, errorLine, scrollX } from '../lib/dom.js';
import { modelBytes } from '../lib/models.js';
import { remoteEnsemble } from '../lib/remote-model.js';

const MEMBERS = ['lenet5-digits.onnx', 'lenet5-digits-seed1.onnx', 'lenet5-digits-seed2.onnx', 'lenet5-digits-seed3.onnx', 'lenet5-digits-seed4.onnx'];
const CROPS = ['centre', 'top-left', 'top-right', 'bottom-left', 'bottom-right'];

/** Mounts the widget into `root`, using the wasm module's exports `api`. */
export function mountEnsemble(root, api) {
  const status = h('p', { class: 'notice', id: 'ens-status', role: 'status' }, 'Loading five LeNet-5 networks and the held-out digits…');
  const table = h('table', { class: 'shapes', id: 'ens-table' });
  const verdict = h('p', { class: 'explanation', id: 'ens-verdict', 'aria-live': 'polite' });
  const digitInput = h('input', { type: 'number', id: 'ens-digit', min: 1, max: 360, value: 1, class: 'num', 'aria-label': 'Held-out digit number' });
  const crops = h('div', { class: 'crops', id: 'ens-crops', role: 'group', 'aria-label': 'The ten crops of the digit' });
  const label = h('span', { id: 'ens-label', 'aria-live': 'polite' });
  const error = errorLine('ens-error', { stale: () => [crops] });
  root.append(status, scrollX(table), verdict,
    h('div', { class: 'controls' }, h('label', {}, 'The ten crops of held-out digit ', digitInput), label), error, crops);

  let set = null;
  const pct = (v) => `${(100 * v).toFixed(1)} %`;

  function row(label, accuracy, runs, id) {
    return h('tr', { dataset: { accuracy, id } }, h('th', { scope: 'row' }, label), h('td', {}, pct(accuracy)),
      h('td', {}, `${Math.round(accuracy * set.count)} / ${set.count}`), h('td', {}, String(runs)));
  }

  function show(r) {
    table.replaceChildren(
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'How the digit is answered'), h('th', { scope: 'col' }, 'Held-out accuracy'),
        h('th', { scope: 'col' }, 'Right'), h('th', { scope: 'col' }, 'Networks run per digit'))),
      h('tbody', {},
        ...r.members.map((a, i) => row(`network ${i + 1} alone (seed ${i})`, a, 1, `member-${i}`)),
        row(`average of the ${r.members.length} networks`, r.ensemble, r.members.length, 'ensemble'),
        row('network 1 over 5 crops (centre and corners)', r.fiveCrops, 5, 'five-crops'),
        row('network 1 over 10 crops (and their mirrors)', r.tenCrops, 10, 'ten-crops'),
        row(`average of the ${r.members.length} networks over 5 crops`, r.ensembleFiveCrops, 5 * r.members.length, 'ensemble-five-crops')));
    const best = Math.max(...r.members);
    const gain = Math.round((r.ensemble - r.members[0]) * r.count);
    verdict.textContent = `Averaging ${r.members.length} networks changes network 1's answers on ${r.fixedByEnsemble + r.brokenByEnsemble} of ${r.count} digits ` +
      `(${r.fixedByEnsemble} fixed, ${r.brokenByEnsemble} broken): ${gain >= 0 ? '+' : ''}${gain} digit${Math.abs(gain) === 1 ? '' : 's'}, for ${r.members.length} times the computation; ` +
      `the best single network gets ${pct(best)}. On a set this small and this easy the gain is ${Math.abs(gain) <= 3 ? 'small, within what another split could change' : 'clear'}. ` +
      `Crops help only when they are pictures the networks learnt from: the shifted crops are (the training shifted digits by one pixel), ` +
      `the mirrored ones are not — a mirrored 3 or 7 is no digit at all — so the ten crops score ${r.tenCrops < r.fiveCrops ? 'below' : 'no better than'} the five. ` +
      `(Measured in ${Math.round(r.ms)} ms, in a worker.)`;
    root.dataset.ensemble = r.ensemble;
  }

  function drawCrops() {
    if (!set) return;
    const i = Number(digitInput.value);
    if (!Number.isInteger(i) || i < 1 || i > set.count) {
      error.show(`Choose a held-out digit from 1 to ${set.count}${digitInput.value === '' ? '' : `, not ${digitInput.value}`}.`);
      return;
    }
    error.clear();
    const input = set.inputs.subarray((i - 1) * 1024, i * 1024);
    const names = [...CROPS, ...CROPS.map((c) => `${c}, mirrored`)];
    crops.replaceChildren(...api.digitCrops(input).map((c, k) => {
      const canvas = h('canvas', { width: 32, height: 32, role: 'img', 'aria-label': `Crop ${k + 1}: ${names[k]}` });
      canvas.getContext('2d').putImageData(new ImageData(api.heatmap(c, true, 1).rgba, 32, 32), 0, 0);
      return h('figure', {}, canvas, h('figcaption', {}, names[k]));
    }));
    crops.dataset.digit = i;
    label.textContent = `(labelled ${set.labels[i - 1]}); the corner crops move it one digit pixel, the mirrors flip it`;
  }

  digitInput.addEventListener('input', drawCrops);

  (async () => {
    try {
      const [heldOut, ...members] = await Promise.all([modelBytes('digits-heldout.bin'),
        ...MEMBERS.map((f, i) => modelBytes(f, i ? {} : { anchor: status, label: 'Downloading the networks' }))]);
      set = api.digitSet(heldOut);
      digitInput.max = set.count;
      drawCrops();
      status.textContent = `Judging ${set.count} held-out digits ${MEMBERS.length} ways and more…`;
      const report = await remoteEnsemble(heldOut, members);
      status.textContent = `${MEMBERS.length} LeNet-5 networks, trained alike from seeds 0 to ${MEMBERS.length - 1} by data/digits/train_lenet.py, on the ${set.count} held-out digits.`;
      show(report);
      root.dataset.ready = 'true';
    } catch (e) {
      status.textContent = `The ensemble could not be measured (${e.message}); the other widgets still work.`;
      status.classList.add('error');
    }
  })();
}
