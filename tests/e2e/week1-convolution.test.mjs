// End to end: the playground page in headless Chromium. Loads the page, checks the course's worked
// example as rendered, changes controls, reads the rendered output, and fails on any console
// error or page error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openPlayground } from './browser.mjs';
import { readGrid, slide, pixel, RED, WHITE, showWidgets } from './helpers.mjs';

let ctx;
before(async () => {
  ctx = await openPlayground();
  const response = await ctx.page.goto(ctx.server.url);
  assert.equal(response.status(), 200);
  await ctx.page.waitForSelector('html[data-ready="true"]', { timeout: 30_000 });
  await showWidgets(ctx.page);
});
after(async () => {
  await ctx?.close();
});

/** The output grid as rows of numbers, read from the DOM. */
async function outputGrid(page) {
  return page.$eval('#conv-output-grid', (grid) => {
    const rows = Number(grid.dataset.rows);
    const cols = Number(grid.dataset.cols);
    const values = [...grid.querySelectorAll('button')].map((b) => Number(b.textContent));
    return Array.from({ length: rows }, (_, r) => values.slice(r * cols, (r + 1) * cols));
  });
}

test('the wasm module is served as application/wasm', async () => {
  const res = await fetch(new URL('pkg/cnn_playground_bg.wasm', ctx.server.url));
  assert.equal(res.headers.get('content-type'), 'application/wasm');
});

test('lecture 02 worked example is rendered exactly', async () => {
  assert.deepEqual(await outputGrid(ctx.page), [
    [-5, -4, 0, 8],
    [-10, -2, 2, 3],
    [0, -2, -4, -7],
    [-3, -2, -3, -16],
  ]);
  const formula = await ctx.page.textContent('#conv-formula');
  assert.match(formula, /⌊\(6 \+ 2·0 − 3\) \/ 1⌋ \+ 1 = ⌊3 \/ 1⌋ \+ 1 = 4/);
  assert.match(await ctx.page.textContent('#conv-check'), /agrees to 0 /);
});

test('hovering an output cell explains it and highlights its window', async () => {
  await ctx.page.hover('#conv-output-grid button[data-y="0"][data-x="1"]');
  const sum = await ctx.page.textContent('#conv-sum');
  assert.equal(sum.replace(/\s+/g, ' '), '0·1 + 1·0 + 2·(-1) + 5·1 + 8·0 + 9·(-1) + 7·1 + 2·0 + 5·(-1) = -4');
  assert.match(await ctx.page.textContent('#conv-explanation'), /Output row 1, column 2 reads rows 1–3, columns 2–4 of the input:/);
  const highlighted = await ctx.page.$$eval('#conv-input-grid .in-window', (els) => els.map((e) => `${e.dataset.y},${e.dataset.x}`));
  assert.deepEqual(highlighted, ['0,1', '0,2', '0,3', '1,1', '1,2', '1,3', '2,1', '2,2', '2,3']);
});

test('padding and stride sliders change the rendered output and formula', async () => {
  const { page } = ctx;
  await page.$eval('#conv-stride', (el) => { el.value = '2'; el.dispatchEvent(new Event('input', { bubbles: true })); });
  assert.deepEqual(await outputGrid(page), [[-5, 0], [0, -4]]);
  await page.$eval('#conv-padding', (el) => { el.value = '1'; el.dispatchEvent(new Event('input', { bubbles: true })); });
  assert.match(await page.textContent('#conv-formula'), /⌊\(6 \+ 2·1 − 3\) \/ 2⌋ \+ 1 = ⌊5 \/ 2⌋ \+ 1 = 3/);
  const grid = await outputGrid(page);
  assert.equal(grid.length, 3);
  assert.equal(grid[0][0], -5); // top-left reads zeros in column 0 and image column 1: -(0 + 5)
  assert.equal(await page.$$eval('#conv-input-grid .pad', (els) => els.length), 8 * 8 - 36);
  await page.click('#conv-valid');
  await page.$eval('#conv-stride', (el) => { el.value = '1'; el.dispatchEvent(new Event('input', { bubbles: true })); });
  assert.equal((await outputGrid(page)).length, 4);
});

test('stride: 7x7 with f = 3, s = 2 gives 3x3; a stride that does not tile hatches what is never read', async () => {
  const { page } = ctx;
  await page.selectOption('#conv-input', 'stride-7x7');
  await slide(page, '#conv-stride', 2);
  assert.equal((await outputGrid(page)).length, 3);
  assert.match(await page.textContent('#conv-formula'), /⌊\(7 \+ 2·0 − 3\) \/ 2⌋ \+ 1 = ⌊4 \/ 2⌋ \+ 1 = 3/);
  assert.equal(await page.textContent('#conv-tiling'), '');
  await slide(page, '#conv-stride', 3);
  assert.equal(await page.textContent('#conv-tiling'), 'Stride 3 does not tile the 7×7 input: the last 1 row and column (hatched) are never read, hence the floor.');
  assert.equal(await page.$$eval('#conv-input-grid .unread', (els) => els.length), 13); // row 7 and column 7
  await slide(page, '#conv-stride', 1);
  await page.selectOption('#conv-input', 'course');
});

test('presets: the half-bright images give the thick edge of lectures 02-03', async () => {
  const { page } = ctx;
  await page.selectOption('#conv-input', 'bright-left');
  assert.deepEqual(await outputGrid(page), Array(4).fill([0, 30, 30, 0]));
  await page.selectOption('#conv-input', 'bright-right');
  assert.deepEqual(await outputGrid(page), Array(4).fill([0, -30, -30, 0]));
  await page.selectOption('#conv-filter', 'horizontal');
  assert.deepEqual(await outputGrid(page), Array(4).fill([0, 0, 0, 0]));
});

test('editing a kernel cell recomputes; an invalid cell shows an error and the page recovers', async () => {
  const { page } = ctx;
  await page.selectOption('#conv-input', 'course');
  await page.selectOption('#conv-filter', 'identity');
  assert.deepEqual(await outputGrid(page), [[5, 8, 9, 3], [7, 2, 5, 1], [1, 3, 1, 7], [2, 1, 6, 2]]);
  const centre = page.locator('#conv-kernel-grid input').nth(4);
  await centre.fill('2');
  await centre.dispatchEvent('change');
  assert.equal((await outputGrid(page))[0][0], 10);
  assert.equal(await page.inputValue('#conv-filter'), 'custom');
  await centre.fill('');
  await centre.dispatchEvent('change');
  // The message names the cell as the grid shows it, stands right under the grids (not at the
  // widget's foot), and the output it makes out of date is greyed until the cell is valid again.
  assert.equal(await page.textContent('#conv-error'), 'weight value at row 2, column 2 is NaN: type a finite number there');
  assert.equal(await page.$eval('#conv-error', (e) => e.previousElementSibling.classList.contains('equation')), true);
  assert.equal(await page.getAttribute('#conv-output-grid', 'data-stale'), 'true');
  assert.equal(await page.$eval('#conv-output-grid', (g) => getComputedStyle(g).opacity), '0.35');
  await centre.fill('1');
  await centre.dispatchEvent('change');
  assert.equal(await page.isHidden('#conv-error'), true);
  assert.equal(await page.getAttribute('#conv-output-grid', 'data-stale'), null);
  assert.equal((await outputGrid(page))[0][0], 5);
});

test('huge values fit their cells: 1e30 in an input cell', async () => {
  const { page } = ctx;
  await page.selectOption('#conv-input', 'course');
  await page.selectOption('#conv-filter', 'vertical');
  const first = page.locator('#conv-input-grid input').first();
  await first.fill('1e30');
  await first.dispatchEvent('change');
  assert.equal(await page.textContent('#conv-output-grid button[data-y="0"][data-x="0"]'), '1e30');
  // No cell's text runs past its box, and the grids do not push the widget wider than its card.
  const overflowing = await page.$$eval('#conv-explainer .slot', (cells) => cells.filter((c) => c.scrollWidth > c.clientWidth + 1).length);
  assert.equal(overflowing, 0);
  assert.equal(await page.$eval('#conv-explainer', (e) => e.scrollWidth <= e.clientWidth), true);
  await page.selectOption('#conv-input', 'course');
});

test('pooling: lecture 09 example, argmax, average and stride', async () => {
  const { page } = ctx;
  assert.deepEqual(await readGrid(page, '#pool-output-grid', 'button'), [[9, 2], [6, 3]]);
  await page.hover('#pool-output-grid button[data-y="1"][data-x="0"]');
  assert.equal(await page.textContent('#pool-explanation'), 'max(1, 3, 5, 6) = 6 (from row 4, column 2)');
  assert.deepEqual(await page.$$eval('#pool-input-grid .argmax', (els) => els.map((e) => `${e.dataset.y},${e.dataset.x}`)), ['3,1']);
  await page.selectOption('#pool-mode', 'avg');
  assert.deepEqual(await readGrid(page, '#pool-output-grid', 'button'), [[3.75, 1.25], [3.75, 2]]);
  await slide(page, '#pool-s', 1);
  assert.match(await page.textContent('#pool-formula'), /= 3$/);
  assert.equal((await readGrid(page, '#pool-output-grid', 'button')).length, 3);
  await slide(page, '#pool-f', 4);
  await slide(page, '#pool-s', 2);
  assert.deepEqual(await readGrid(page, '#pool-output-grid', 'button'), [[2.69]]); // 43 / 16
  await page.selectOption('#pool-mode', 'max');
  assert.deepEqual(await readGrid(page, '#pool-output-grid', 'button'), [[9]]);
});

test('network shapes: lecture 10 and lecture 08 presets, editing and errors', async () => {
  const { page } = ctx;
  const shapes = () => page.$$eval('#net-table td[data-shape]', (tds) => tds.map((td) => td.textContent));
  assert.deepEqual(await shapes(), ['32×32×3', '28×28×6', '14×14×6', '10×10×16', '5×5×16', '400', '120', '84', '10']);
  assert.equal(await page.textContent('#net-total'), 'Total parameters: 62,006');
  assert.match(await page.textContent('#net-compare'), /14,455,392 parameters; six 5×5 filters take 456/);
  await page.selectOption('#net-preset', 'lecture-08');
  assert.deepEqual(await shapes(), ['39×39×3', '37×37×10', '17×17×20', '7×7×40', '1960']);
  await page.fill('#net-2-f', '19');
  await page.dispatchEvent('#net-2-f', 'change');
  assert.match(await page.textContent('#net-error'), /^layer 3 \(conv 19×19, stride 2, padding 0, 40 filters\) on \[20, 17, 17\]: kernel 19 larger than input 17$/);
  await page.fill('#net-2-f', '5');
  await page.dispatchEvent('#net-2-f', 'change');
  assert.equal(await page.isHidden('#net-error'), true);
  assert.equal(await page.textContent('#net-total'), 'Total parameters: 25,340');
});

test('network shapes: lecture 01\'s fully connected layer on a 1000×1000 photo, and the network in the address', async () => {
  const { page } = ctx;
  await page.selectOption('#net-preset', 'lecture-01');
  assert.deepEqual(await page.$$eval('#net-table td[data-shape]', (tds) => tds.map((td) => td.textContent)), ['1000×1000×3', '3000000', '1000']);
  assert.equal(await page.textContent('#net-total'), 'Total parameters: 3,000,001,000');
  assert.match(await page.textContent('#net-lesson'), /^Lecture 01: a 1000×1000×3 photo is 3,000,000 inputs; a fully connected first layer of 1,000 units needs 3,000,001,000 parameters, 12 GB of float32 weights/);
  // The layers live in the address: a link reproduces the network, edited or not.
  await page.fill('#net-1-units', '10');
  await page.dispatchEvent('#net-1-units', 'change');
  assert.equal(new URL(page.url()).searchParams.get('shapes.net'), '3.1000.1000_f_d10');
  assert.equal(await page.inputValue('#net-preset'), 'custom');
  const linked = await ctx.context.newPage();
  try {
    await linked.goto(`${ctx.server.url}?shapes.net=3.39.39_c3.1.0.10_m2.2_f_d10`);
    await linked.waitForSelector('html[data-ready="true"]', { timeout: 30_000 });
    assert.deepEqual(await linked.$$eval('#net-table td[data-shape]', (tds) => tds.map((td) => td.textContent)), ['39×39×3', '37×37×10', '18×18×10', '3240', '10']);
    await linked.goto(`${ctx.server.url}?shapes.net=3.39.39_q7`);
    await linked.waitForSelector('html[data-ready="true"]', { timeout: 30_000 });
    assert.match(await linked.textContent('#net-error'), /^The network in the address could not be read \("q7" is not a layer/);
  } finally {
    await linked.close();
  }
  await page.selectOption('#net-preset', 'lecture-10');
});

test('edge lab: bright-left image, vertical filter, heatmap and hover sum', async () => {
  const { page } = ctx;
  // Valid convolution: 256 - 3 + 1 = 254 per side.
  assert.deepEqual(await page.$eval('#edge-output', (c) => [c.width, c.height]), [254, 254]);
  // Input columns 127 | 128 are the bright | dark boundary; output columns 126 and 127 read it:
  // 3·255 = 765, the full-scale red. Flat regions and the border give 0, white.
  assert.deepEqual(await pixel(page, '#edge-output', 126, 100), RED);
  assert.deepEqual(await pixel(page, '#edge-output', 127, 100), RED);
  assert.deepEqual(await pixel(page, '#edge-output', 125, 100), WHITE);
  assert.deepEqual(await pixel(page, '#edge-output', 0, 100), WHITE);
  assert.deepEqual(await page.$$eval('#edge-bar-labels span', (s) => s.map((e) => e.textContent)), ['-765', '0', '765']);
  // The colour bar shows the map the heatmap is painted with, from Rust: blue, white, red.
  assert.match(await page.$eval('#edge-bar', (b) => b.style.background), /rgb\(52, 120, 198\), rgb\(255, 255, 255\), rgb\(214, 69, 65\)/);
  const output = page.locator('#edge-output');
  await output.scrollIntoViewIfNeeded();
  const [w, h] = await output.evaluate((c) => [c.clientWidth, c.clientHeight]);
  await output.hover({ position: { x: (126.5 * w) / 254, y: (100.5 * h) / 254 } });
  assert.equal(await page.textContent('#edge-info'), 'Output pixel (row 101, column 127) reads grey input rows 101–103, columns 127–129: 255·1 + 255·0 + 0·(-1) + 255·1 + 255·0 + 0·(-1) + 255·1 + 255·0 + 0·(-1) = 765');
  await page.check('#edge-abs');
  assert.deepEqual(await page.$$eval('#edge-bar-labels span', (s) => s.map((e) => e.textContent)), ['0', '765']);
  assert.match(await page.$eval('#edge-bar', (b) => b.style.background), /rgb\(0, 0, 0\), rgb\(128, 128, 128\), rgb\(255, 255, 255\)/);
  assert.deepEqual(await pixel(page, '#edge-output', 126, 100), WHITE);
  assert.deepEqual(await pixel(page, '#edge-output', 0, 100), [0, 0, 0, 255]);
  await page.uncheck('#edge-abs');
  await page.selectOption('#edge-filter', 'horizontal');
  assert.deepEqual(await pixel(page, '#edge-output', 127, 100), WHITE);
  await page.selectOption('#edge-source', 'gen:checkerboard');
  await page.selectOption('#edge-filter', 'sobel-x');
  assert.equal(await page.isHidden('#edge-error'), true);
});

test('edge lab: a large user image is scaled down with a notice; a non-image file gets a message', async () => {
  const { page } = ctx;
  const png = await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(3000, 1500);
    const g = canvas.getContext('2d');
    g.fillStyle = '#fff';
    g.fillRect(0, 0, 1500, 1500);
    const blob = await canvas.convertToBlob({ type: 'image/png' });
    return [...new Uint8Array(await blob.arrayBuffer())];
  });
  await page.setInputFiles('#edge-file', { name: 'big.png', mimeType: 'image/png', buffer: Buffer.from(png) });
  await page.waitForFunction(() => document.querySelector('#edge-output').width === 1022);
  assert.equal(await page.textContent('#edge-notice'), 'Scaled “big.png” from 3000×1500 to 1024×512 (limit 1024 pixels per side).');
  assert.deepEqual(await page.$eval('#edge-output', (c) => [c.width, c.height]), [1022, 510]);
  // The bright | dark boundary lands at input column 512 (output column 510 reads 510-512);
  // resampling may soften it by a few levels.
  const [r, g, b] = await pixel(page, '#edge-output', 510, 255);
  assert.ok(r > 200 && g < 100 && b < 100, `strong positive edge expected, got ${[r, g, b]}`);

  await page.selectOption('#edge-source', 'gen:circle');
  await page.setInputFiles('#edge-file', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a picture') });
  await page.waitForSelector('#edge-error:not([hidden])');
  assert.match(await page.textContent('#edge-error'), /^“notes\.txt” is not an image this browser can decode \(type text\/plain\)/);
  // The circle is still shown, and the select says so (it said "Image file…" before).
  assert.equal(await page.inputValue('#edge-source'), 'gen:circle');
  await page.selectOption('#edge-source', 'gen:bright-left');
  assert.equal(await page.isHidden('#edge-error'), true);
});

test('edge lab: the hover line is cleared with a new image; a 5×5 kernel and back restores the chosen 3×3 filter', async () => {
  const { page } = ctx;
  await page.selectOption('#edge-filter', 'horizontal');
  const output = page.locator('#edge-output');
  await output.scrollIntoViewIfNeeded();
  await output.hover({ position: { x: 30, y: 30 } });
  assert.match(await page.textContent('#edge-info'), /^Output pixel/);
  await page.selectOption('#edge-source', 'gen:circle');
  assert.equal(await page.textContent('#edge-info'), '');
  await page.selectOption('#edge-kernel-size', '5');
  assert.equal(await page.inputValue('#edge-filter'), 'custom');
  assert.equal(await page.$$eval('#edge-kernel input', (c) => c.length), 25);
  await page.selectOption('#edge-kernel-size', '3');
  assert.equal(await page.inputValue('#edge-filter'), 'horizontal');
  assert.deepEqual(await page.$$eval('#edge-kernel input', (c) => c.map((x) => Number(x.value))), [1, 1, 1, 0, 0, 0, -1, -1, -1]);
  await page.selectOption('#edge-filter', 'vertical');
  await page.selectOption('#edge-source', 'gen:bright-left');
});

test('edge lab: bundled photos load with their licence', async () => {
  const { page } = ctx;
  await page.selectOption('#edge-source', 'photo:coffee');
  await page.waitForFunction(() => document.querySelector('#edge-output').height === 211);
  assert.equal(await page.textContent('#edge-notice'), '“Coffee cup”, 320×213. Photo: CC0 by the photographer (Rachel Michetti).');
  assert.equal(await page.isHidden('#edge-error'), true);
});

test('no console errors or page errors', () => {
  assert.deepEqual(ctx.problems, []);
});
