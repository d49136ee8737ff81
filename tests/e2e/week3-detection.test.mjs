// End to end: the week-3 widgets — localisation target and loss (23-24), IoU with dragging and
// the keyboard (28), the YOLO grid with anchors and its conflicts (27, 30, 31), the trained
// shapes detector decoded and suppressed step by step (29, 31) and region proposals (32). Fails on
// any console error, page error or failed request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openPlayground } from './browser.mjs';
import { slide, showWidgets } from './helpers.mjs';

let ctx;
before(async () => {
  ctx = await openPlayground();
  await ctx.page.goto(ctx.server.url);
  await ctx.page.waitForSelector('html[data-ready="true"]', { timeout: 30_000 });
  await showWidgets(ctx.page);
  await ctx.page.waitForSelector('#detector-lab[data-ready="true"]', { timeout: 30_000 });
  await ctx.page.waitForSelector('#face-lab[data-ready="true"]', { timeout: 60_000 });
});
after(async () => {
  await ctx?.close();
});

const text = (sel) => ctx.page.textContent(sel);

test('IoU (lecture 28): the course case, keyboard and dragging, touching boxes', async () => {
  const { page } = ctx;
  assert.equal(await text('#iou-readout'), 'intersection 1, union 7: IoU = 1 / 7 = 0.1429');
  assert.equal(await page.$eval('#iou-verdict', (e) => e.dataset.correct), 'false');
  await page.focus('#iou-box-b');
  await page.keyboard.press('ArrowRight'); // B = (2, 2, 4, 4): overlap 2×1 = 2, union 6
  assert.equal(await text('#iou-readout'), 'intersection 2, union 6: IoU = 2 / 6 = 0.3333');
  await page.keyboard.press('Shift+ArrowDown'); // B = (2, 2, 4, 5)
  assert.match(await text('#iou-coords'), /B = \(2, 2, 4, 5\)/);
  await page.selectOption('#iou-preset', 'half');
  assert.equal(await text('#iou-readout'), 'intersection 16, union 32: IoU = 16 / 32 = 0.5000');
  assert.equal(await page.$eval('#iou-verdict', (e) => e.dataset.correct), 'true');
  for (const touching of ['corner', 'edge', 'disjoint']) {
    await page.selectOption('#iou-preset', touching);
    assert.match(await text('#iou-readout'), /^intersection 0, union \d+: IoU = 0 \/ \d+ = 0\.0000$/, touching);
  }
  // Drag B of "the same box" two units to the right: overlap 2×4 = 8, union 24.
  await page.selectOption('#iou-preset', 'same');
  await page.locator('#iou-svg').scrollIntoViewIfNeeded();
  const b = await page.locator('#iou-box-b').boundingBox();
  const unit = (await page.locator('#iou-svg').boundingBox()).width / 368 * 36;
  await page.mouse.move(b.x + b.width - 10, b.y + b.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width - 10 + 2 * unit, b.y + b.height / 2, { steps: 8 });
  await page.mouse.up();
  assert.equal(await text('#iou-readout'), 'intersection 8, union 24: IoU = 8 / 24 = 0.3333');
});

test('YOLO grid (lectures 27, 30, 31): cells, anchors by shape, target shape and conflicts', async () => {
  const { page } = ctx;
  assert.equal(await text('#yolo-shape'), 'Target y: 3×3×2×8 = 3×3×16 (2 anchors × (5 + 3 classes) per cell)');
  const rows = () => page.$$eval('#yolo-table tr[data-object]', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
  assert.deepEqual((await rows()).map((r) => r.slice(0, 3)), [['1 pedestrian', '(2, 2)', '1 (0.81)'], ['2 car', '(2, 2)', '2 (0.81)']]);
  assert.equal((await rows())[0][3], '[1, 0.5, 0.5, 1.35, 0.45, 1, 0, 0]');
  assert.equal(await page.$$eval('#yolo-conflicts li', (l) => l.length), 0);
  await page.selectOption('#yolo-anchors', 'one');
  assert.match(await text('#yolo-conflicts'), /Cell \(2, 2\): 2 objects in one cell but only 1 anchor box\./);
  await page.selectOption('#yolo-preset', 'three-objects');
  assert.match(await text('#yolo-conflicts'), /3 objects in one cell but only 2 anchor boxes/);
  await page.selectOption('#yolo-preset', 'same-anchor');
  assert.match(await text('#yolo-conflicts'), /2 objects in one cell match the same anchor box 2; only object 1 is kept/);
  assert.equal(await page.$$eval('#yolo-table tr.lost', (l) => l.length), 1);
  await page.selectOption('#yolo-preset', 'lecture-27');
  await slide(page, '#yolo-grid-size', 19);
  assert.equal(await text('#yolo-shape'), 'Target y: 19×19×1×8 = 19×19×8 (1 anchor × (5 + 3 classes) per cell)');
  // Drawing a box adds an object.
  await page.locator('#yolo-canvas').scrollIntoViewIfNeeded();
  const c = await page.locator('#yolo-canvas').boundingBox();
  await page.mouse.move(c.x + c.width * 0.1, c.y + c.height * 0.1);
  await page.mouse.down();
  await page.mouse.move(c.x + c.width * 0.3, c.y + c.height * 0.25, { steps: 5 });
  await page.mouse.up();
  assert.equal((await rows()).length, 3);
  assert.equal((await rows())[2][1], '(4, 4)'); // centre (0.2, 0.175) on 19 cells: ⌊3.3⌋, ⌊3.8⌋
  await page.selectOption('#yolo-preset', 'scene');
  assert.match(await text('#yolo-shape'), /^Target y: 6×6×2×8 = 6×6×16/);
  assert.equal(await page.isHidden('#yolo-error'), true);
});

test('localisation (lectures 23-24): object and background targets, loss, landmarks', async () => {
  const { page } = ctx;
  // The widget shows the first generated scene (seed ≥ 1) with exactly one object.
  const scene = await page.evaluate(async () => {
    const api = await import('./pkg/cnn_playground.js');
    for (let seed = 1; ; seed++) {
      const s = api.generateScene(seed);
      if (s.objects.length === 1) return { box: Array.from(s.objects[0].box), cls: s.objects[0].class, target: api.localizationTarget(s.objects[0].box, s.objects[0].class, 3) };
    }
  });
  await page.locator('#loc-canvas').scrollIntoViewIfNeeded();
  const c = await page.locator('#loc-canvas').boundingBox();
  const [x1, y1, x2, y2] = scene.box;
  await page.mouse.click(c.x + c.width * (x1 + x2) / 2, c.y + c.height * (y1 + y2) / 2);
  const ys = await page.$$eval('#loc-target td.y', (tds) => tds.map((td) => td.textContent));
  assert.deepEqual(ys.map(Number).map((v) => v.toFixed(2)), scene.target.map((v) => v.toFixed(2)));
  assert.equal(ys[0], '1');
  assert.match(await text('#loc-loss'), /^Object: L = Σ \(ŷ_i − y_i\)² over all 8 components = \d\.\d{4}$/);
  // The far corner away from the object is background.
  const corner = x1 > 0.5 ? 0.02 : 0.98;
  const cornerY = y1 > 0.5 ? 0.02 : 0.98;
  await page.mouse.click(c.x + c.width * corner, c.y + c.height * cornerY);
  const bg = await page.$$eval('#loc-target td.y', (tds) => tds.map((td) => td.textContent));
  assert.deepEqual(bg, ['0', ...Array(7).fill('? (don\'t care)')]);
  assert.equal(await text('#loc-loss'), 'No object: only p_c counts, L = (ŷ_1 − 0)² = 0.6400');
  await page.selectOption('#loc-mode', 'landmark');
  await page.mouse.click(c.x + c.width * 0.25, c.y + c.height * 0.5);
  assert.match(await text('#loc-landmarks'), /^Landmarks add 2 outputs: l1 = \(0\.25, 0\.50\)$/);
});

test('detector (lectures 29, 31): thresholds move the counts of each stage', async () => {
  const { page } = ctx;
  // The detector answers from its worker: read once the newest run is drawn.
  const counts = async () => {
    await page.waitForSelector('#detector-lab:not([data-busy])');
    return page.$eval('#det-counts', (e) => [Number(e.dataset.passed), Number(e.dataset.kept), e.textContent]);
  };
  const [passed, kept, line] = await counts();
  assert.match(line, /^72 boxes \(6×6 cells × 2 anchors\) → \d+ with score > 0\.60 → \d+ after non-max suppression \(\d+ suppressed\)$/);
  assert.ok(kept >= 1 && kept <= passed, line);
  // The generated scene's objects are all found, each by one box of the right class.
  const seed = Number(await page.getAttribute('#detector-lab', 'data-seed'));
  const truth = await page.evaluate(async (s) => (await import('./pkg/cnn_playground.js')).generateScene(s).objects.length, seed);
  // The first scene shows what lecture 29 is about: duplicates that suppression removes.
  assert.ok(passed > kept, line);
  assert.equal(kept, truth, line);
  await slide(page, '#det-score', 0);
  assert.equal((await counts())[0], 72);
  const keptAtZero = (await counts())[1];
  await slide(page, '#det-iou', 1);
  assert.ok((await counts())[1] > keptAtZero, 'with IoU threshold 1 almost nothing is suppressed');
  await slide(page, '#det-score', 1);
  assert.deepEqual((await counts()).slice(0, 2), [0, 0]);
  await slide(page, '#det-score', 0.6);
  await slide(page, '#det-iou', 0.5);
  await page.selectOption('#det-stage', 'all');
  await page.click('#det-next');
  assert.match((await counts())[2], /^72 boxes/);
  // Drawing a square on the blank canvas: the detector finds a square there.
  await page.selectOption('#det-source', 'draw');
  await page.selectOption('#det-draw-class', '1');
  await page.locator('#det-canvas').scrollIntoViewIfNeeded();
  const c = await page.locator('#det-canvas').boundingBox();
  await page.mouse.move(c.x + c.width * 0.3, c.y + c.height * 0.3);
  await page.mouse.down();
  await page.mouse.move(c.x + c.width * 0.55, c.y + c.height * 0.55, { steps: 5 });
  await page.mouse.up();
  await page.selectOption('#det-stage', 'nms');
  await page.waitForSelector('#detector-lab:not([data-busy])');
  assert.match(await text('#det-steps'), /keep square/);
  assert.equal(await page.isHidden('#det-error'), true);
});

test('detector lab: an uploaded wide photo is letterboxed, not squashed into the square', async () => {
  const { page } = ctx;
  // A 600×300 picture, red: letterboxed into 96×96 it fills the top half; the bottom stays black.
  const png = await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(600, 300);
    const g = canvas.getContext('2d');
    g.fillStyle = '#f00';
    g.fillRect(0, 0, 600, 300);
    const blob = await canvas.convertToBlob({ type: 'image/png' });
    return [...new Uint8Array(await blob.arrayBuffer())];
  });
  await page.selectOption('#det-source', 'file');
  await page.setInputFiles('#det-file', { name: 'wide.png', mimeType: 'image/png', buffer: Buffer.from(png) });
  // Until the red picture is drawn: the photo shown before may be light there too (R > 200).
  await page.waitForFunction(() => { const c = document.querySelector('#det-canvas'); const [r, g] = c.getContext('2d').getImageData(c.width / 2, c.height * 0.25, 1, 1).data; return r > 200 && g < 60; });
  const at = (fy) => page.$eval('#det-canvas', (c, y) => [...c.getContext('2d').getImageData(Math.floor(c.width / 2), Math.floor(c.height * y), 1, 1).data], fy);
  const [top, bottom] = [await at(0.25), await at(0.9)];
  assert.ok(top[0] > 200 && top[1] < 60, `top ${top}`);
  assert.ok(bottom[0] < 40 && bottom[1] < 40 && bottom[2] < 40, `bottom ${bottom}`);
  await page.selectOption('#det-source', 'scene');
});

test('face detector: the astronaut photo has one face, where her face is', async () => {
  const { page } = ctx;
  const result = () => page.$eval('#face-result', (e) => ({ ...e.dataset, text: e.textContent }));
  const r = await result();
  assert.equal(r.faces, '1', r.text);
  assert.ok(Number(r.best) > 0.9, r.text);
  // Her face spans about x 0.32-0.54, y 0.15-0.36 of the picture (it fills the square: no padding).
  const [x1, y1, x2, y2] = r.box.split(',').map(Number);
  const [cx, cy] = [(x1 + x2) / 2, (y1 + y2) / 2];
  assert.ok(cx > 0.38 && cx < 0.48 && cy > 0.2 && cy < 0.31, `face centre (${cx}, ${cy})`);
  assert.ok(x2 - x1 > 0.15 && x2 - x1 < 0.3, `face width ${x2 - x1}`);
  assert.match(r.text, /^1 face \(845 boxes: 13×13 cells × 5 anchors; 1 above 0\.50\)$/);
  // A lower threshold lets weaker boxes through; NMS still merges the duplicates on her face.
  await slide(page, '#face-score', 0.05);
  assert.ok(Number((await result()).faces) >= 1);
  await slide(page, '#face-score', 0.5);
  await page.check('#face-grid');
  await page.check('#face-anchors');
  assert.equal(await page.isHidden('#face-error'), true);
  // Lecture 24: face-api's landmark network, loaded on demand, puts 68 points on her face.
  assert.equal((await result()).points, '0');
  await page.check('#face-landmarks');
  await page.waitForFunction(() => document.querySelector('#face-result').dataset.points === '68', null, { timeout: 60_000 });
  assert.match(await page.textContent('#face-stats'), /; 68 landmarks per face \d+ ms/);
  await page.uncheck('#face-landmarks');
  await page.waitForFunction(() => document.querySelector('#face-result').dataset.points === '0');
  assert.equal(await page.isHidden('#face-error'), true);
});

test('face detector: a file that is not an image leaves the select on the photo still shown', async () => {
  const { page } = ctx;
  const before = await page.inputValue('#face-source');
  // Detections still on their way to the worker (queued by the sliders) when the file fails must
  // not hide its error when they come back.
  const frames = await page.$eval('#face-stats', (e) => e.textContent);
  for (const v of [0.3, 0.35, 0.4, 0.45, 0.5]) await slide(page, '#face-score', v);
  await page.setInputFiles('#face-file', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a picture') });
  await page.waitForSelector('#face-error:not([hidden])');
  // Once the queued detections have been drawn (the stats line is rewritten by each), the error
  // is still there.
  await page.waitForFunction((f) => document.querySelector('#face-stats').textContent !== f, frames).catch(() => {});
  await page.waitForTimeout(500);
  assert.equal(await page.isHidden('#face-error'), false);
  assert.match(await page.textContent('#face-error .error-text'), /^“notes\.txt” is not an image this browser can decode\.$/);
  assert.equal(await page.inputValue('#face-source'), before);
  assert.notEqual(before, 'file');
});

test('region proposals (lecture 32): one region per shape, each classified as its shape; fewer windows than sliding windows', async () => {
  const { page } = ctx;
  await page.waitForSelector('#region-proposals[data-ready="true"]', { timeout: 60_000 });
  const truth = await page.evaluate(async () => (await import('./pkg/cnn_playground.js')).generateScene(1).objects.map((o) => o.class));
  const summary = () => page.$eval('#rp-summary', (e) => ({ ...e.dataset, text: e.textContent }));
  let s = await summary();
  assert.equal(Number(s.regions), truth.length, s.text);
  assert.deepEqual(s.classes.split(',').map(Number).sort(), [...truth].sort(), s.text);
  assert.match(s.text, /^\d+ blobs? → \d+ regions? classified, [\d.]+ ms \(segmentation included\); the scene holds \d+ shapes?\.$/);
  assert.equal(await page.$$eval('#rp-list li', (ls) => ls.length), truth.length);
  // Side by side: R-CNN classifies a few regions, sliding windows 42 × 42 windows, YOLO one pass.
  await page.click('#rp-compare');
  await page.waitForSelector('#rp-table:not([hidden])', { timeout: 60_000 });
  const table = await page.$eval('#rp-table', (t) => ({ ...t.dataset, rows: [...t.querySelectorAll('tr')].map((r) => [...r.children].map((c) => c.textContent)) }));
  assert.equal(Number(table.crops), 42 * 42);
  assert.equal(Number(table.regions), truth.length);
  assert.equal(table.rows.length, 5);
  assert.match(table.rows[4][0], /^YOLO/);
  // Another scene: the regions follow it.
  await page.click('#rp-next');
  const truth2 = await page.evaluate(async () => (await import('./pkg/cnn_playground.js')).generateScene(2).objects.length);
  s = await summary();
  assert.equal(Number(s.regions), truth2, s.text);
  assert.equal(await page.isHidden('#rp-error'), true);
});

test('detector (lecture 29): at the lecture\'s thresholds non-max suppression removes boxes in most scenes', async () => {
  const { page } = ctx;
  await page.selectOption('#det-source', 'scene');
  await page.selectOption('#det-stage', 'nms');
  let withSuppression = 0;
  for (let i = 0; i < 6; i++) {
    await page.click('#det-next');
    await page.waitForSelector('#detector-lab:not([data-busy])');
    if (Number(await page.$eval('#det-counts', (e) => e.dataset.suppressed)) > 0) withSuppression += 1;
  }
  assert.ok(withSuppression >= 4, `suppression in only ${withSuppression} of 6 scenes`);
  assert.match(await text('#det-legend'), /^Non-max suppression keeps the best box/);
  // Every candidate: told apart by anchor (solid, dashed) and by score.
  await page.selectOption('#det-stage', 'all');
  await page.waitForSelector('#detector-lab:not([data-busy])');
  assert.match(await text('#det-legend'), /solid for the small anchor, dashed for the large one/);
});

test('sliding windows (lecture 26): the 8×8 output is a map of where the shapes are, checked window by window', async () => {
  const { page } = ctx;
  await page.locator('#sliding-windows').scrollIntoViewIfNeeded();
  await page.waitForSelector('#sliding-windows[data-ready="true"]', { timeout: 30_000 });
  const read = () => page.$eval('#slide-accuracy', (e) => [Number(e.dataset.right), Number(e.dataset.windows), e.textContent]);
  let [right, windows, line] = await read();
  assert.equal(windows, 64);
  // The count agrees with the cells not crossed out, and most windows are right.
  assert.equal(await page.locator('#slide-output .slot:not(.wrong)').count(), right);
  assert.ok(right >= 48, line);
  assert.match(line, /^\d+ of 64 windows name the shape whose centre they hold, or background where none does \(crossed out: wrong\)\. On 200 held-out mosaics: \d+\.\d % of windows right\.$/);
  // The corner windows see exactly one patch: each names its patch's class.
  const classes = await page.evaluate(async () => Array.from((await import('./pkg/cnn_playground.js')).patchMosaic(1).classes));
  const corners = await page.$$eval('#slide-output .slot', (cells) => [0, 7, 56, 63].map((i) => Number(cells[i].dataset.label)));
  assert.deepEqual(corners, classes);
  await page.hover('#slide-output .slot[data-y="0"][data-x="0"]');
  assert.match(await text('#slide-explain'), /(centre of a (circle|square|triangle) is in this window|No shape has its centre in this window)/);
  await page.click('#slide-next');
  [right, windows, line] = await read();
  assert.equal(windows, 64, line);
});

test('no console errors, page errors or failed requests', () => {
  assert.deepEqual(ctx.problems, []);
});
