// Mounting a widget with its "embed or share" tools: the same code for the full page, for
// embed.html and for the <cnn-…> elements. A widget reports its shareable state through
// `options.onState`; the tools turn the latest state into an element, an iframe and a link.

import { h } from './dom.js';
import { toStrings } from './options.js';
import { SITE } from './registry.js';

const escape = (s) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** `<cnn-…>` markup for widget `w` in `state` (string pairs). */
export function elementCode(w, state) {
  const attrs = Object.entries(state).map(([k, v]) => ` ${k}="${escape(v)}"`).join('');
  return `<script type="module" src="${new URL('elements.js', SITE)}"></script>\n<${w.tag}${attrs}></${w.tag}>`;
}

/** The embed.html address showing widget `w` alone in `state`. */
export function embedUrl(w, state) {
  const url = new URL('embed.html', SITE);
  url.search = new URLSearchParams({ widget: w.key, ...state }).toString();
  return url.href;
}

/** `<iframe>` markup for widget `w` in `state`. */
export function iframeCode(w, state) {
  return `<iframe src="${escape(embedUrl(w, state))}" title="${escape(w.title)}" width="100%" height="720" frameborder="0" loading="lazy"></iframe>`;
}

let instances = 0;

/**
 * Mounts widget `w` into `root` (which gets the `cnn-widget` class) with `options` (strings) and
 * appends its embed tools. `onState(strings)` is called with the widget's state after every change.
 * When `uniqueIds` is set, every id inside gets a suffix so that several copies can share a page.
 * Resolves once the widget's module is imported and mounted (then `root.dataset.mounted` is set).
 */
export async function mountWidget(root, w, api, options = {}, { onState, uniqueIds = false } = {}) {
  root.classList.add('widget', 'cnn-widget');
  root.dataset.widget = w.key;
  let state = null;
  const code = h('textarea', { class: 'embed-code', readonly: true, rows: 5, 'aria-label': `Embed code for ${w.title}` });
  // The code always shows the current state (filled on every change, not when the box opens:
  // the `toggle` event comes a task later, after a reader may already have looked).
  const fill = () => {
    code.value = `${elementCode(w, state ?? {})}\n\n${iframeCode(w, state ?? {})}`;
  };
  fill();
  await w.mount(root, api, {
    ...options,
    onState(s) {
      const next = toStrings(s);
      // Widgets report after every redraw (a webcam does so per frame): pass on changes only.
      if (JSON.stringify(next) === JSON.stringify(state)) return;
      state = next;
      fill();
      onState?.(state);
    },
  });
  const copy = h('button', { type: 'button', class: 'embed-copy' }, 'Copy embed code');
  const copied = h('span', { class: 'notice', 'aria-live': 'polite' });
  const tools = h('details', { class: 'embed' },
    h('summary', {}, 'Embed or share this widget'),
    h('p', { class: 'notice' }, 'One element after one script import, or an iframe; both start in the state you see now.'),
    code, h('div', { class: 'controls' }, copy, copied));
  copy.addEventListener('click', async () => {
    fill();
    code.select();
    try {
      await navigator.clipboard.writeText(code.value);
      copied.textContent = 'Copied.';
    } catch {
      copied.textContent = 'Selected: press Ctrl+C (⌘C) to copy.';
    }
  });
  root.append(tools);
  if (uniqueIds) {
    instances += 1;
    const suffix = `-${instances}`;
    const ids = new Set([...root.querySelectorAll('[id]')].map((e) => e.id));
    root.querySelectorAll('[id]').forEach((e) => { e.id += suffix; });
    for (const attr of ['for', 'aria-labelledby', 'aria-describedby', 'aria-controls']) {
      root.querySelectorAll(`[${attr}]`).forEach((e) => {
        e.setAttribute(attr, e.getAttribute(attr).split(' ').map((id) => (ids.has(id) ? id + suffix : id)).join(' '));
      });
    }
  }
  root.dataset.mounted = 'true';
  return { state: () => state ?? {} };
}
