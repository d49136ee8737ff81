// End to end: week 2's LeNet-5 widget — a held-out digit and a drawn one go through the trained
// network, with every feature map drawn. Fails on any console error, page error or failed request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openPlayground } from './browser.mjs';

let ctx;
before(async () => {
  ctx = await openPlayground();
  await ctx.page.goto(ctx.server.url);
  await ctx.page.waitForSelector('html[data-ready="true"]', { timeout: 30_000 });
  await ctx.page.waitForSelector('#lenet-lab[data-ready="true"]', { timeout: 30_000 });
});
after(async () => {
  await ctx?.close();
});

const tiles = () => ctx.page.$$eval('#lenet-maps figure.layer', (fs) => fs.map((f) => f.querySelectorAll('canvas').length));

test('LeNet-5 (lectures 10, 13): held-out digits are read as labelled, with all feature maps', async () => {
  const { page } = ctx;
  assert.match(await page.textContent('#lenet-status'), /LeNet-5 loaded: 61,706 parameters/);
  for (let i = 0; i < 5; i++) {
    await page.click('#lenet-sample');
    const verdict = await page.textContent('#lenet-verdict');
    const [, read, label] = verdict.match(/reads a (\d) .*labelled (\d)\)$/);
    assert.equal(read, label, verdict);
  }
  assert.deepEqual(await tiles(), [6, 6, 6, 16, 16, 16]);
  const probs = await page.$$eval('#lenet-probs .bar-row', (rows) => rows.map((r) => Number(r.dataset.p)));
  assert.equal(probs.length, 10);
  assert.ok(Math.abs(probs.reduce((a, b) => a + b, 0) - 1) < 1e-4);
});

test('drawing on the pad updates the prediction live', async () => {
  const { page } = ctx;
  await page.click('#lenet-clear');
  assert.equal(await page.textContent('#lenet-verdict'), 'Draw a digit.');
  await page.locator('#lenet-pad').scrollIntoViewIfNeeded();
  const pad = await page.locator('#lenet-pad').boundingBox();
  // A "7": a bar across the top, then a stroke down to the lower left.
  await page.mouse.move(pad.x + pad.width * 0.3, pad.y + pad.height * 0.2);
  await page.mouse.down();
  await page.mouse.move(pad.x + pad.width * 0.72, pad.y + pad.height * 0.2, { steps: 8 });
  await page.mouse.move(pad.x + pad.width * 0.45, pad.y + pad.height * 0.85, { steps: 12 });
  await page.mouse.up();
  assert.match(await page.textContent('#lenet-verdict'), /^LeNet-5 reads a \d \([\d.]+ %\)$/);
  assert.deepEqual(await tiles(), [6, 6, 6, 16, 16, 16]);
  assert.equal(await page.isHidden('#lenet-error'), true);
});

test('no console errors, page errors or failed requests', () => {
  assert.deepEqual(ctx.problems, []);
});
