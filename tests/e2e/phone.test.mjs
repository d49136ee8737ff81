// End to end: a phone (390×844, touch). No widget, and not the page, runs past the screen's width
// (wide tables and grids scroll inside their own box), and the digit pad draws by touch: real touch
// events (CDP Input.dispatchTouchEvent), which the browser turns into pointer events.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { showWidgets } from './helpers.mjs';
import { openPlayground } from './browser.mjs';

const READY = ['html', '#lenet-lab', '#explorer', '#transfer', '#augmentation', '#detector-lab', '#face-lab', '#sliding-windows'];

let ctx;
before(async () => {
  ctx = await openPlayground({ contextOptions: { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true } });
  await ctx.page.goto(ctx.server.url);
  await ctx.page.waitForSelector('html[data-ready="true"]', { timeout: 60_000 });
  await showWidgets(ctx.page);
  for (const sel of READY) await ctx.page.waitForSelector(`${sel}[data-ready="true"]`, { timeout: 60_000 });
});
after(async () => {
  await ctx?.close();
});

test('at 390 px no widget overflows sideways, nor does the page', async () => {
  const widths = await ctx.page.evaluate(() => ({
    page: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
    widgets: [...document.querySelectorAll('.cnn-widget')].map((w) => ({ id: w.id, scroll: w.scrollWidth, client: w.clientWidth })),
  }));
  assert.ok(widths.widgets.length >= 21, `${widths.widgets.length} widgets`);
  assert.deepEqual(widths.widgets.filter((w) => w.scroll > w.client + 1), []);
  assert.ok(widths.page[0] <= widths.page[1], `page ${widths.page[0]} px wide at ${widths.page[1]}`);
});

test('the digit pad draws by touch', async () => {
  const { page } = ctx;
  await page.click('#lenet-clear');
  assert.equal(await page.textContent('#lenet-verdict'), 'Draw a digit.');
  await page.locator('#lenet-pad').scrollIntoViewIfNeeded();
  const pad = await page.locator('#lenet-pad').boundingBox();
  const cdp = await ctx.context.newCDPSession(page);
  const at = (fx, fy) => [{ x: pad.x + pad.width * fx, y: pad.y + pad.height * fy }];
  // A "7" with one finger: across the top, then down to the lower left.
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(0.3, 0.2) });
  for (let i = 1; i <= 8; i++) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(0.3 + 0.42 * i / 8, 0.2) });
  for (let i = 1; i <= 12; i++) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(0.72 - 0.27 * i / 12, 0.2 + 0.65 * i / 12) });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await page.waitForFunction(() => /^LeNet-5 reads a \d/.test(document.querySelector('#lenet-verdict').textContent));
  assert.match(await page.textContent('#lenet-verdict'), /^LeNet-5 reads a \d \([\d.]+ %\)$/);
});

test('no console errors, page errors or failed requests on the phone', () => {
  assert.deepEqual(ctx.problems, []);
});
