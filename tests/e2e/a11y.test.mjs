// End to end: accessibility (issue 6). axe-core (npm) on the full page with every widget loaded
// and on an embedded widget: no serious or critical violation. Every canvas has a text
// alternative; controls are reachable with Tab and show a visible focus ring.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { showWidgets } from './helpers.mjs';
import { openPlayground } from './browser.mjs';

const AXE = join(import.meta.dirname, 'node_modules', 'axe-core', 'axe.min.js');
const READY = ['html', '#lenet-lab', '#explorer', '#transfer', '#augmentation', '#detector-lab', '#face-lab', '#sliding-windows'];

let ctx;
before(async () => {
  // axe is injected as an inline script, which the pages' own CSP would (rightly) refuse.
  ctx = await openPlayground({ contextOptions: { bypassCSP: true } });
});
after(async () => {
  await ctx?.close();
});

async function violations(page) {
  await page.addScriptTag({ content: await readFile(AXE, 'utf8') });
  return page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')}`));
}

test('axe-core: no serious or critical violations on the full page', async () => {
  const { page } = ctx;
  await page.goto(ctx.server.url);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 60_000 });
  await showWidgets(page);
  for (const sel of READY) await page.waitForSelector(`${sel}[data-ready="true"]`, { timeout: 60_000 });
  await page.click('#conv-explainer details.embed summary');
  assert.deepEqual(await violations(page), []);
});

test('every canvas has a text alternative', async () => {
  const unlabelled = await ctx.page.$$eval('canvas', (cs) => cs
    .filter((c) => !(c.getAttribute('aria-label') || c.getAttribute('title') || c.getAttribute('aria-hidden') === 'true' || c.closest('[aria-label]')))
    .map((c) => c.id || c.className || c.outerHTML.slice(0, 60)));
  assert.deepEqual(unlabelled, []);
});

test('controls are reachable with the keyboard and show a visible focus ring', async () => {
  const { page } = ctx;
  await page.evaluate(() => document.activeElement?.blur());
  await page.focus('#conv-input');
  const seen = [];
  for (let i = 0; i < 6; i++) {
    seen.push(await page.evaluate(() => {
      const e = document.activeElement;
      const style = getComputedStyle(e);
      return { id: e.id, outline: style.outlineStyle, width: parseFloat(style.outlineWidth) };
    }));
    await page.keyboard.press('Tab');
  }
  assert.deepEqual(seen.map((s) => s.id).slice(0, 3), ['conv-input', 'conv-filter', 'conv-padding']);
  assert.ok(seen.every((s) => s.outline !== 'none' && s.width >= 2), JSON.stringify(seen));
});

test('axe-core: no serious or critical violations on the teacher page', async () => {
  const { page } = ctx;
  await page.goto(new URL('teach.html', ctx.server.url).href);
  for (const tag of ['cnn-conv', 'cnn-pool', 'cnn-iou', 'cnn-model']) await page.waitForSelector(`${tag}[data-ready="true"]`, { timeout: 60_000 });
  assert.deepEqual(await violations(page), []);
});

test('axe-core: no serious or critical violations on an embedded widget', async () => {
  const { page } = ctx;
  await page.goto(new URL('embed.html?widget=yolo&grid=4', ctx.server.url).href);
  await page.waitForSelector('html[data-ready="true"]');
  assert.deepEqual(await violations(page), []);
  assert.deepEqual(ctx.problems, []);
});

test('every widget shows its errors next to the controls that cause them, not at its foot', async () => {
  await ctx.page.goto(ctx.server.url);
  await ctx.page.waitForSelector('html[data-ready="true"]', { timeout: 60_000 });
  await showWidgets(ctx.page);
  const places = await ctx.page.$$eval('.cnn-widget .error[role=alert]', (els) => els.map((e) => {
    const prev = e.previousElementSibling;
    const nextToControls = Boolean(prev) && (prev.matches('.controls') || (prev.matches('.equation') && Boolean(prev.querySelector('input, select, canvas'))));
    return { id: e.id, nextToControls, last: e.parentElement.lastElementChild === e };
  }));
  assert.ok(places.length >= 21, `${places.length} error lines`);
  assert.deepEqual(places.filter((p) => !p.nextToControls || p.last), []);
});
