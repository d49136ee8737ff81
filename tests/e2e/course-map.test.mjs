// End to end: the course map at the top of the page (issue 15). Weeks → lectures → widgets, built
// from the one widget registry: all 43 lectures in their 4 weeks, each lecture with a widget
// linking to it, the lectures without one listed as such, and every widget's heading linking back
// to its lectures in the map.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openPlayground } from './browser.mjs';

let ctx;
before(async () => {
  ctx = await openPlayground();
  await ctx.page.goto(ctx.server.url);
  await ctx.page.waitForSelector('html[data-ready="true"]', { timeout: 60_000 });
});
after(async () => {
  await ctx?.close();
});

test('the map lists the 43 lectures by week, with links to the widgets that show them', async () => {
  const { page } = ctx;
  const weeks = await page.$$eval('#course-map section.week', (ws) => ws.map((w) => [w.querySelector('h3').textContent, w.querySelectorAll('li').length]));
  assert.deepEqual(weeks, [['Week 1', 11], ['Week 2', 11], ['Week 3', 10], ['Week 4', 11]]);
  assert.equal(await page.textContent('#lecture-02'), '02 Edge Detection Example — Edge detection, padding and stride, Edge detection on images');
  // Every link in the map leads to a widget on the page.
  const targets = await page.$$eval('#course-map a', (as) => as.map((a) => a.getAttribute('href')));
  assert.ok(targets.length >= 40);
  for (const href of new Set(targets)) assert.equal(await page.locator(`${href}.cnn-widget, ${href} .cnn-widget, ${href}`).count() > 0, true, href);
  // The lectures the page does not show yet are said so, not left out.
  assert.deepEqual(await page.$$eval('#course-map li.none', (ls) => ls.map((l) => l.textContent)), [
    '12 Why look at case studies? — no widget yet',
    '19 Using Open-Source Implementation — no widget yet',
  ]);
  assert.equal(await page.textContent('#lecture-22'), '22 State of Computer Vision — Ensembles and multi-crop at test time');
  assert.equal(await page.textContent('#lecture-32'), '32 Region Proposals (optional) — Region proposals (R-CNN)');
});

test('every widget heading names its lectures and links back to them in the map', async () => {
  const { page } = ctx;
  const headings = await page.$$eval('main section h2', (hs) => hs.filter((h) => h.querySelector('small')).map((h) => ({
    text: h.querySelector('small').textContent,
    links: [...h.querySelectorAll('small a')].map((a) => a.getAttribute('href')),
  })));
  assert.ok(headings.length >= 21, `${headings.length} headings`);
  for (const { text, links } of headings) {
    assert.match(text, /^lectures? \d\d/);
    assert.ok(links.length >= 1, text);
    for (const href of links) assert.equal(await page.locator(href).count(), 1, href);
  }
  assert.deepEqual(headings.find((x) => x.text === 'lectures 01, 08, 10, 11').links, ['#lecture-01', '#lecture-08', '#lecture-10', '#lecture-11']);
});

test('no console errors, page errors or failed requests', () => {
  assert.deepEqual(ctx.problems, []);
});
