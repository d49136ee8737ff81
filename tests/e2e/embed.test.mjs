// End to end: embedding (issue 6). Custom elements on a course-notes page (several on one page,
// one wasm instance, attributes as initial state, unique ids, a dark page), the embed code, the
// iframe page's address round trip (state → address → state), the full page's address, and the
// site served from a sub-path under a strict Content-Security-Policy, offline after one visit.
// Fails on any console error, page error or failed request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { showWidgets } from './helpers.mjs';
import { openPlayground } from './browser.mjs';

const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";

let ctx;
before(async () => {
  ctx = await openPlayground();
});
after(async () => {
  await ctx?.close();
});

/** A course-notes page served at `notes/page.html` next to the site (a route, not a file). */
async function notesPage(body, { dark = false } = {}) {
  const url = new URL('notes/page.html', ctx.server.url).href;
  await ctx.page.route(url, (route) => route.fulfill({
    contentType: 'text/html',
    headers: { 'content-security-policy': CSP },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Notes</title>
      <link rel="stylesheet" href="notes.css">
      <script type="module" src="../elements.js"></script></head>
      <body${dark ? ' class="dark"' : ''}><main><h1>Week 1 notes</h1>${body}</main></body></html>`,
  }));
  await ctx.page.route(new URL('notes/notes.css', ctx.server.url).href, (route) => route.fulfill({
    contentType: 'text/css', body: 'body.dark { background: #111; color: #eee; } main { max-width: 40rem; }',
  }));
  await ctx.page.goto(url);
}

test('several elements on one page: attributes set the state, one wasm instance, unique ids', async () => {
  const { page } = ctx;
  // The page's and its workers' requests (the start-up worker fetches the module).
  const wasmRequests = [];
  const countWasm = (r) => { if (new URL(r.url()).pathname.endsWith('.wasm')) wasmRequests.push(r.url()); };
  page.on('request', countWasm);
  await notesPage(`
    <p>The convolution of lecture 05 with padding and stride:</p>
    <cnn-conv f="3" p="1" s="2" filter="sobel-x"></cnn-conv>
    <cnn-conv input="bright-left"></cnn-conv>
    <cnn-pool mode="avg" f="2" s="1"></cnn-pool>
    <cnn-iou a="0,0,4,4" b="2,2,6,6"></cnn-iou>
    <cnn-yolo grid="5"></cnn-yolo>
    <cnn-model model="lenet5-digits"></cnn-model>`, { dark: true });
  await page.waitForFunction(() => [...document.querySelectorAll('main > [class], main > cnn-conv, main > cnn-pool, main > cnn-iou, main > cnn-yolo, main > cnn-model')]
    .filter((e) => e.tagName.startsWith('CNN-')).every((e) => e.dataset.ready === 'true'), null, { timeout: 60_000 });
  const [first, second] = await page.$$eval('cnn-conv [id^="conv-formula"]', (ps) => ps.map((p) => p.textContent));
  assert.match(first, /^n = 6, f = 3, p = 1, s = 2: output side .* = 3$/);
  assert.match(second, /^n = 6, f = 3, p = 0, s = 1: output side .* = 4$/);
  assert.equal(await page.$eval('cnn-conv [id^="conv-filter"]', (s) => s.value), 'sobel-x');
  assert.match(await page.textContent('cnn-pool [id^="pool-formula"]'), /^n = 4, f = 2, p = 0, s = 1: output side .* = 3/);
  assert.match(await page.textContent('cnn-iou [id^="iou-readout"]'), /IoU = 4 \/ 28 = 0\.1429$/);
  assert.match(await page.textContent('cnn-yolo [id^="yolo-shape"]'), /^Target y: 5×5×/);
  await page.waitForFunction(() => document.querySelector('cnn-model [id^="explorer-total-params"]')?.textContent === '61,706');
  // One module download for all six elements.
  page.off('request', countWasm);
  assert.equal(wasmRequests.length, 1, wasmRequests.join(', '));
  const ids = await page.$$eval('[id]', (es) => es.map((e) => e.id));
  assert.equal(new Set(ids).size, ids.length, 'duplicate ids');
  // Labels still point at their controls after the ids were made unique.
  const dangling = await page.$$eval('output[for]', (os) => os.filter((o) => !document.getElementById(o.htmlFor.value)).length);
  assert.equal(dangling, 0);
  // On a dark page the widgets take the page's text colour.
  const colour = await page.$eval('cnn-iou .cnn-widget', (e) => getComputedStyle(e).color);
  assert.equal(colour, 'rgb(238, 238, 238)');
  // Sized to the container: no element is wider than the 40rem column.
  const widths = await page.$$eval('main > *', (es) => es.map((e) => e.getBoundingClientRect().width));
  const column = await page.$eval('main', (m) => m.getBoundingClientRect().width);
  assert.ok(widths.every((w) => w <= column + 0.5), `${widths} > ${column}`);
});

test('an element with a bad attribute or a missing model shows the error inside itself', async () => {
  const { page } = ctx;
  await notesPage('<cnn-conv f="5" n="4" p="0"></cnn-conv><cnn-model src="models/missing.onnx"></cnn-model>');
  await page.waitForSelector('cnn-conv[data-ready="true"]');
  await page.waitForFunction(() => /could not be fetched \(.*HTTP 404\)/.test(document.querySelector('cnn-model [id^="explorer-error"]')?.textContent ?? ''));
  // f = 5 on a 4×4 input: the kernel does not fit; Rust says so and the element stays usable.
  assert.match(await page.textContent('cnn-conv [id^="conv-error"]'), /^kernel 5 larger than input 4$/);
  await page.fill('cnn-conv [id^="conv-padding"]', '1');
  assert.equal(await page.isHidden('cnn-conv [id^="conv-error"]'), true);
  ctx.problems.splice(0); // the 404 of the missing model is the point of this test
});

test('a progress bar shows while a model downloads, then goes', async () => {
  const { page } = ctx;
  const model = new URL('models/lenet5-digits.onnx', ctx.server.url).href;
  let release;
  const held = new Promise((r) => { release = r; });
  await page.route(model, async (route) => { await held; await route.continue(); });
  await notesPage('<cnn-model model="lenet5-digits"></cnn-model>');
  await page.waitForSelector('cnn-model progress.download');
  assert.match(await page.getAttribute('cnn-model progress.download', 'aria-label'), /^Downloading LeNet-5/);
  release();
  await page.waitForFunction(() => document.querySelector('cnn-model [id^="explorer-total-params"]')?.textContent === '61,706');
  assert.equal(await page.$('cnn-model progress.download'), null);
  await page.unroute(model);
});

test('the embed code reproduces the state on screen; the iframe page round-trips its address', async () => {
  const { page } = ctx;
  await page.goto(new URL('embed.html?widget=pool&mode=avg&f=3&s=1&p=1', ctx.server.url).href);
  await page.waitForSelector('html[data-ready="true"]');
  assert.match(await page.textContent('#pool-formula'), /^n = 4, f = 3, p = 1, s = 1: output side .* = 4/);
  assert.equal(await page.$eval('#pool-mode', (s) => s.value), 'avg');
  // Change the state: the address follows.
  await page.selectOption('#pool-mode', 'max');
  await page.fill('#pool-s', '2');
  const address = page.url();
  assert.match(address, /widget=pool&mode=max&f=3&s=2&p=1$/);
  // The embed code carries the same state.
  await page.click('details.embed summary');
  const code = await page.inputValue('textarea.embed-code');
  assert.match(code, /<cnn-pool mode="max" f="3" s="2" p="1"><\/cnn-pool>/);
  assert.match(code, /<script type="module" src="http:\/\/127\.0\.0\.1:\d+\/elements\.js"><\/script>/);
  assert.match(code, /<iframe src="http:\/\/127\.0\.0\.1:\d+\/embed\.html\?widget=pool&amp;mode=max&amp;f=3&amp;s=2&amp;p=1" title="Pooling \(lecture 09\)"/);
  // A fresh page at that address shows the same thing.
  const again = await ctx.context.newPage();
  await again.goto(address);
  await again.waitForSelector('html[data-ready="true"]');
  assert.equal(await again.textContent('#pool-formula'), await page.textContent('#pool-formula'));
  assert.equal(await again.$eval('#pool-mode', (s) => s.value), 'max');
  await again.close();
  // More widgets read their state from the address: the edge lab, the bottleneck, the residual block.
  await page.goto(new URL('embed.html?widget=edge&image=gen:checkerboard&filter=sobel-x&pool=max&absolute=true', ctx.server.url).href);
  await page.waitForSelector('html[data-ready="true"]');
  await page.waitForFunction(() => /then max pooling/.test(document.querySelector('#edge-output-caption').textContent));
  assert.deepEqual(await page.$$eval('#edge-source, #edge-filter, #edge-pool', (ss) => ss.map((s) => s.value)), ['gen:checkerboard', 'sobel-x', 'max']);
  assert.equal(await page.isChecked('#edge-abs'), true);
  await page.goto(new URL('embed.html?widget=bottleneck&c=256&r=32', ctx.server.url).href);
  await page.waitForSelector('html[data-ready="true"]');
  assert.match(await page.textContent('#bottleneck-result'), /28×28×256 → 28×28×32: 160,563,200 multiplications/);
  await page.goto(new URL('embed.html?widget=residual&scale=0', ctx.server.url).href);
  await page.waitForSelector('html[data-ready="true"]');
  assert.equal(await page.getAttribute('#residual-result', 'data-diff'), '0');
  // An unknown widget gets a message, not a blank frame.
  await page.goto(new URL('embed.html?widget=nope', ctx.server.url).href);
  await page.waitForSelector('html[data-ready="error"]');
  assert.match(await page.textContent('#status'), /^The widget could not start: no widget "nope"; the widgets are conv, edge/);
});

test('the full page keeps changed state in its address', async () => {
  const { page } = ctx;
  await page.goto(ctx.server.url);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 60_000 });
  await showWidgets(page, ['conv-explainer', 'iou-lab']);
  await page.selectOption('#iou-preset', 'half');
  await page.locator('#iou-box-a').focus();
  await page.keyboard.press('ArrowRight');
  await page.fill('#conv-stride', '2');
  const address = new URL(page.url());
  assert.equal(address.searchParams.get('conv.s'), '2');
  assert.equal(address.searchParams.get('iou.a'), '2,3,8,7');
  const readout = await page.textContent('#iou-readout');
  const again = await ctx.context.newPage();
  await again.goto(address.href);
  await again.waitForSelector('html[data-ready="true"]', { timeout: 60_000 });
  assert.equal(await again.textContent('#iou-readout'), readout);
  assert.match(await again.textContent('#conv-formula'), /s = 2/);
  await again.close();
});

test('the teacher page: live examples of the elements and of an iframe, and the list of elements', async () => {
  const { page } = ctx;
  await page.goto(new URL('teach.html', ctx.server.url).href);
  for (const tag of ['cnn-conv', 'cnn-pool', 'cnn-iou', 'cnn-model']) {
    await page.waitForSelector(`${tag}[data-ready="true"]`, { timeout: 60_000 });
  }
  assert.match(await page.textContent('cnn-conv [id^="conv-formula"]'), /f = 3, p = 1, s = 2/);
  assert.match(await page.textContent('cnn-iou [id^="iou-readout"]'), /= 0\.5000$/);
  await page.waitForFunction(() => document.querySelector('cnn-model [id^="explorer-total-params"]')?.textContent === '21,797,672');
  const frame = page.frameLocator('#teach-iframe');
  await frame.locator('html[data-ready="true"]').waitFor({ timeout: 60_000 });
  assert.match(await frame.locator('#yolo-shape').textContent(), /^Target y: 5×5×/);
  const rows = await page.$$eval('#teach-elements tr', (trs) => trs.slice(1).map((tr) => tr.children[0].textContent));
  assert.equal(rows.length, 23);
  assert.ok(rows.includes('<cnn-yolo>') && rows.includes('<cnn-model>') && rows.includes('<cnn-region-proposals>') && rows.includes('<cnn-ensemble>'));
});

test('no console errors, page errors or failed requests', () => {
  assert.deepEqual(ctx.problems, []);
});

test('served from a sub-path under a strict CSP: no other origins, offline after one visit', async () => {
  const sub = await openPlayground({ prefix: '/course/cnn/', headers: { 'content-security-policy': CSP }, serviceWorkers: 'allow' });
  try {
    const origins = new Set();
    sub.page.on('request', (r) => origins.add(new URL(r.url()).origin));
    await sub.page.goto(sub.server.url);
    await sub.page.waitForSelector('html[data-ready="true"]', { timeout: 60_000 });
    await showWidgets(sub.page, ['explorer']);
    await sub.page.waitForSelector('#explorer[data-ready="true"]', { timeout: 60_000 });
    assert.match(await sub.page.textContent('#conv-formula'), /output side/);
    assert.deepEqual([...origins], [new URL(sub.server.url).origin]);
    // The service worker has cached the site: offline, the page and an embed still load.
    await sub.page.evaluate(async () => { await navigator.serviceWorker.ready; });
    // Every file of the precache list, the wasm module included, is in the cache.
    const missing = await sub.page.evaluate(async () => {
      const files = await (await fetch('pkg/site-files.json')).json();
      const cache = await caches.open('cnn-playground');
      const absent = [];
      for (const f of files) if (!(await cache.match(new URL(f, location.href)))) absent.push(f);
      return { count: files.length, absent };
    });
    assert.deepEqual(missing.absent, []);
    assert.ok(missing.count > 50, `${missing.count} files`);
    await sub.context.setOffline(true);
    await sub.page.reload();
    await sub.page.waitForSelector('html[data-ready="true"]', { timeout: 60_000 });
    await sub.page.goto(`${sub.server.url}embed.html?widget=iou&case=half`);
    await sub.page.waitForSelector('html[data-ready="true"]', { timeout: 60_000 });
    assert.match(await sub.page.textContent('#iou-readout'), /IoU = 16 \/ 32 = 0\.5000/);
    assert.deepEqual(sub.problems, []);
  } finally {
    await sub.close();
  }
});
