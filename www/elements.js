// The playground's widgets as custom elements, for course notes: after
//
//   <script type="module" src="…/elements.js"></script>
//
// any page can hold <cnn-conv f="3" p="1" s="2" filter="sobel-x"></cnn-conv>, <cnn-pool>,
// <cnn-iou>, <cnn-yolo>, <cnn-model src="…">, … (the list is lib/registry.js). Attributes set the
// initial state; all elements on a page share one wasm instance; each shows a progress bar while
// the module downloads and its errors inside itself. Styles come from widgets.css, scoped to the
// widgets, so the host page keeps its own look (light or dark).

import { h } from './lib/dom.js';
import { loadApi, progressTo } from './lib/loader.js';
import { mountWidget } from './lib/embed.js';
import { WIDGETS } from './lib/registry.js';

function addStylesheet() {
  if (document.querySelector('link[data-cnn-playground]')) return;
  document.head.append(h('link', { rel: 'stylesheet', href: new URL('widgets.css', import.meta.url).href, dataset: { cnnPlayground: '' } }));
}

for (const w of WIDGETS) {
  if (customElements.get(w.tag)) continue;
  customElements.define(w.tag, class extends HTMLElement {
    async connectedCallback() {
      if (this.mounted) return;
      this.mounted = true;
      addStylesheet();
      this.style.display = 'block';
      const bar = h('progress', { 'aria-label': `Loading ${w.title}` });
      const status = h('p', { class: 'notice', role: 'status' }, 'Loading the WebAssembly module…');
      const root = h('div', { class: 'cnn-widget' }, status, bar);
      this.append(root);
      try {
        const api = await loadApi(progressTo(bar));
        status.remove();
        bar.remove();
        const options = Object.fromEntries(w.options.filter((a) => this.hasAttribute(a)).map((a) => [a, this.getAttribute(a)]));
        await mountWidget(root, w, api, options, {
          uniqueIds: true,
          onState: (state) => this.dispatchEvent(new CustomEvent('cnn-state', { detail: state, bubbles: true })),
        });
        this.dataset.ready = 'true';
      } catch (e) {
        bar.remove();
        status.className = 'error';
        status.setAttribute('role', 'alert');
        status.textContent = `This widget could not start: ${e.message}`;
      }
    }
  });
}
