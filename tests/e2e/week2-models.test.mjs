// End to end: week 2 — LeNet-5 (a held-out digit and a drawn one through the trained network,
// with every feature map), the model explorer (bundled models, the classic architectures, a file
// through the file input, a broken file, a model address in the URL) and the bottleneck cost.
// Fails on any console error, page error or failed request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { showWidgets } from './helpers.mjs';
import { openPlayground, WWW } from './browser.mjs';

let ctx;
before(async () => {
  ctx = await openPlayground();
  await ctx.page.goto(ctx.server.url);
  await ctx.page.waitForSelector('html[data-ready="true"]', { timeout: 30_000 });
  await showWidgets(ctx.page);
  await ctx.page.waitForSelector('#lenet-lab[data-ready="true"]', { timeout: 30_000 });
  await ctx.page.waitForSelector('#explorer[data-ready="true"]', { timeout: 30_000 });
  await ctx.page.waitForSelector('#augmentation[data-ready="true"]', { timeout: 30_000 });
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

test('LeNet-5 does not read a dot as a confident digit: the drawing is too small', async () => {
  const { page } = ctx;
  await page.click('#lenet-clear');
  await page.locator('#lenet-pad').scrollIntoViewIfNeeded();
  const pad = await page.locator('#lenet-pad').boundingBox();
  await page.mouse.move(pad.x + pad.width * 0.5, pad.y + pad.height * 0.5);
  await page.mouse.down();
  await page.mouse.move(pad.x + pad.width * 0.51, pad.y + pad.height * 0.51, { steps: 2 });
  await page.mouse.up();
  assert.match(await page.textContent('#lenet-verdict'), /^Too small to read: the drawing spans \d+ of 224 pixels\. Draw the digit larger/);
  assert.equal(await page.$$eval('#lenet-probs .bar-row', (r) => r.length), 0);
  await page.click('#lenet-clear');
});

const total = () => ctx.page.textContent('#explorer-total-params');

test('explorer (lectures 13-18): LeNet-5 layer by layer with feature maps, values on hover', async () => {
  const { page } = ctx;
  assert.equal(await total(), '61,706');
  assert.equal(await page.textContent('#explorer-total-macs'), '416,520');
  assert.equal(await page.$$eval('#explorer-maps figure', (f) => f.length), 6);
  const windows = await page.$$eval('#explorer-table td.window', (tds) => tds.map((td) => td.textContent).filter(Boolean));
  assert.deepEqual(windows, ['5×5, s 1, p 0', '2×2, s 2, p 0', '5×5, s 1, p 0', '2×2, s 2, p 0']);
  const tile = page.locator('#explorer-maps canvas').first();
  await tile.scrollIntoViewIfNeeded();
  await tile.click();
  const large = page.locator('#explorer-large');
  await large.scrollIntoViewIfNeeded();
  const box = await large.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  assert.match(await page.textContent('#explorer-value'), /^\/conv1\/Conv, channel 1, row 15, column 15: -?\d+\.\d{4}$/);
});

test('what deep ConvNets learn (lecture 39): the held-out digits that excite a LeNet-5 channel most', async () => {
  const { page } = ctx;
  await page.selectOption('#learn-layer', '5');
  await page.fill('#learn-channel', '3');
  await page.click('#learn-run');
  await page.waitForFunction(() => /channel 3: the 9 strongest of 360 held-out digits/.test(document.querySelector('#learn-status').textContent));
  assert.match(await page.textContent('#learn-status'), /each position sees 16×16 input pixels, 4 apart/);
  const found = await page.$$eval('#learn-patches figure', (fs) => fs.map((f) => ({ value: Number(f.dataset.value), input: Number(f.dataset.input), w: f.querySelector('canvas').width })));
  assert.equal(found.length, 9);
  assert.ok(found.every((f, i) => i === 0 || found[i - 1].value >= f.value), JSON.stringify(found));
  assert.equal(new Set(found.map((f) => f.input)).size, 9);
  assert.ok(found.every((f) => f.w === 16));
  // A channel the layer does not have is named as the page numbers it, from 1.
  await page.fill('#learn-channel', '99');
  await page.click('#learn-run');
  await page.waitForFunction(() => /does not exist/.test(document.querySelector('#learn-status').textContent));
  assert.match(await page.textContent('#learn-status'), /channel 99 does not exist: layer 6 \(\/MaxPool_1\) has 16 channels, numbered 1 to 16/);
  await page.fill('#learn-channel', '3');
  // A first-layer channel sees 5x5 patches.
  await page.selectOption('#learn-layer', '0');
  await page.waitForFunction(() => /each position sees 5×5 input pixels/.test(document.querySelector('#learn-status').textContent));
});

test('explorer: the classic architectures have the course\'s shapes and parameter counts', async () => {
  const { page } = ctx;
  for (const [name, params] of [['alexnet', '62,378,344'], ['vgg16', '138,357,544'], ['resnet34', '21,797,672'], ['lenet5', '61,706']]) {
    await page.selectOption('#explorer-model', `arch:${name}`);
    assert.equal(await total(), params, name);
  }
  await page.selectOption('#explorer-model', 'arch:inception-module');
  const shapes = await page.$$eval('#explorer-table td[data-shape]', (tds) => tds.map((td) => td.textContent));
  // Shapes as the course writes them, with the NCHW form a click away.
  assert.equal(shapes.at(-1), '28×28×256');
  await page.check('#explorer-nchw');
  assert.equal((await page.$$eval('#explorer-table td[data-shape]', (tds) => tds.map((td) => td.textContent))).at(-1), '[1, 256, 28, 28]');
  await page.uncheck('#explorer-nchw');
  assert.equal(await total(), '163,696');
});

test('explorer: feature maps of a bundled photo and of the learner\'s own image, not only of the generated sample', async () => {
  const { page } = ctx;
  await page.selectOption('#explorer-model', 'bundled:lenet5-digits');
  await page.waitForFunction(() => /loaded and optimised by tract/.test(document.querySelector('#explorer-status').textContent));
  const firstMap = () => page.$eval('#explorer-maps canvas.map', (c) => c.toDataURL());
  const sample = await firstMap();
  await page.selectOption('#explorer-input', 'photo:astronaut');
  await page.waitForFunction(() => /feature maps of the astronaut photo/.test(document.querySelector('#explorer-status').textContent));
  const photo = await firstMap();
  assert.notEqual(photo, sample);
  const png = await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(64, 48);
    const g = canvas.getContext('2d');
    g.fillStyle = '#fff';
    g.fillRect(0, 0, 64, 48);
    g.fillStyle = '#000';
    g.fillRect(20, 4, 8, 40);
    const blob = await canvas.convertToBlob({ type: 'image/png' });
    return [...new Uint8Array(await blob.arrayBuffer())];
  });
  await page.setInputFiles('#explorer-image-file', { name: 'bar.png', mimeType: 'image/png', buffer: Buffer.from(png) });
  await page.waitForFunction(() => /feature maps of your image/.test(document.querySelector('#explorer-status').textContent));
  assert.notEqual(await firstMap(), photo);
  assert.equal(await page.inputValue('#explorer-input'), 'file');
  await page.selectOption('#explorer-input', 'sample');
  await page.waitForFunction(() => /feature maps of a generated sample/.test(document.querySelector('#explorer-status').textContent));
  assert.equal(await firstMap(), sample);
});

test('explorer: feature maps of the learner\'s drawing, LeNet-5 seeing it as the digit pad does', async () => {
  const { page } = ctx;
  await page.selectOption('#explorer-model', 'bundled:lenet5-digits');
  await page.waitForFunction(() => /loaded and optimised by tract/.test(document.querySelector('#explorer-status').textContent));
  const firstMap = () => page.$eval('#explorer-maps canvas.map', (c) => c.toDataURL());
  assert.equal(await page.isHidden('#explorer-pad'), true);
  await page.selectOption('#explorer-input', 'draw');
  await page.waitForFunction(() => /feature maps of your drawing/.test(document.querySelector('#explorer-status').textContent));
  assert.equal(await page.isVisible('#explorer-pad'), true);
  const blank = await firstMap();
  // A vertical stroke: the maps change once it ends.
  await page.locator('#explorer-pad').scrollIntoViewIfNeeded();
  const pad = await page.locator('#explorer-pad').boundingBox();
  await page.mouse.move(pad.x + pad.width * 0.5, pad.y + pad.height * 0.15);
  await page.mouse.down();
  await page.mouse.move(pad.x + pad.width * 0.5, pad.y + pad.height * 0.85, { steps: 8 });
  await page.mouse.up();
  await page.waitForFunction((b) => document.querySelector('#explorer-maps canvas.map')?.toDataURL() !== b, blank, { timeout: 30_000 });
  await page.click('#explorer-pad-clear');
  await page.waitForFunction((b) => document.querySelector('#explorer-maps canvas.map')?.toDataURL() === b, blank, { timeout: 30_000 });
  await page.selectOption('#explorer-input', 'sample');
  assert.equal(await page.isHidden('#explorer-pad'), true);
  assert.equal(await page.isHidden('#explorer-error'), true);
});

test('explorer: a model file through the file input, and a broken one', async () => {
  const { page } = ctx;
  const bytes = await readFile(join(WWW, 'models', 'shapes-detector.onnx'));
  await page.setInputFiles('#explorer-file', { name: 'my-detector.onnx', mimeType: 'application/octet-stream', buffer: bytes });
  await page.waitForFunction(() => /^my-detector\.onnx: loaded/.test(document.querySelector('#explorer-status').textContent));
  assert.match(await page.textContent('#explorer-table caption'), /input \[1, 3, 96, 96\] → output \[1, 16, 6, 6\]/);
  assert.ok(await page.$$eval('#explorer-maps figure', (f) => f.length) >= 10);
  // Lecture 39 on the detector: its patches come from generated scenes.
  await page.selectOption('#learn-layer', { index: 6 });
  await page.waitForFunction(() => document.querySelectorAll('#learn-patches figure').length === 9);
  assert.match(await page.textContent('#learn-status'), /the 9 strongest of \d+ generated scenes/);
  // A runnable model without convolutions (tests/fixtures/mlp.onnx, examples/make_fixtures.rs).
  const mlp = await readFile(join(WWW, '..', 'tests', 'fixtures', 'mlp.onnx'));
  await page.setInputFiles('#explorer-file', { name: 'mlp.onnx', mimeType: 'application/octet-stream', buffer: mlp });
  await page.waitForSelector('#explorer-error:not([hidden])');
  assert.match(await page.textContent('#explorer-error'), /not a CNN/);
  assert.equal(await page.isHidden('#learn'), true);
  // An op tract cannot run (tests/fixtures/unknown-op.onnx).
  const unknown = await readFile(join(WWW, '..', 'tests', 'fixtures', 'unknown-op.onnx'));
  await page.setInputFiles('#explorer-file', { name: 'odd.onnx', mimeType: 'application/octet-stream', buffer: unknown });
  await page.waitForFunction(() => /Frobnicate/.test(document.querySelector('#explorer-error').textContent));
  assert.equal(await page.textContent('#explorer-error'), 'odd.onnx: tract cannot run the op Frobnicate (node relu_3_Relu): this model cannot be loaded in the playground');
  await page.setInputFiles('#explorer-file', { name: 'notes.onnx', mimeType: 'application/octet-stream', buffer: Buffer.from('not a model at all') });
  await page.waitForSelector('#explorer-error:not([hidden])');
  assert.match(await page.textContent('#explorer-error'), /^notes\.onnx: cannot read an ONNX model from these 18 bytes/);
  await page.selectOption('#explorer-model', 'bundled:lenet5-digits');
  await page.waitForFunction(() => document.querySelector('#explorer-total-params')?.textContent === '61,706');
  assert.equal(await page.isHidden('#explorer-error'), true);
});

test('explorer: a model address in the page URL', async () => {
  const page = await ctx.context.newPage();
  const problems = [];
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push(msg.text()); });
  page.on('pageerror', (err) => problems.push(err.message));
  try {
    await page.goto(`${ctx.server.url}?model=models/face-detector.onnx`);
    await page.waitForSelector('#explorer[data-ready="true"]', { timeout: 60_000 });
    assert.match(await page.textContent('#explorer-table caption'), /input \[1, 3, 416, 416\] → output \[1, 25, 13, 13\]/);
    // The sliding-windows file leaves height and width open: the explorer says so.
    await page.goto(`${ctx.server.url}?model=models/sliding-windows.onnx`);
    await page.waitForSelector('#explorer[data-ready="true"]', { timeout: 60_000 });
    assert.match(await page.textContent('#explorer-error'), /has unknown sizes besides the batch/);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('residual block (lectures 14-15): zero weights give the identity', async () => {
  const { page } = ctx;
  assert.ok(Number(await page.$eval('#residual-result', (e) => e.dataset.diff)) > 0.05);
  await page.$eval('#residual-scale', (el) => { el.value = '0'; el.dispatchEvent(new Event('input', { bubbles: true })); });
  assert.match(await page.textContent('#residual-result'), /^Largest \|a\[l\+2\] − a\[l\]\| = 0\.0000: with zero weights/);
  assert.equal(await page.$$eval('#residual-out canvas', (c) => c.length), 4);
});

test('data augmentation (lecture 21): every transform runs, LeNet-5 reads the digit before and after', async () => {
  const { page } = ctx;
  const verdict = () => page.$eval('#aug-verdict', (e) => ({ ...e.dataset, text: e.textContent }));
  // The first held-out digit is a 7; a 20° rotation is reported, whatever LeNet-5 makes of it.
  let v = await verdict();
  assert.equal(v.before, '7', v.text);
  assert.match(v.text, /^LeNet-5 reads the digit as 7 \([\d.]+ %\) and the augmented one as \d/);
  // No rotation, no change.
  await page.$eval('#aug-degrees', (el) => { el.value = '0'; el.dispatchEvent(new Event('input', { bubbles: true })); });
  v = await verdict();
  assert.equal(v.after, '7', v.text);
  for (const kind of ['mirror', 'crop', 'shear', 'warp', 'colour', 'pca', 'rotate']) {
    await page.selectOption('#aug-kind', kind);
    assert.equal(await page.isHidden('#aug-error'), true, kind);
  }
  // The photo really changes: compare a pixel of the original and the augmented canvas.
  await page.selectOption('#aug-kind', 'mirror');
  const px = (id, x) => page.$eval(id, (c, xx) => [...c.getContext('2d').getImageData(xx, 64, 1, 1).data], x);
  assert.deepEqual(await px('#aug-photo-out', 10), await px('#aug-photo-in', 117));
  await page.selectOption('#aug-kind', 'colour');
  assert.match((await verdict()).text, /grey digit has none/);
});

test('bottleneck (lecture 17): 120,422,400 multiplications against 12,443,648', async () => {
  const { page } = ctx;
  assert.match(await page.textContent('#bottleneck-1x1'), /^6×6×32 ∗ one 1×1×32 filter → 6×6×1 \(tract\): output \(1, 1\) = ReLU of the 32 channels/);
  // Lecture 16's second example is computed by tract too, not a fixed sentence.
  assert.match(await page.textContent('#bottleneck-1x1'), /28×28×192 ∗ 32 filters of 1×1×192 → 28×28×32 \(tract\): the depth shrinks from 192 to 32 while height and width stay, at 4,816,896 multiplications/);
  assert.equal(await page.getAttribute('#bottleneck-1x1', 'data-big-shape'), '28x28x32');
  assert.match(await page.textContent('#bottleneck-result'), /: 120,422,400 multiplications\. Through a 1×1 bottleneck to 16 channels: 2,408,448 \+ 10,035,200 = 12,443,648 \(9\.7× fewer\)\.$/);
  await page.fill('#bottleneck-r', '32');
  await page.dispatchEvent('#bottleneck-r', 'input');
  assert.match(await page.textContent('#bottleneck-result'), /= 24,887,296 /);
  // Zero input channels is refused by Rust with a sentence.
  await page.fill('#bottleneck-c', '0');
  await page.dispatchEvent('#bottleneck-c', 'input');
  assert.equal(await page.textContent('#bottleneck-error'), 'the number of input channels must be at least 1, not 0');
  // The old result stays readable but greyed: it no longer answers the numbers above it.
  assert.equal(await page.getAttribute('#bottleneck-result', 'data-stale'), 'true');
  await page.fill('#bottleneck-c', '192');
  await page.dispatchEvent('#bottleneck-c', 'input');
  assert.equal(await page.isHidden('#bottleneck-error'), true);
  assert.equal(await page.getAttribute('#bottleneck-result', 'data-stale'), null);
});

test('transfer learning (lecture 20): a new softmax on frozen LeNet-5 features learns letters', async () => {
  const { page } = ctx;
  await page.waitForSelector('#transfer[data-ready="true"]', { timeout: 60_000 });
  // Learning curves: 5 cuts (raw pixels, pool1, pool2, fc1, fc2) × 5 training sizes.
  const table = await page.$$eval('#transfer-curves tr[data-layer]', (rows) => rows.map((r) => ({
    layer: r.dataset.layer, dim: Number(r.children[1].textContent), acc: [...r.querySelectorAll('td[data-accuracy]')].map((td) => Number(td.dataset.accuracy)) })));
  assert.deepEqual(table.map((r) => r.dim), [1024, 1176, 400, 120, 84]);
  assert.ok(table.every((r) => r.acc.length === 5 && r.acc.every((a) => a >= 0 && a <= 1)));
  assert.ok(table[2].acc[4] >= 0.9, JSON.stringify(table));
  // The default: frozen up to pool2, 5 generated letters each.
  const accuracy = Number(await page.getAttribute('#transfer-result', 'data-accuracy'));
  assert.ok(accuracy >= 0.9, await page.textContent('#transfer-result'));
  assert.match(await page.textContent('#transfer-result'), /^Trained on 20 examples \(20 generated, 0 yours\) of 400 frozen features/);
  // Draw an X: the new layer reads it; add it as an example of X.
  await page.locator('#transfer-pad').scrollIntoViewIfNeeded();
  const pad = await page.locator('#transfer-pad').boundingBox();
  const stroke = async (from, to) => {
    await page.mouse.move(pad.x + pad.width * from[0], pad.y + pad.height * from[1]);
    await page.mouse.down();
    await page.mouse.move(pad.x + pad.width * to[0], pad.y + pad.height * to[1], { steps: 10 });
    await page.mouse.up();
  };
  await stroke([0.25, 0.2], [0.75, 0.8]);
  await stroke([0.75, 0.2], [0.25, 0.8]);
  assert.match(await page.textContent('#transfer-verdict'), /^The new layer reads X \([\d.]+ %\)$/);
  await page.click('#transfer-add button[data-letter="X"]');
  assert.equal(await page.textContent('#transfer-mine'), 'Your examples: A 0, H 0, T 0, X 1.');
  assert.match(await page.textContent('#transfer-result'), /^Trained on 21 examples \(20 generated, 1 yours\)/);
  // Frozen up to nothing: a softmax on the raw pixels.
  await page.selectOption('#transfer-cut', '0');
  assert.match(await page.textContent('#transfer-result'), /of 1024 frozen features/);
  assert.equal(await page.isHidden('#transfer-error'), true);
});

test('ensembles and multi-crop (lecture 22): five networks, alone and averaged, one over five and ten crops, measured on the held-out digits', async () => {
  const { page } = ctx;
  await page.locator('#ensemble').scrollIntoViewIfNeeded();
  await page.waitForSelector('#ensemble[data-ready="true"]', { timeout: 60_000 });
  const rows = await page.$$eval('#ens-table tbody tr', (trs) => trs.map((tr) => [tr.dataset.id, Number(tr.dataset.accuracy), tr.cells[2].textContent, tr.cells[3].textContent]));
  assert.deepEqual(rows.map((r) => r[0]), ['member-0', 'member-1', 'member-2', 'member-3', 'member-4', 'ensemble', 'five-crops', 'ten-crops', 'ensemble-five-crops']);
  assert.deepEqual(rows.map((r) => r[3]), ['1', '1', '1', '1', '1', '5', '5', '10', '25']);
  for (const [id, accuracy, right] of rows) {
    assert.ok(accuracy > 0.9 && accuracy <= 1, `${id}: ${accuracy}`);
    assert.equal(right, `${Math.round(accuracy * 360)} / 360`);
  }
  // Network 1 alone is LeNet-5 as the LeNet widget reads it (the same file, one digit at a time in
  // the native test): at least 97 %. Mirrored digits are no digits: ten crops score below five.
  const byId = Object.fromEntries(rows.map((r) => [r[0], r[1]]));
  assert.ok(byId['member-0'] >= 0.97);
  assert.ok(byId['ten-crops'] < byId['five-crops'], JSON.stringify(byId));
  assert.match(await page.textContent('#ens-verdict'), /^Averaging 5 networks changes network 1's answers on \d+ of 360 digits \(\d+ fixed, \d+ broken\)/);
  // The ten crops of a held-out digit, and a number out of range said next to the input.
  assert.equal(await page.locator('#ens-crops canvas').count(), 10);
  await page.fill('#ens-digit', '361');
  assert.equal(await page.textContent('#ens-error .error-text'), 'Choose a held-out digit from 1 to 360, not 361.');
  await page.fill('#ens-digit', '7');
  assert.equal(await page.isHidden('#ens-error'), true);
  assert.equal(await page.getAttribute('#ens-crops', 'data-digit'), '7');
});

test('no console errors, page errors or failed requests', () => {
  assert.deepEqual(ctx.problems, []);
});

// A wasm module that traps at once: (module (func (export "t") unreachable)).
const TRAP_MODULE = [0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 7, 5, 1, 1, 116, 0, 0, 10, 5, 1, 3, 0, 0, 11];

test('explorer: a model that traps ends its worker only; the page says so and keeps working', async () => {
  // The explorer loads models in a worker with its own module instance. To reach the trap path
  // without a known tract bug, the worker script is served with one change: loading a file that
  // starts with the bytes "TRAP" raises a WebAssembly trap (RuntimeError: unreachable) inside the
  // worker, as a tract assertion under panic = "abort" would.
  const page = await ctx.context.newPage();
  const problems = [];
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push(msg.text()); });
  page.on('pageerror', (err) => problems.push(err.message));
  await page.route('**/lib/model-worker.js', async (route) => {
    const response = await route.fetch();
    const body = `${await response.text()}
const originalLoad = ops.load;
ops.load = (bytes, shape) => {
  if (String.fromCharCode(...bytes.slice(0, 4)) === 'TRAP') new WebAssembly.Instance(new WebAssembly.Module(Uint8Array.from(${JSON.stringify(TRAP_MODULE)}))).exports.t();
  return originalLoad(bytes, shape);
};`;
    await route.fulfill({ response, body });
  });
  try {
    await page.goto(ctx.server.url);
    await page.waitForSelector('html[data-ready="true"]', { timeout: 60_000 });
    await showWidgets(page, ['explorer']);
    await page.waitForSelector('#explorer[data-ready="true"]', { timeout: 60_000 });
    await page.waitForFunction(() => document.querySelector('#explorer-total-params')?.textContent === '61,706');
    await page.setInputFiles('#explorer-file', { name: 'trap.onnx', mimeType: 'application/octet-stream', buffer: Buffer.from('TRAP and more') });
    await page.waitForSelector('#explorer-error:not([hidden])');
    assert.match(await page.textContent('#explorer-error .error-text'),
      /^trap\.onnx: The model stopped the worker that ran it, so that model is gone; the rest of the page keeps working\. Load a model again to start a fresh worker\.$/);
    assert.match(await page.textContent('#explorer-error details pre'), /unreachable/);
    // The page's own module answers: the first widget recomputes with tract.
    await page.selectOption('#conv-filter', 'horizontal');
    await page.waitForFunction(() => /agrees to 0 /.test(document.querySelector('#conv-check').textContent));
    // A fresh worker loads the next model.
    await page.selectOption('#explorer-model', 'bundled:face-detector');
    await page.waitForFunction(() => /loaded and optimised by tract/.test(document.querySelector('#explorer-status').textContent), null, { timeout: 60_000 });
    assert.match(await page.textContent('#explorer-table caption'), /input \[1, 3, 416, 416\]/);
    assert.equal(await page.isHidden('#explorer-error'), true);
    assert.ok(await page.$$eval('#explorer-maps canvas', (c) => c.length) > 0);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

// torchvision's AlexNet (244 MB) and VGG-11 (531 MB) with random weights, exported by
// data/torchvision/export.py (the test command generates them into target/torchvision), with
// PyTorch's own parameter counts beside them.
const TORCHVISION = join(WWW, '..', 'target', 'torchvision');

test('explorer: AlexNet (244 MB) loads and runs, VGG-11 (531 MB) shows its structure; counts equal PyTorch\'s', { timeout: 300_000 }, async () => {
  const { page } = ctx;
  const count = async (name) => Number((await readFile(join(TORCHVISION, `${name}.params`), 'utf8')).trim()).toLocaleString('en');
  const alexnetParams = await count('alexnet');
  await page.setInputFiles('#explorer-file', join(TORCHVISION, 'alexnet.onnx'));
  await page.waitForFunction(() => /alexnet\.onnx: loaded and optimised by tract/.test(document.querySelector('#explorer-status').textContent), null, { timeout: 240_000 });
  assert.match(await page.textContent('#explorer-table caption'), /^alexnet\.onnx: input \[1, 3, 224, 224\] → output \[1, 1000\]$/);
  assert.equal(await page.textContent('#explorer-total-params'), alexnetParams);
  assert.equal(alexnetParams, '61,100,840');
  assert.ok(await page.$$eval('#explorer-maps figure.layer', (f) => f.length) >= 5);
  assert.equal(await page.isHidden('#explorer-error'), true);

  const vggParams = await count('vgg11');
  await page.setInputFiles('#explorer-file', join(TORCHVISION, 'vgg11.onnx'));
  await page.waitForFunction(() => /vgg11\.onnx: 531 MB is more than the 256 MiB/.test(document.querySelector('#explorer-status').textContent), null, { timeout: 240_000 });
  assert.match(await page.textContent('#explorer-table caption'), /^vgg11\.onnx: input \[1, 3, 224, 224\] → output \[1, 1000\] \(structure only\)$/);
  assert.equal(await page.textContent('#explorer-total-params'), vggParams);
  assert.equal(vggParams, '132,863,336');
  assert.equal(await page.$$eval('#explorer-maps figure', (f) => f.length), 0);
  assert.equal(await page.isHidden('#explorer-error'), true);
  await page.selectOption('#explorer-model', 'bundled:lenet5-digits');
  await page.waitForFunction(() => document.querySelector('#explorer-total-params')?.textContent === '61,706');
});
