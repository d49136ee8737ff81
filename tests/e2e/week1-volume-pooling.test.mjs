// End to end: the week-1 widgets beyond lecture 02 — padding coverage and corners (04), volume
// and one layer (06-07), pooling with padding, global average pooling and pooling of the edge map
// (09), 1D and 3D convolution (43). Fails on any console error or page error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openPlayground } from './browser.mjs';
import { readGrid, slide, pixel, RED, showWidgets } from './helpers.mjs';

let ctx;
before(async () => {
  ctx = await openPlayground();
  await ctx.page.goto(ctx.server.url);
  await ctx.page.waitForSelector('html[data-ready="true"]', { timeout: 30_000 });
  await showWidgets(ctx.page);
});
after(async () => {
  await ctx?.close();
});

const text = (sel) => ctx.page.textContent(sel);
const corners = () => ctx.page.$$eval('#conv-corners li', (lis) => lis.map((li) => li.textContent));
const coverageRow = (y) => ctx.page.$$eval(`#conv-coverage-grid .slot[data-y="${y}"]`, (els) => els.map((e) => Number(e.textContent)));

test('padding (lecture 04): valid reads corners once, same padding evens the border out', async () => {
  assert.deepEqual(await coverageRow(0), [1, 2, 3, 3, 2, 1]);
  assert.deepEqual(await coverageRow(2), [3, 6, 9, 9, 6, 3]);
  assert.deepEqual(await corners(), [
    'top-left output (1, 1): input rows 1–3, columns 1–3',
    'top-right output (1, 4): input rows 1–3, columns 4–6',
    'bottom-left output (4, 1): input rows 4–6, columns 1–3',
    'bottom-right output (4, 4): input rows 4–6, columns 4–6',
  ]);
  await ctx.page.click('#conv-same');
  assert.match(await text('#conv-formula'), /⌊\(6 \+ 2·1 − 3\) \/ 1⌋ \+ 1 = ⌊5 \/ 1⌋ \+ 1 = 6/);
  assert.deepEqual(await coverageRow(0), [4, 6, 6, 6, 6, 4]);
  assert.deepEqual(await corners(), [
    'top-left output (1, 1): input rows 1–2, columns 1–2, plus 5 zeros of padding',
    'top-right output (1, 6): input rows 1–2, columns 5–6, plus 5 zeros of padding',
    'bottom-left output (6, 1): input rows 5–6, columns 1–2, plus 5 zeros of padding',
    'bottom-right output (6, 6): input rows 5–6, columns 5–6, plus 5 zeros of padding',
  ]);
  await slide(ctx.page, '#conv-stride', 2);
  // Stride 2: 3x3 windows at padded rows 0-2, 2-4, 4-6 overlap on every other input row.
  assert.deepEqual(await coverageRow(0), [1, 2, 1, 2, 1, 1]);
  assert.deepEqual(await coverageRow(1), [2, 4, 2, 4, 2, 2]);
  await slide(ctx.page, '#conv-stride', 1);
  await ctx.page.click('#conv-valid');
});

const volumeOut = (k) => readGrid(ctx.page, `#volume-filters [data-filter="${k}"] .grid[data-cols]`, 'button');

test('volume (lecture 06): one channel only, all channels, filters stacked 4x4xk', async () => {
  // Filter 1 sees only the red channel, which holds lecture 02's image: lecture 02's output.
  assert.deepEqual(await volumeOut(0), [[-5, -4, 0, 8], [-10, -2, 2, 3], [0, -2, -4, -7], [-3, -2, -3, -16]]);
  // Filter 2 sees all three: + 30 at the green bright-left edge, + 0 from the blue horizontal bands.
  assert.deepEqual(await volumeOut(1), [[-5, 26, 30, 8], [-10, 28, 32, 3], [0, 28, 26, -7], [-3, 28, 27, -16]]);
  assert.match(await text('#volume-shape'), /^6×6×3 ∗ 2 filters of 3×3×3 → 4×4×2/);
  await ctx.page.hover('#volume-filters [data-filter="1"] button[data-y="0"][data-x="1"]');
  const explanation = await text('#volume-explanation');
  assert.match(explanation, /Filter 2, output row 1, column 2: the 3×3×3 window at rows 1–3, columns 2–4 of all three channels, 27 products/);
  assert.match(explanation, /sum of the products \+ bias 0 = 26/);
  assert.equal(await ctx.page.$$eval('#volume-input .in-window', (els) => els.length), 27);
});

test('one layer (lecture 07): bias and ReLU, 280 parameters for ten 3x3x3 filters whatever the image', async () => {
  const { page } = ctx;
  assert.match(await text('#volume-params'), /\(3·3·3 \+ 1\)·2 = 56\. On a 1000×1000×3 image the same layer still has 56/);
  const bias = page.locator('#volume-filters [data-filter="0"] input[aria-label="Filter 1 bias"]');
  await bias.fill('5');
  await bias.dispatchEvent('change');
  await page.check('#volume-relu');
  assert.deepEqual(await volumeOut(0), [[0, 1, 5, 13], [0, 3, 7, 8], [5, 3, 1, 0], [2, 3, 2, 0]]);
  await page.hover('#volume-filters [data-filter="0"] button[data-y="1"][data-x="0"]');
  assert.match(await text('#volume-sum'), /bias 5 = -5 → ReLU: max\(0, -5\) = 0$/);
  await slide(page, '#volume-k', 10);
  assert.match(await text('#volume-params'), /\(3·3·3 \+ 1\)·10 = 280\. On a 1000×1000×3 image the same layer still has 280/);
  assert.match(await text('#volume-shape'), /→ 4×4×10/);
  assert.equal(await page.$$eval('#volume-filters .filter-card', (c) => c.length), 10);
  // One channel only, in blue: the horizontal edge of the bright-top half.
  await page.selectOption('#volume-filters [data-filter="3"] select', 'horizontal-blue');
  assert.deepEqual(await volumeOut(3), [[0, 0, 0, 0], [30, 30, 30, 30], [30, 30, 30, 30], [0, 0, 0, 0]]);
  assert.equal(await page.isHidden('#volume-error'), true);
});

test('pooling (lecture 09): padding, global average pooling 7x7x1000', async () => {
  const { page } = ctx;
  await slide(page, '#pool-p', 1);
  assert.deepEqual(await readGrid(page, '#pool-output-grid', 'button'), [[1, 3, 1], [2, 9, 3], [5, 6, 2]]);
  assert.match(await text('#pool-formula'), /⌊\(4 \+ 2·1 − 2\) \/ 2⌋ \+ 1 = ⌊4 \/ 2⌋ \+ 1 = 3 \(padding never wins a max\)/);
  await slide(page, '#pool-p', 2);
  assert.match(await text('#pool-error'), /pooling padding 2\+2 must be smaller than the window 2/);
  await slide(page, '#pool-p', 0);
  assert.equal(await page.isHidden('#pool-error'), true);
  await page.click('#pool-global');
  assert.match(await text('#pool-global-result'), /^tract pooled 1000 channels of 7×7 activations to shape \[1000, 1, 1\] \(1×1×1000\): channel 1 is the mean of its 49 values = [\d.]+/);
});

test('pooling the edge-filtered image halves it', async () => {
  const { page } = ctx;
  await page.selectOption('#edge-pool', 'max');
  assert.deepEqual(await page.$eval('#edge-output', (c) => [c.width, c.height]), [127, 127]);
  assert.equal(await text('#edge-output-caption'), 'Output 254×254, then max pooling → 127×127 (both by tract)');
  // Pooled column 63 covers filtered columns 126-127, the bright | dark edge.
  assert.deepEqual(await pixel(page, '#edge-output', 63, 50), RED);
  await page.selectOption('#edge-pool', 'none');
  assert.deepEqual(await page.$eval('#edge-output', (c) => [c.width, c.height]), [254, 254]);
});

test('1D (lecture 43): 14 samples with a 5-tap filter give 10, explained', async () => {
  const { page } = ctx;
  assert.equal(await page.$eval('#signal-output', (g) => g.dataset.length), '10');
  assert.match(await text('#signal-formula'), /⌊\(14 \+ 2·0 − 5\) \/ 1⌋ \+ 1 = ⌊9 \/ 1⌋ \+ 1 = 10/);
  await page.hover('#signal-output button[data-i="0"]');
  assert.equal(await text('#signal-explanation'), 'Output 1 reads samples 1–5: 0·(-1) + 0.2·(-2) + 0·0 + (-0.3)·2 + 1.6·1 = 0.6');
  assert.equal(await page.$$eval('#signal-input .in-window', (els) => els.length), 5);
  await page.selectOption('#signal-filter', 'smooth');
  const first = Number(await page.textContent('#signal-output button[data-i="0"]'));
  assert.ok(Math.abs(first - 0.3) < 0.01, `moving average of 0, 0.2, 0, -0.3, 1.6 is 0.3, got ${first}`);
});

test('3D (lecture 43): 14x14x14 with 5x5x5 gives 10x10x10, shown as slices', async () => {
  const { page } = ctx;
  assert.equal(await page.$eval('#volume3-output', (c) => c.dataset.shape), '1x10x10x10');
  assert.match(await text('#volume3-formula'), /^14×14×14 ∗ 5×5×5 → 10×10×10: each side ⌊\(14 \+ 2·0 − 5\) \/ 1⌋ \+ 1 = ⌊9 \/ 1⌋ \+ 1 = 10/);
  assert.match(await text('#volume3-reads'), /^Output slice 3 reads input slices 3–7;/);
  await slide(page, '#volume3-out-depth', 0);
  assert.match(await text('#volume3-reads'), /^Output slice 1 reads input slices 1–5;/);
  await page.selectOption('#volume3-filter', 'average');
  assert.equal(await page.isHidden('#generalize-error'), true);
});

test('no console errors or page errors', () => {
  assert.deepEqual(ctx.problems, []);
});
