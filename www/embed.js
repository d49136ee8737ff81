// embed.html?widget=conv&f=3&p=1: one widget alone (for an iframe in course notes), its state
// from the address; the address follows the widget's state, so copying it reproduces the view.

import { h } from './lib/dom.js';
import { loadApi, progressTo } from './lib/loader.js';
import { mountWidget } from './lib/embed.js';
import { WIDGETS, widget } from './lib/registry.js';

const main = document.getElementById('embed');
const status = document.getElementById('status');
const bar = document.getElementById('progress');
const params = new URLSearchParams(location.search);
const w = widget(params.get('widget'));

try {
  if (!w) throw new Error(`no widget "${params.get('widget') ?? ''}"; the widgets are ${WIDGETS.map((x) => x.key).join(', ')}`);
  document.title = `${w.title} — cnn-playground`;
  const api = await loadApi(progressTo(bar));
  const options = Object.fromEntries(w.options.filter((k) => params.has(k)).map((k) => [k, params.get(k)]));
  const root = h('div', { id: w.id });
  main.replaceChildren(h('h1', { class: 'embed-title' }, w.title), root);
  let first = true;
  await mountWidget(root, w, api, options, {
    onState(state) {
      // The first report is the state the address already gave.
      if (first) { first = false; return; }
      const url = new URL(location.href);
      url.search = new URLSearchParams({ widget: w.key, ...state }).toString();
      history.replaceState(null, '', url);
    },
  });
  document.documentElement.dataset.ready = 'true';
  // Offline after the first visit (sw.js); a browser without service workers just stays online.
  navigator.serviceWorker?.register(new URL('sw.js', import.meta.url)).catch((e) => console.warn(`no offline copy: ${e.message}`));
} catch (e) {
  bar.remove();
  status.className = 'error';
  status.setAttribute('role', 'alert');
  status.textContent = `The widget could not start: ${e.message}`;
  document.documentElement.dataset.ready = 'error';
}
