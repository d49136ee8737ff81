// Small DOM helpers shared by the widgets. Drawing only: no maths lives here.

/** Creates an element: h('div', {class: 'x', onclick: fn}, child, 'text', ...). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    // widgets.css addresses elements by data-id, which survives ids made unique (lib/embed.js).
    else if (key === 'id') { el.id = value; el.dataset.id = value; }
    // Through the CSSOM, which a Content-Security-Policy without 'unsafe-inline' styles allows.
    else if (key === 'style') el.style.cssText = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/**
 * Remembers which option of an image source `select` is on screen: call `shown()` once a source
 * has loaded and `back()` when one fails, so the select returns to the picture still shown
 * instead of saying "Image file…". Closing `fileInput`'s dialog without a file goes back too.
 */
export function sourceMemory(select, fileInput) {
  let value = select.value;
  fileInput?.addEventListener('cancel', () => { select.value = value; });
  return {
    shown() { value = select.value; },
    back() { select.value = value; },
  };
}

/** `el` in a box that scrolls sideways when `el` is wider than the card (tables on a phone). */
export function scrollX(el) {
  return h('div', { class: 'scroll-x' }, el);
}

/** Creates an SVG element with attributes (an `id` is copied into `data-id`, as `h` does). */
export function svgEl(tag, attrs = {}) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (attrs.id) el.setAttribute('data-id', attrs.id);
  return el;
}

/**
 * Formats a number for a grid cell, in at most about six characters so that it fits the cell:
 * integers as they are, others with up to 2 decimals, and magnitudes from 100,000 on with two
 * significant digits and an exponent (`1e30`, `-2.5e6`).
 */
export function fmt(v) {
  if (Object.is(v, -0)) return '0';
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 1e5) return v.toExponential(1).replace('.0e', 'e').replace('e+', 'e');
  return Number.isInteger(v) ? String(v) : v.toFixed(2).replace(/\.?0+$/, '');
}

/** A number grid cell's background for `v` on a grid whose largest magnitude is `scale`, in the
 * colour map Rust defines (`api.heatmapCellColour`); the page's cell colour for 0. */
export function cellColour(api, v, scale) {
  return api.heatmapCellColour(v, scale) ?? 'var(--cell-bg)';
}

/** A factor of a printed product: negative numbers in parentheses, `3·(-1)`. */
export function fmtFactor(v) {
  return v < 0 ? `(${fmt(v)})` : fmt(v);
}

/** An editable number cell for a grid; `onChange` gets the new value (NaN when emptied). */
export function numberCell(value, label, onChange) {
  // The value as typed (f32 storage noise removed by 7 significant digits), never rounded for show.
  const cell = h('input', { type: 'number', step: 'any', class: 'cell', value: String(Number(value.toPrecision(7))), 'aria-label': label });
  cell.addEventListener('change', () => onChange(cell.valueAsNumber));
  return cell;
}

/**
 * Fills `grid` with an editable `f × f` kernel (row-major `kernel`); `onEdit(i, value)` is called
 * when cell `i` changes.
 */
export function renderKernelGrid(grid, kernel, f, onEdit) {
  grid.style.gridTemplateColumns = `repeat(${f}, var(--cell))`;
  grid.replaceChildren(...Array.from(kernel, (w, i) => h('div', { class: 'slot' },
    numberCell(w, `kernel row ${Math.floor(i / f) + 1} column ${(i % f) + 1}`, (v) => onEdit(i, v)))));
}

/** Whether input position `at` (one coordinate per axis) lies in `window` ({ start, size }). */
export function inWindow(window, ...at) {
  return Boolean(window) && at.every((v, a) => v >= window.start[a] && v < window.start[a] + window.size[a]);
}

/** `a–b` for a 1-based inclusive range of `size` items starting at 0-based `start` (`a` alone for one). */
export function span(start, size) {
  return size === 1 ? `${start + 1}` : `${start + 1}–${start + size}`;
}

/**
 * Runs `render` (which may rebuild `root`'s children) and gives keyboard focus back to the
 * rebuilt element with the same `data-key` as the one focused before, so hovering or tabbing
 * through output cells does not lose the focus.
 */
export function preservingFocus(root, render) {
  const active = document.activeElement;
  const key = active && root.contains(active) ? active.dataset.key : undefined;
  render();
  if (key !== undefined && document.activeElement !== active) {
    root.querySelector(`[data-key="${CSS.escape(key)}"]`)?.focus({ preventScroll: true });
  }
}

/**
 * A widget's error line (`<div class="error" role="alert">`, hidden until needed), to place next
 * to the control that causes its errors. `show(problem)` puts a message (an `Error` or a string)
 * in it: the first line, the plain sentence, is shown; further lines (the technical chain the
 * Rust side puts after a line break, e.g. what tract said) go behind a collapsed "details".
 * While it is shown, the elements `stale()` returns (the output the error makes out of date) are
 * greyed out and marked `data-stale`; `clear()` hides the line and brings them back.
 */
export function errorLine(id, { stale = () => [] } = {}) {
  const el = h('div', { class: 'error', id, role: 'alert', hidden: true });
  const staleOutputs = () => [stale()].flat().filter(Boolean);
  el.show = (problem) => {
    const [plain, ...rest] = String(problem?.message ?? problem).split('\n');
    el.replaceChildren(h('span', { class: 'error-text' }, plain));
    if (rest.length) {
      el.append(' ', h('details', { class: 'error-details' }, h('summary', {}, 'details'), h('pre', {}, rest.join('\n'))));
    }
    el.hidden = false;
    for (const out of staleOutputs()) out.dataset.stale = 'true';
  };
  el.clear = () => {
    el.hidden = true;
    for (const out of staleOutputs()) delete out.dataset.stale;
  };
  return el;
}

/**
 * A labelled range slider with its value beside it: `{ label, input, output }`, where `label` (to
 * place) holds `text`, the `<input type="range">` and an `<output>` that shows `format(value)`
 * after every change (call `show()` after setting `input.value` from code).
 */
export function slider(id, text, { min, max, step = 1, value, format = String, label: ariaLabel = text.trim() }) {
  const input = h('input', { type: 'range', id, min, max, step, value, 'aria-label': ariaLabel });
  const output = h('output', { for: id });
  const show = () => { output.textContent = format(Number(input.value)); };
  input.addEventListener('input', show);
  show();
  return { label: h('label', {}, text, input, output), input, output, show };
}

/**
 * The whole number in the number input `input`, within its `min` and `max`; otherwise throws an
 * Error a learner can read: "`what` must be a whole number from 1 to 2000, not 5000." (Reading
 * stops here: nothing is clamped or replaced behind the learner's back.)
 */
export function wholeNumber(input, what) {
  const text = input.value.trim();
  const v = Number(text);
  const [min, max] = [Number(input.min), Number(input.max)];
  if (text === '' || !Number.isInteger(v) || v < min || v > max) {
    throw new Error(`${what} must be a whole number from ${min} to ${max}${text === '' ? '' : `, not ${text}`}.`);
  }
  return v;
}
