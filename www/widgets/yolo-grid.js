// Widget: the YOLO grid and anchor boxes, lectures 27, 30 and 31. Each object's midpoint picks a
// cell and the anchor whose shape overlaps it most; the target tensor and the cases YOLO cannot
// represent come from Rust (`yoloTarget`). Objects come from presets, generated scenes
// (`generateScene`) or boxes the learner draws. This file only draws.

import { h, fmt, errorLine, scrollX } from '../lib/dom.js';
import { int, numbers, oneOf } from '../lib/options.js';
import { CLASS_COLOURS, drawScene, strokeBox, drawBoxes } from '../lib/scene.js';

const ROAD = ['pedestrian', 'car', 'motorcycle'];
const PRESETS = {
  'lecture-30': {
    label: 'Lecture 30: a pedestrian and a car in one cell', grid: 3, anchors: 'tall-wide', classes: ROAD,
    objects: [{ box: [0.425, 0.275, 0.575, 0.725], class: 0 }, { box: [0.295, 0.445, 0.745, 0.595], class: 1 }],
  },
  'lecture-27': {
    label: 'Lecture 27: two cars on a 3×3 grid', grid: 3, anchors: 'one', classes: ROAD,
    objects: [{ box: [0.05, 0.45, 0.4, 0.7], class: 1 }, { box: [0.6, 0.42, 0.95, 0.68], class: 1 }],
  },
  'three-objects': {
    label: 'Three objects in one cell, two anchors', grid: 3, anchors: 'tall-wide', classes: ROAD,
    objects: [{ box: [0.425, 0.275, 0.575, 0.725], class: 0 }, { box: [0.295, 0.445, 0.745, 0.595], class: 1 },
      { box: [0.36, 0.4, 0.62, 0.55], class: 2 }],
  },
  'same-anchor': {
    label: 'Two cars, same anchor, same cell', grid: 3, anchors: 'tall-wide', classes: ROAD,
    objects: [{ box: [0.295, 0.445, 0.745, 0.595], class: 1 }, { box: [0.36, 0.36, 0.62, 0.48], class: 1 }],
  },
  scene: { label: 'A generated scene (circles, squares, triangles)', grid: 6, anchors: 'detector', scene: true },
};
const ANCHORS = {
  one: { label: '1 anchor (1×1 cell)', sizes: [[1, 1]] },
  'tall-wide': { label: '2 anchors: tall 0.5×1.5, wide 1.5×0.5', sizes: [[0.5, 1.5], [1.5, 0.5]] },
  detector: { label: 'the shapes detector\'s 2 anchors', sizes: null }, // filled from generateScene
};
const SIZE = 384;

/**
 * Mounts the widget into `root`, using the wasm module's exports `api`. `options` (strings) may
 * set `example` (a preset), `grid` (1-19), `anchors` (an anchor set), `seed` (of the generated
 * scene) and `boxes` (the objects, 5 numbers each: class, x1, y1, x2, y2 as image fractions);
 * `onState(state)` is called with the same keys after every change.
 */
export function mountYoloGrid(root, api, options = {}) {
  const detectorAnchors = Array.from(api.generateScene(0).anchors, (a) => Array.from(a));
  ANCHORS.detector.sizes = detectorAnchors;
  const state = { preset: 'lecture-30', grid: 3, anchors: 'tall-wide', classes: ROAD, objects: [], scene: null, seed: int(options.seed, 0, 1e9, 3), drawClass: 1, edited: false };

  const presetSelect = h('select', { id: 'yolo-preset', 'aria-label': 'Example' }, Object.entries(PRESETS).map(([k, p]) => h('option', { value: k }, p.label)));
  const gridInput = h('input', { id: 'yolo-grid-size', type: 'range', min: 1, max: 19, value: 3, 'aria-label': 'Grid cells per side' });
  const gridValue = h('output', { for: 'yolo-grid-size' });
  const anchorSelect = h('select', { id: 'yolo-anchors', 'aria-label': 'Anchor boxes' }, Object.entries(ANCHORS).map(([k, a]) => h('option', { value: k }, a.label)));
  const classSelect = h('select', { id: 'yolo-draw-class', 'aria-label': 'Class of drawn boxes' });
  const clearButton = h('button', { type: 'button', id: 'yolo-clear' }, 'Clear objects');
  const nextButton = h('button', { type: 'button', id: 'yolo-next-scene' }, 'Another scene');
  const canvas = h('canvas', { id: 'yolo-canvas', width: SIZE, height: SIZE, role: 'img', 'aria-label': 'Image with grid, objects and anchors; drag to draw a box' });
  const shapeText = h('p', { class: 'formula', id: 'yolo-shape', 'aria-live': 'polite' });
  const table = h('table', { class: 'shapes', id: 'yolo-table' });
  const conflicts = h('ul', { class: 'error', id: 'yolo-conflicts', 'aria-live': 'polite' });
  const error = errorLine('yolo-error', { stale: () => [canvas, shapeText, table] });
  root.append(
    h('div', { class: 'controls' }, h('label', {}, 'Example ', presetSelect), nextButton,
      h('label', {}, 'Grid S ', gridInput, gridValue), h('label', {}, 'Anchors ', anchorSelect)),
    h('div', { class: 'controls' }, h('label', {}, 'Draw boxes of class ', classSelect), clearButton),
    error,
    h('div', { class: 'equation' }, canvas, h('div', {}, shapeText, scrollX(table))), conflicts);

  function load(key) {
    const p = PRESETS[key];
    Object.assign(state, { preset: key, grid: p.grid, anchors: p.anchors });
    if (p.scene) {
      const scene = api.generateScene(state.seed);
      Object.assign(state, { scene, classes: Array.from(scene.classes), objects: scene.objects.map((o) => ({ box: Array.from(o.box), class: o.class })) });
    } else {
      Object.assign(state, { scene: null, classes: p.classes, objects: p.objects.map((o) => ({ box: [...o.box], class: o.class })) });
    }
    classSelect.replaceChildren(...state.classes.map((c, i) => h('option', { value: i }, c)));
    nextButton.hidden = !p.scene;
    render();
  }

  function render() {
    presetSelect.value = state.preset;
    gridInput.value = state.grid;
    gridValue.textContent = `${state.grid}×${state.grid}`;
    anchorSelect.value = state.anchors;
    const anchors = ANCHORS[state.anchors].sizes;
    const ctx = drawScene(canvas, state.scene?.rgba, state.scene?.size);
    // Grid lines.
    ctx.save();
    ctx.strokeStyle = 'rgba(0, 0, 0, .35)';
    for (let i = 1; i < state.grid; i++) {
      const p = (i * SIZE) / state.grid;
      ctx.beginPath(); ctx.moveTo(p, 0); ctx.lineTo(p, SIZE); ctx.moveTo(0, p); ctx.lineTo(SIZE, p); ctx.stroke();
    }
    ctx.restore();
    try {
      const t = api.yoloTarget({ grid: state.grid, anchors, classes: state.classes.length, objects: state.objects });
      error.clear();
      options.onState?.({
        example: state.preset, grid: state.grid, anchors: state.anchors, seed: state.scene ? state.seed : undefined,
        boxes: state.edited ? state.objects.flatMap((o) => [o.class, ...o.box.map((v) => Number(v.toFixed(4)))]) : undefined,
      });
      const [s, , a, fields] = t.shape;
      shapeText.textContent = `Target y: ${s}×${s}×${a}×${fields} = ${s}×${s}×${a * fields} (${a} anchor${a > 1 ? 's' : ''} × (5 + ${state.classes.length} classes) per cell)`;
      const cell = SIZE / s;
      t.assignments.forEach((as) => {
        const o = state.objects[as.object];
        const colour = CLASS_COLOURS[o.class % CLASS_COLOURS.length];
        ctx.save();
        ctx.fillStyle = as.stored ? 'rgba(224, 161, 0, .25)' : 'rgba(179, 38, 30, .3)';
        ctx.fillRect(as.col * cell, as.row * cell, cell, cell);
        ctx.restore();
        strokeBox(ctx, o.box, colour, { label: `${as.object + 1} ${state.classes[o.class]}` });
        // The midpoint, and the chosen anchor's shape centred on it (dashed).
        const [bx, by] = [as.values[1], as.values[2]];
        const [cx, cy] = [(as.col + bx) * cell, (as.row + by) * cell];
        ctx.save();
        ctx.fillStyle = colour;
        ctx.beginPath(); ctx.arc(cx, cy, 4, 0, 2 * Math.PI); ctx.fill();
        const [aw, ah] = anchors[as.anchor];
        ctx.setLineDash([4, 3]);
        ctx.strokeStyle = '#444';
        ctx.strokeRect(cx - (aw * cell) / 2, cy - (ah * cell) / 2, aw * cell, ah * cell);
        ctx.restore();
      });
      const names = ['p_c', 'b_x', 'b_y', 'b_h', 'b_w', ...state.classes.map((_, i) => `c_${i + 1}`)];
      table.replaceChildren(
        h('tr', {}, h('th', {}, 'object'), h('th', {}, 'cell (row, col)'), h('th', {}, 'anchor (IoU)'), h('th', {}, `y = [${names.join(', ')}]`)),
        ...t.assignments.map((as) => h('tr', { dataset: { object: as.object }, class: as.stored ? '' : 'lost' },
          h('td', {}, `${as.object + 1} ${state.classes[state.objects[as.object].class]}`),
          h('td', { dataset: { cell: `${as.row},${as.col}` } }, `(${as.row + 1}, ${as.col + 1})`),
          h('td', {}, `${as.anchor + 1} (${as.anchorIou.toFixed(2)})`),
          h('td', { class: 'sum' }, `[${Array.from(as.values, (v) => fmt(v)).join(', ')}]${as.stored ? '' : ' — not stored'}`))));
      conflicts.replaceChildren(...t.conflicts.map((c) => h('li', {}, `Cell (${c.row + 1}, ${c.col + 1}): ${c.reason}.`)));
    } catch (e) {
      error.show(e.message);
    }
  }

  // Drawing a box: press, drag, release.
  drawBoxes(canvas, (box) => {
    state.objects.push({ box, class: Number(classSelect.value) });
    state.edited = true;
    render();
  });
  presetSelect.addEventListener('change', () => { state.edited = false; load(presetSelect.value); });
  gridInput.addEventListener('input', () => { state.grid = Number(gridInput.value); render(); });
  anchorSelect.addEventListener('change', () => { state.anchors = anchorSelect.value; render(); });
  clearButton.addEventListener('click', () => { state.objects = []; state.edited = true; render(); });
  nextButton.addEventListener('click', () => { state.seed += 1; state.edited = false; load('scene'); });
  load(oneOf(options.example, Object.keys(PRESETS), 'lecture-30'));
  // Settings given as options override the example's.
  state.grid = int(options.grid, 1, 19, state.grid);
  state.anchors = oneOf(options.anchors, Object.keys(ANCHORS), state.anchors);
  const boxes = numbers(options.boxes, null);
  if (boxes && boxes.length % 5 === 0) {
    state.objects = Array.from({ length: boxes.length / 5 }, (_, k) => ({ class: boxes[5 * k], box: boxes.slice(5 * k + 1, 5 * k + 5) }));
    state.edited = true;
  }
  render();
}
