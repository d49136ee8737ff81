// End to end: week 4 (issue 7) — one-shot verification and recognition with the digit
// embedding, the triplet loss, and lecture 37's logistic regression. Fails on any console error,
// page error or failed request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { showWidgets, recordLongTasks, describeLongestTask } from './helpers.mjs';
import { openPlayground } from './browser.mjs';

let ctx;
before(async () => {
  // Chromium's fake camera (a test pattern without a face) for the webcam frame.
  ctx = await openPlayground({ extraArgs: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'] });
  await ctx.page.goto(ctx.server.url);
  await ctx.page.waitForSelector('html[data-ready="true"]', { timeout: 60_000 });
  await showWidgets(ctx.page);
  await ctx.page.waitForSelector('#verification[data-ready="true"]', { timeout: 60_000 });
});
after(async () => {
  await ctx?.close();
});

async function stroke(page, from, to) {
  const box = await page.locator('#verify-pad').boundingBox();
  await page.mouse.move(box.x + box.width * from[0], box.y + box.height * from[1]);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * to[0], box.y + box.height * to[1], { steps: 10 });
  await page.mouse.up();
}

test('verification (lectures 33-35): held-out accuracy at the best τ, a drawing recognised after one-shot enrolment', async () => {
  const { page } = ctx;
  const accuracy = Number(await page.getAttribute('#verify-accuracy', 'data-accuracy'));
  assert.ok(accuracy >= 0.9, await page.textContent('#verify-accuracy'));
  assert.match(await page.textContent('#verify-accuracy'), /over all 6,302 same and 58,318 different pairs: best τ = [\d.]+, balanced accuracy 9\d\.\d %/);
  await page.locator('#verify-pad').scrollIntoViewIfNeeded();
  await stroke(page, [0.5, 0.15], [0.5, 0.85]);
  assert.match(await page.textContent('#verify-verdict'), /^(Recognised \(1:K\) as digit \d: d = [\d.]+ ≤ τ|Not in the database: the nearest, digit \d, is at d = [\d.]+ > τ)/);
  assert.equal(await page.$$eval('#verify-database tr', (r) => r.length), 11);
  // Enrol the drawing as a 7: it is now its own nearest entry, at distance 0.
  await page.selectOption('#verify-enrol-as', '7');
  await page.click('#verify-enrol');
  assert.match(await page.textContent('#verify-verdict'), /^Recognised \(1:K\) as digit 7: d = 0\.000 ≤ τ/);
  await page.selectOption('#verify-claim', '7');
  assert.match(await page.textContent('#verify-one'), /^Verification \(1:1\) as digit 7: d = 0\.000 ≤ τ → same identity$/);
  // τ = 0, and a changed drawing: no longer in the database.
  await page.fill('#verify-tau', '0');
  await stroke(page, [0.3, 0.2], [0.7, 0.2]);
  assert.match(await page.textContent('#verify-verdict'), /^Not in the database: the nearest, digit \d, is at d = [\d.]+ > τ = 0\.00$/);
});

test('triplet loss (lecture 36): L = max(d(A, P) − d(A, N) + α, 0) for a triplet of held-out digits', async () => {
  const { page } = ctx;
  const text = () => page.textContent('#verify-triplet');
  // The default triplet is a real one: P shows A's digit, N another digit.
  const [a0, p0, n0] = (await text()).match(/^A a (\d), P a (\d), N a (\d)/).slice(1);
  assert.equal(p0, a0);
  assert.notEqual(n0, a0);
  assert.doesNotMatch(await text(), /should show/);
  await page.fill('#verify-anchor', '1');
  await page.dispatchEvent('#verify-anchor', 'change');
  const anchor = (await text()).match(/^A a (\d)/)[1];
  // A positive: the next held-out digit with the same label; a negative: one with another.
  for (let p = 2; p < 80; p++) {
    await page.fill('#verify-positive', String(p));
    await page.dispatchEvent('#verify-positive', 'change');
    if ((await text()).match(/P a (\d)/)[1] === anchor) break;
  }
  for (let n = 2; n < 80; n++) {
    await page.fill('#verify-negative', String(n));
    await page.dispatchEvent('#verify-negative', 'change');
    if ((await text()).match(/N a (\d)/)[1] !== anchor) break;
  }
  // A number outside 1..360 is refused, not replaced by digit #1.
  await page.fill('#verify-anchor', '-1');
  await page.dispatchEvent('#verify-anchor', 'change');
  assert.equal(await page.textContent('#verify-triplet-error'), "A (a held-out digit's number) must be a whole number from 1 to 360, not -1.");
  await page.fill('#verify-anchor', '1');
  await page.dispatchEvent('#verify-anchor', 'change');
  assert.equal(await page.isHidden('#verify-triplet-error'), true);
  for (const alpha of ['0', '1', '3']) {
    await page.fill('#verify-alpha', alpha);
    const t = await text();
    assert.doesNotMatch(t, /should show/);
    const [, dap, dan] = t.match(/d\(A, P\) = ([\d.]+), d\(A, N\) = ([\d.]+)/).map(Number);
    const loss = Number(await page.getAttribute('#verify-triplet', 'data-loss'));
    assert.ok(Math.abs(loss - Math.max(dap - dan + Number(alpha), 0)) < 2e-3, t);
    const kind = await page.getAttribute('#verify-triplet', 'data-kind');
    assert.equal(kind, dan <= dap ? 'hard' : dan < dap + Number(alpha) ? 'semi-hard' : 'easy', t);
  }
});

test('verification as binary classification (lecture 37): logistic regression on |f(xi) − f(xj)|', async () => {
  const { page } = ctx;
  await page.click('#verify-train');
  const accuracy = Number(await page.getAttribute('#verify-logistic', 'data-accuracy'));
  assert.ok(accuracy >= 0.85, await page.textContent('#verify-logistic'));
  assert.match(await page.textContent('#verify-logistic'), /^w = \(-[\d.]+, -[\d.]+\), b = [\d.]+, trained on 2000 pairs/);
});


test('style transfer (lectures 38-42): costs from tract, a few iterations of gradient descent lower J', async (t) => {
  const { page } = ctx;
  await page.waitForSelector('#style-transfer[data-ready="true"]', { timeout: 60_000 });
  const total = async () => Number(await page.getAttribute('#style-costs', 'data-total'));
  const before = await total();
  // The Rust forward pass and tract agree on J for the starting G.
  const tract = Number(await page.getAttribute('#style-check', 'data-tract'));
  assert.ok(Math.abs(tract - before) <= 1e-3 * Math.abs(before), `${tract} vs ${before}`);
  // Iterations outside 1..2000 are refused with a sentence, and nothing runs.
  for (const [typed, shown] of [['0', '0'], ['5000', '5000'], ['', '']]) {
    await page.fill('#style-steps', typed);
    await page.click('#style-run');
    assert.equal(await page.textContent('#style-error'), `The number of iterations must be a whole number from 1 to 2000${shown ? `, not ${shown}` : ''}.`);
    assert.equal(await page.getAttribute('#style-transfer', 'data-done'), null);
  }
  // The defaults (C the cat, S the generated stripes, G from C, β = 10^9) and their 100
  // iterations: the style visibly transfers, J_style falling far below its start.
  assert.deepEqual([await page.inputValue('#style-style'), await page.inputValue('#style-start'), await page.inputValue('#style-log-beta')], ['stripes', 'content', '9']);
  await page.fill('#style-steps', '100');
  await recordLongTasks(page);
  await page.click('#style-run');
  await page.waitForSelector('#style-transfer[data-done="true"]', { timeout: 120_000 });
  t.diagnostic(`style transfer, 100 iterations: longest main-thread task ${await describeLongestTask(page)}`);
  const after = await total();
  assert.ok(after < before, `J went from ${before} to ${after}`);
  const status = await page.textContent('#style-status');
  assert.match(status, /^100 iterations, \d+ ms each .* J_style is now [\d.]+ % of what it was at the start; J_content went from 0\.0 to [\d.]+\.$/);
  const share = Number(await page.getAttribute('#style-status', 'data-style-share'));
  t.diagnostic(`style transfer defaults: J_style after 100 iterations is ${(100 * share).toFixed(2)} % of its start`);
  assert.ok(share < 0.05, status);
  const again = Number(await page.getAttribute('#style-check', 'data-tract'));
  assert.ok(Math.abs(again - after) <= 1e-3 * Math.abs(after), `${again} vs ${after}`);
  // A webcam frame (Chromium's fake camera) as the content image.
  const beforeSnap = await total();
  await page.click('#style-snap');
  await page.waitForFunction((b) => Number(document.querySelector('#style-costs').dataset.total) !== b, beforeSnap, { timeout: 30_000 });
  // Another style image resets G and the costs.
  await page.selectOption('#style-style', 'coffee');
  await page.waitForFunction((b) => Number(document.querySelector('#style-costs').dataset.total) !== b, after);
  assert.equal(await page.isHidden('#style-error'), true);
});

test('face verification with real encodings: enrol the astronaut, recognise her, refuse the cameraman, no face in the webcam', async (t) => {
  const { page } = ctx;
  await recordLongTasks(page);
  // Before Start: no empty canvas, no empty triplet selects, no unlabelled α.
  assert.equal(await page.isHidden('#faceid-canvas'), true);
  assert.equal(await page.isHidden('#faceid-anchor'), true);
  assert.match(await page.textContent('#faceid-triplet'), /^Faces you look at appear here/);
  await page.locator('#faceid-start').scrollIntoViewIfNeeded();
  await page.click('#faceid-start');
  await page.waitForSelector('#face-id[data-ready="true"]', { timeout: 120_000 });
  assert.equal(await page.getAttribute('#faceid-status', 'data-faces'), '1');
  // One face seen: no triplet of the same face three times, a sentence instead.
  assert.equal(await page.isHidden('#faceid-anchor'), true);
  assert.equal(await page.getAttribute('#faceid-triplet', 'data-kind'), null);
  assert.match(await page.textContent('#faceid-triplet'), /^A triplet needs two faces at least/);
  assert.equal(await page.textContent('output[for="faceid-alpha"]'), '0.20');
  assert.match(await page.textContent('#faceid-faces .verdict'), /^The database is empty/);
  await page.fill('#faceid-faces input.name', 'Eileen');
  await page.click('#faceid-faces button.enrol');
  assert.match(await page.textContent('#faceid-faces .verdict'), /^Eileen \(d = 0\.000 ≤ τ\)$/);
  // Another person: the cameraman.
  await page.selectOption('#faceid-source', 'camera');
  await page.waitForFunction(() => /Camera/.test(document.querySelector('#faceid-status').textContent));
  assert.equal(await page.getAttribute('#faceid-status', 'data-faces'), '1');
  const verdict = await page.textContent('#faceid-faces .verdict');
  const [, d] = verdict.match(/^not in the database \(nearest: Eileen, d = ([\d.]+) > τ\)$/) ?? [];
  assert.ok(Number(d) > 0.36, verdict);
  // Verification (1:1): "is this Eileen?"
  await page.selectOption('#faceid-claim', 'Eileen');
  assert.equal(await page.textContent('#faceid-faces .verdict'), `Is this Eileen? d = ${d} > τ: no (1:1)`);
  await page.selectOption('#faceid-claim', '');
  // τ above that distance: now (wrongly) the same person — the threshold decides.
  const above = Math.min(1.5, Math.ceil((Number(d) + 0.05) * 100) / 100);
  assert.ok(above > Number(d), `d = ${d} is beyond the slider`);
  await page.fill('#faceid-tau', String(above));
  assert.match(await page.textContent('#faceid-faces .verdict'), /^Eileen \(d = [\d.]+ ≤ τ\)$/);
  // A triplet: A = the astronaut, P = the astronaut again, N = the cameraman.
  await page.selectOption('#faceid-anchor', '0');
  await page.selectOption('#faceid-positive', '0');
  await page.selectOption('#faceid-negative', '1');
  assert.match(await page.textContent('#faceid-triplet'), /^d\(A, P\) = 0\.000, d\(A, N\) = [\d.]+, α = 0\.20: L = 0\.000, an easy triplet\.$/);
  // Not enough of the database for triplets yet; then enrol the cameraman.
  await page.click('#faceid-extremes');
  assert.match(await page.textContent('#faceid-extremes-text'), /^Enrol two faces of one person/);
  await page.fill('#faceid-faces input.name', 'Cameraman');
  await page.click('#faceid-faces button.enrol');
  // Two faces in one picture (the astronaut twice, side by side): each boxed, cropped, encoded.
  await page.evaluate(async () => {
    const img = await createImageBitmap(await (await fetch('images/astronaut.png')).blob());
    const c = new OffscreenCanvas(img.width * 2, img.height);
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    g.drawImage(img, img.width, 0);
    const file = new File([await c.convertToBlob({ type: 'image/png' })], 'two.png', { type: 'image/png' });
    const dt = new DataTransfer();
    dt.items.add(file);
    const input = document.querySelector('#faceid-file');
    input.files = dt.files;
    input.dispatchEvent(new Event('change'));
  });
  await page.waitForFunction(() => /^2 faces found in two\.png/.test(document.querySelector('#faceid-status').textContent), null, { timeout: 30_000 });
  const verdicts = await page.$$eval('#faceid-faces .verdict', (vs) => vs.map((v) => v.textContent));
  assert.equal(verdicts.length, 2);
  assert.ok(verdicts.every((v) => /^Eileen \(d = [\d.]+ ≤ τ\)$/.test(v)), JSON.stringify(verdicts));
  assert.equal(await page.$$eval('#faceid-database tr:nth-child(2) td', (tds) => tds.length), 3);
  // Enrol the second astronaut face as Eileen too: the database's easiest and hardest triplets.
  await page.locator('#faceid-faces input.name').nth(1).fill('Eileen');
  await page.locator('#faceid-faces button.enrol').nth(1).click();
  await page.click('#faceid-extremes');
  assert.match(await page.textContent('#faceid-extremes-text'), /^Easiest: A = Eileen #\d, P = Eileen #\d, N = Cameraman #2: .*\(easy\); it teaches nothing\. Hardest: A = Eileen #\d, P = Eileen #\d, N = Cameraman #2/);
  // The fake camera shows no face: a clear message.
  await page.click('#faceid-snap');
  await page.waitForFunction(() => /No face found in webcam frame/.test(document.querySelector('#faceid-status').textContent), null, { timeout: 30_000 });
  t.diagnostic(`face verification (loading the encoder, three pictures, a webcam frame): longest main-thread task ${await describeLongestTask(page)}`);
});

test('face alignment (lecture 24): 68 landmarks level each face before encoding, and keep turned photos of one person close', async (t) => {
  const { page } = ctx;
  await page.fill('#faceid-tau', '0.36');
  await page.selectOption('#faceid-source', 'astronaut');
  await page.waitForFunction(() => /^1 face found in Astronaut: 68 landmarks each, turned level/.test(document.querySelector('#faceid-status').textContent));
  assert.match(await page.textContent('#faceid-faces .check'), /^aligned: turned -?\d+° to level the eyes$/);
  // Off: the square around the detector's box, as before lecture 24.
  await page.uncheck('#faceid-align');
  await page.waitForFunction(() => /cropped square around the box/.test(document.querySelector('#faceid-status').textContent));
  assert.equal(await page.textContent('#faceid-faces .check'), 'square crop of the box');
  await page.check('#faceid-align');
  await page.waitForFunction(() => /turned level and scaled/.test(document.querySelector('#faceid-status').textContent));
  // The measurement, in the face models' worker.
  await page.click('#faceid-study');
  await page.waitForSelector('#faceid-study-table[data-rows]', { timeout: 120_000 });
  const rows = await page.$$eval('#faceid-study-table tr', (trs) => trs.slice(1).map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.deepEqual(rows.map((r) => r[0]), ['original', 'turned -30°', 'turned -20°', 'turned -10°', 'turned +10°', 'turned +20°', 'turned +30°', 'smaller (60 %)', 'mirrored', 'the cameraman (someone else)']);
  const d = (text) => Number(text.split(' ')[0]);
  // Every variant of the astronaut is taken for her once aligned; the cameraman never is.
  for (const r of rows.slice(0, -1)) assert.ok(d(r[3]) <= 0.36, r.join(' | '));
  const other = rows.at(-1);
  assert.ok(d(other[2]) > 0.36 && d(other[3]) > 0.36, other.join(' | '));
  // The landmarks measure each turn: the eye line moves by the turn, within 5°.
  const upright = parseFloat(rows[0][1]);
  for (const r of rows.filter((row) => row[0].startsWith('turned'))) {
    const turn = parseFloat(r[0].slice('turned '.length));
    assert.ok(Math.abs(parseFloat(r[1]) - upright - turn) < 5, r.join(' | '));
  }
  const text = await page.textContent('#faceid-study-text');
  const [, square, aligned] = text.match(/the mean d falls from ([\d.]+) to ([\d.]+)/) ?? [];
  assert.ok(Number(aligned) < Number(square), text);
  assert.equal(await page.isHidden('#faceid-error'), true);
  t.diagnostic(`alignment study in the browser: mean d over the turned photos ${square} square, ${aligned} aligned`);
});

test('style transfer and face verification: a file that is not an image leaves each select on the picture still shown', async () => {
  const { page } = ctx;
  const content = await page.inputValue('#style-content');
  await page.selectOption('#style-content', 'file');
  await page.setInputFiles('#style-file', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a picture') });
  await page.waitForSelector('#style-error:not([hidden])');
  assert.match(await page.textContent('#style-error .error-text'), /^notes\.txt could not be read as an image\.$/);
  assert.equal(await page.inputValue('#style-content'), content);
  const face = await page.inputValue('#faceid-source');
  await page.selectOption('#faceid-source', 'file');
  await page.setInputFiles('#faceid-file', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a picture') });
  await page.waitForSelector('#faceid-error:not([hidden])');
  assert.equal(await page.inputValue('#faceid-source'), face);
  assert.notEqual(face, 'file');
});

test('no console errors, page errors or failed requests', () => {
  assert.deepEqual(ctx.problems, []);
});
