// The teacher page's table of elements, from the one list of widgets (lib/registry.js).
import { h } from './lib/dom.js';
import { WIDGETS } from './lib/registry.js';

document.getElementById('teach-elements').replaceChildren(
  h('tr', {}, h('th', {}, 'element'), h('th', {}, 'iframe key'), h('th', {}, 'widget'), h('th', {}, 'attributes')),
  ...WIDGETS.map((w) => h('tr', {},
    h('td', {}, h('code', {}, `<${w.tag}>`)), h('td', {}, h('code', {}, w.key)), h('td', {}, w.title),
    h('td', {}, w.options.length ? w.options.map((o) => h('code', {}, o)).flatMap((c, i) => (i ? [', ', c] : [c])) : '—'))));
