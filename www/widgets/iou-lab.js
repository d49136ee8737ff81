// Widget: intersection over union, lecture 28. Two boxes on a 10×10 grid that the learner drags
// and resizes (mouse, pen, touch or arrow keys); intersection, union and IoU come from Rust
// (`iouParts`). This file only draws and moves rectangles.

import { h, fmt, svgEl, errorLine } from '../lib/dom.js';
import { numbers, oneOf } from '../lib/options.js';

const SIDE = 10; // grid units
const PX = 36; // pixels per unit

/** The course's cases: [label, box A, box B] with boxes [x1, y1, x2, y2]. */
const CASES = {
  course: ['Lecture 28: (2, 1, 4, 3) and (1, 2, 3, 4) → 1/7', [2, 1, 4, 3], [1, 2, 3, 4]],
  half: ['IoU exactly 0.5', [1, 3, 7, 7], [3, 3, 9, 7]],
  disjoint: ['Disjoint', [1, 1, 3, 3], [6, 6, 9, 9]],
  corner: ['Touching at a corner', [1, 1, 4, 4], [4, 4, 7, 7]],
  edge: ['Touching along an edge', [1, 2, 4, 6], [4, 2, 7, 6]],
  same: ['The same box', [2, 2, 6, 6], [2, 2, 6, 6]],
};

const el = svgEl;

/** A box `x1,y1,x2,y2` of whole grid units inside the grid, or `null`. */
function gridBox(text) {
  const b = numbers(text, null);
  const ok = b?.length === 4 && b.every((v) => Number.isInteger(v) && v >= 0 && v <= SIDE) && b[0] < b[2] && b[1] < b[3];
  return ok ? b : null;
}

/**
 * Mounts the widget into `root`, using the wasm module's exports `api`. `options` (strings) may
 * set `case` (one of the course's cases) or the boxes `a` and `b` (`x1,y1,x2,y2`, whole units on
 * the 10×10 grid); `onState({ a, b })` is called after every change.
 */
export function mountIouLab(root, api, options = {}) {
  const start = CASES[oneOf(options.case, Object.keys(CASES), 'course')];
  const state = { a: gridBox(options.a) ?? [...start[1]], b: gridBox(options.b) ?? [...start[2]] };
  const preset = h('select', { id: 'iou-preset', 'aria-label': 'Example boxes' },
    Object.entries(CASES).map(([k, c]) => h('option', { value: k }, c[0])));
  if (CASES[options.case]) preset.value = options.case;
  const svg = el('svg', { id: 'iou-svg', viewBox: `-4 -4 ${SIDE * PX + 8} ${SIDE * PX + 8}`, role: 'group',
    'aria-label': 'Two boxes on a 10 by 10 grid; drag a box to move it, its corner handle to resize it' });
  const readout = h('p', { class: 'formula', id: 'iou-readout', 'aria-live': 'polite' });
  const verdict = h('p', { class: 'explanation', id: 'iou-verdict', 'aria-live': 'polite' });
  const coords = h('p', { class: 'check', id: 'iou-coords' });
  const error = errorLine('iou-error', { stale: () => [readout, verdict] });
  root.append(h('div', { class: 'controls' }, h('label', {}, 'Example ', preset)), error,
    h('div', { class: 'equation' }, svg, h('div', {}, readout, verdict, coords,
      h('p', { class: 'check' }, 'Drag a box to move it, its corner to resize it; or focus a box (Tab) and use the arrow keys (Shift + arrows resize).'))));

  // Grid lines.
  const grid = el('g', { class: 'iou-grid' });
  for (let i = 0; i <= SIDE; i++) {
    grid.append(el('line', { x1: i * PX, y1: 0, x2: i * PX, y2: SIDE * PX }), el('line', { x1: 0, y1: i * PX, x2: SIDE * PX, y2: i * PX }));
  }
  const overlap = el('rect', { class: 'iou-overlap', id: 'iou-overlap' });
  const shapes = {};
  for (const key of ['a', 'b']) {
    const rect = el('rect', { class: `iou-box iou-${key}`, tabindex: 0, id: `iou-box-${key}`, role: 'button',
      'aria-label': `Box ${key.toUpperCase()}` });
    const handle = el('rect', { class: `iou-handle iou-${key}`, width: 12, height: 12 });
    const label = el('text', { class: 'iou-label' });
    shapes[key] = { rect, handle, label };
  }
  svg.append(grid, shapes.a.rect, shapes.b.rect, overlap, shapes.a.handle, shapes.b.handle, shapes.a.label, shapes.b.label);

  function render() {
    for (const key of ['a', 'b']) {
      const [x1, y1, x2, y2] = state[key];
      const { rect, handle, label } = shapes[key];
      Object.entries({ x: x1 * PX, y: y1 * PX, width: (x2 - x1) * PX, height: (y2 - y1) * PX }).forEach(([k, v]) => rect.setAttribute(k, v));
      handle.setAttribute('x', x2 * PX - 6);
      handle.setAttribute('y', y2 * PX - 6);
      label.setAttribute('x', x1 * PX + 4);
      label.setAttribute('y', y1 * PX + 16);
      label.textContent = key.toUpperCase();
    }
    try {
      const p = api.iouParts(state.a, state.b);
      error.clear();
      overlap.setAttribute('visibility', p.overlap ? 'visible' : 'hidden');
      if (p.overlap) {
        const [ox1, oy1, ox2, oy2] = p.overlap;
        Object.entries({ x: ox1 * PX, y: oy1 * PX, width: (ox2 - ox1) * PX, height: (oy2 - oy1) * PX }).forEach(([k, v]) => overlap.setAttribute(k, v));
      }
      readout.textContent = `intersection ${fmt(p.intersection)}, union ${fmt(p.union)}: IoU = ${fmt(p.intersection)} / ${fmt(p.union)} = ${p.iou.toFixed(4)}`;
      verdict.textContent = p.iou >= 0.5
        ? `IoU ${p.iou.toFixed(3)} ≥ 0.5: by the usual convention, B counts as a correct localisation of A.`
        : `IoU ${p.iou.toFixed(3)} < 0.5: not a correct localisation by the usual convention.`;
      verdict.dataset.correct = p.iou >= 0.5;
      coords.textContent = `A = (${state.a.join(', ')}), B = (${state.b.join(', ')}) as (x1, y1, x2, y2), origin top-left`;
      options.onState?.({ a: state.a, b: state.b });
    } catch (e) {
      error.show(e.message);
    }
  }

  /** Moves (or, with `resize`, stretches) box `key` by whole grid units, kept on the grid. */
  function nudge(key, dx, dy, resize) {
    const [x1, y1, x2, y2] = state[key];
    if (resize) {
      state[key] = [x1, y1, Math.min(SIDE, Math.max(x1 + 1, x2 + dx)), Math.min(SIDE, Math.max(y1 + 1, y2 + dy))];
    } else {
      const mx = Math.min(SIDE - x2, Math.max(-x1, dx));
      const my = Math.min(SIDE - y2, Math.max(-y1, dy));
      state[key] = [x1 + mx, y1 + my, x2 + mx, y2 + my];
    }
    render();
  }

  /** Grid position of a pointer event, in units (rounded to whole units). */
  function unitAt(event) {
    const box = svg.getBoundingClientRect();
    const scale = (SIDE * PX + 8) / box.width;
    return [Math.round(((event.clientX - box.left) * scale - 4) / PX), Math.round(((event.clientY - box.top) * scale - 4) / PX)];
  }

  for (const key of ['a', 'b']) {
    const { rect, handle } = shapes[key];
    for (const [target, resize] of [[rect, false], [handle, true]]) {
      target.addEventListener('pointerdown', (event) => {
        event.preventDefault();
        target.setPointerCapture(event.pointerId);
        let last = unitAt(event);
        const move = (e) => {
          const now = unitAt(e);
          if (now[0] !== last[0] || now[1] !== last[1]) {
            nudge(key, now[0] - last[0], now[1] - last[1], resize);
            last = now;
          }
        };
        const up = () => { target.removeEventListener('pointermove', move); target.removeEventListener('pointerup', up); };
        target.addEventListener('pointermove', move);
        target.addEventListener('pointerup', up);
      });
    }
    rect.addEventListener('keydown', (event) => {
      const step = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[event.key];
      if (!step) return;
      event.preventDefault();
      nudge(key, step[0], step[1], event.shiftKey);
    });
  }
  preset.addEventListener('change', () => {
    const c = CASES[preset.value];
    state.a = [...c[1]];
    state.b = [...c[2]];
    render();
  });
  render();
}
