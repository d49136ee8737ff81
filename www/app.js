// Entry point of the playground page: loads the wasm module once (with progress), then mounts
// the widgets of lib/registry.js into their places as the reader scrolls to them. The page's address keeps the state of the
// widgets the reader changed (`conv.p=1&pool.mode=avg&iou.a=1,1,4,4`; the explorer's model is
// plain `model=`), so a link reproduces what its author saw.

import { loadApi, progressTo } from './lib/loader.js';
import { mountWidget } from './lib/embed.js';
import { WIDGETS, LECTURES, lectureNumbers } from './lib/registry.js';
import { h } from './lib/dom.js';

const status = document.getElementById('status');
const bar = document.getElementById('progress');

/** The page parameter holding option `name` of widget `key`. */
const param = (key, name) => (key === name ? name : `${key}.${name}`);

// Headings come from the registry, the one place a widget's name and lectures are written; each
// lecture number links back to its place in the course map.
for (const w of WIDGETS) {
  const parts = w.lectures.split(',').map((p) => p.trim());
  const links = parts.flatMap((part, i) => [i ? ', ' : '', h('a', { href: `#lecture-${lectureNumbers(part)[0]}` }, part)]);
  document.getElementById(w.id)?.closest('section')?.querySelector('h2')
    ?.replaceChildren(w.name, ' ', h('small', {}, /[,–]/.test(w.lectures) ? 'lectures ' : 'lecture ', ...links));
}

// The course map: weeks → lectures → the widgets that show them, from the registry; lectures
// without a widget are listed as such.
const map = document.getElementById('course-map');
if (map) {
  const weeks = [...new Set(LECTURES.map((l) => l.week))];
  map.append(h('h2', {}, 'Course map'), h('div', { class: 'weeks' }, weeks.map((week) => h('section', { class: 'week', 'aria-label': `Week ${week}` },
    h('h3', {}, `Week ${week}`),
    h('ol', {}, LECTURES.filter((l) => l.week === week).map((l) => {
      const shown = WIDGETS.filter((w) => lectureNumbers(w.lectures).includes(l.number));
      return h('li', { id: `lecture-${l.number}`, value: Number(l.number), class: shown.length ? '' : 'none', dataset: { widgets: shown.length } },
        `${l.number} ${l.title}${l.optional ? ' (optional)' : ''} — `,
        shown.length ? shown.flatMap((w, i) => [i ? ', ' : '', h('a', { href: `#${w.id}` }, w.name)]) : h('span', { class: 'notice' }, 'no widget yet'));
    }))))));
}

let api;
try {
  api = await loadApi(progressTo(bar));
} catch (e) {
  bar.remove();
  status.textContent = `Could not load the WebAssembly module: ${e.message}`;
  status.classList.add('error');
  throw e;
}
bar.remove();

const params = new URLSearchParams(location.search);
const mounted = new Map();

/** Mounts widget `w` into its place, once; a widget that cannot start says so in its place. */
function mount(w) {
  if (!mounted.has(w.id)) {
    const root = document.getElementById(w.id);
    const options = Object.fromEntries(w.options.filter((k) => params.has(param(w.key, k))).map((k) => [k, params.get(param(w.key, k))]));
    let first = true;
    mounted.set(w.id, mountWidget(root, w, api, options, {
      onState(state) {
        // The first report is the state the address (or the defaults) gave; later ones are the
        // reader's changes, written into the address without a new history entry.
        if (first) { first = false; return; }
        const url = new URL(location.href);
        for (const k of w.options) url.searchParams.delete(param(w.key, k));
        for (const [k, v] of Object.entries(state)) url.searchParams.set(param(w.key, k), v);
        history.replaceState(null, '', url);
      },
    }).catch((e) => {
      root.append(h('p', { class: 'error', role: 'alert' }, `This widget could not start: ${e.message}`));
    }));
  }
  return mounted.get(w.id);
}

// Widgets mount when they come within a screen of the viewport, so a visit downloads the code,
// images and models of what the reader gets to; a widget the address holds state for (a shared
// link) or points at (#face-lab) mounts at once.
const placed = WIDGETS.filter((w) => document.getElementById(w.id));
const target = decodeURIComponent(location.hash.slice(1));
const now = placed.filter((w) => w.id === target || w.options.some((k) => params.has(param(w.key, k))));
const firstPass = new Promise((resolve) => {
  let first = true;
  const observer = new IntersectionObserver((entries) => {
    const shown = entries.filter((e) => e.isIntersecting).map((e) => placed.find((w) => w.id === e.target.id));
    for (const w of shown) observer.unobserve(document.getElementById(w.id));
    const mounts = shown.map(mount);
    if (first) {
      first = false;
      resolve(Promise.all(mounts));
    }
  }, { rootMargin: '100% 0px' });
  for (const w of placed) if (!now.includes(w)) observer.observe(document.getElementById(w.id));
  if (now.length === placed.length) resolve();
});
await Promise.all([...now.map(mount), firstPass]);
status.textContent = 'Ready.';
document.documentElement.dataset.ready = 'true';
// Offline after the first visit (sw.js); a browser without service workers just stays online.
navigator.serviceWorker?.register(new URL('sw.js', import.meta.url)).catch((e) => console.warn(`no offline copy: ${e.message}`));
