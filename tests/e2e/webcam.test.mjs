// End to end: the edge lab and the face detector on a live webcam, with Chromium's fake camera (a
// generated test pattern, no face in it), and the message when the camera cannot be opened.
// Reports the face detector's frames per second and the longest main-thread task meanwhile.
// Fails on console or page errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { showWidgets, recordLongTasks, describeLongestTask } from './helpers.mjs';
import { openPlayground } from './browser.mjs';

async function ready(ctx) {
  await ctx.page.goto(ctx.server.url);
  await ctx.page.waitForSelector('html[data-ready="true"]', { timeout: 30_000 });
  await showWidgets(ctx.page, ['edge-lab', 'face-lab']);
}

test('webcam frames are edge-filtered live', async () => {
  const ctx = await openPlayground({ extraArgs: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'] });
  try {
    await ready(ctx);
    await ctx.page.selectOption('#edge-source', 'webcam');
    await ctx.page.waitForFunction(() => Number(document.querySelector('#edge-stats').dataset.frames) >= 10, null, { timeout: 30_000 });
    assert.deepEqual(await ctx.page.$eval('#edge-output', (c) => [c.width, c.height]), [638, 478]);
    assert.match(await ctx.page.textContent('#edge-stats'), /^640×480 image, 3×3 kernel: tract and colouring took [\d.]+ ms · \d+ frames\/s$/);
    assert.match(await ctx.page.textContent('#edge-notice'), /nothing is sent anywhere/);
    await ctx.page.click('#edge-stop');
    assert.equal(await ctx.page.isHidden('#edge-stop'), true);
    assert.deepEqual(ctx.problems, []);
  } finally {
    await ctx.close();
  }
});

test('webcam frames go through the face detector live, in its worker', async (t) => {
  const ctx = await openPlayground({ extraArgs: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'] });
  try {
    // What the page asks its workers to do: the frames must go out as the camera's RGBA bytes,
    // letterboxed and detected in the worker, so that the page's thread only draws. And how many
    // camera frames (640×480) the page copies out of the video itself: none.
    await ctx.page.addInitScript(() => {
      window.workerCalls = [];
      window.cameraGrabs = 0;
      const grab = OffscreenCanvasRenderingContext2D.prototype.getImageData;
      OffscreenCanvasRenderingContext2D.prototype.getImageData = function (...args) {
        if (this.canvas.width === 640 && this.canvas.height === 480) window.cameraGrabs += 1;
        return grab.apply(this, args);
      };
      const post = Worker.prototype.postMessage;
      Worker.prototype.postMessage = function (message, ...rest) {
        if (message?.op) window.workerCalls.push({ op: message.op, args: (message.args ?? []).map((a) => a?.constructor?.name === 'Object' ? 'Object' : `${a?.constructor?.name}${a?.length ?? ''}`) });
        return post.call(this, message, ...rest);
      };
    });
    await ready(ctx);
    await ctx.page.waitForSelector('#face-lab[data-ready="true"]', { timeout: 60_000 });
    await recordLongTasks(ctx.page);
    await ctx.page.selectOption('#face-source', 'webcam');
    await ctx.page.waitForFunction(() => Number(document.querySelector('#face-stats').dataset.frames) >= 20, null, { timeout: 60_000 });
    const stats = await ctx.page.textContent('#face-stats');
    const [, rate] = stats.match(/^letterbox, tract, decoding and NMS \d+ ms in a worker · ([\d.]+) frames\/s detected$/) ?? [];
    assert.ok(rate, stats);
    const [calls, grabs] = await ctx.page.evaluate(() => [window.workerCalls, window.cameraGrabs]);
    // Camera frames go to the worker as bitmaps, which the worker reads: the page copies none.
    const frames = calls.filter((c) => c.op === 'detectBitmap');
    assert.equal(grabs, 0, `the page copied ${grabs} camera frames`);
    assert.ok(frames.length >= 20, JSON.stringify(calls.slice(0, 5)));
    assert.deepEqual(frames.at(-1).args.slice(1, 4), ['ImageBitmap', 'Number', 'Number']);
    // A face-detector input, 3×416×416, letterboxed on the page's thread (the shapes detector's
    // 3×96×96 photo on the same page may go out as a tensor).
    assert.deepEqual(calls.filter((c) => c.op === 'detect' && c.args[1] === 'Float32Array519168'), [], 'the page letterboxed a frame itself');
    const longest = await describeLongestTask(ctx.page);
    t.diagnostic(`webcam face detection: ${rate} frames/s detected; ${frames.length} frames sent as bitmaps; longest main-thread task ${longest}`);
    // The fake camera's test pattern holds no face.
    assert.equal(await ctx.page.$eval('#face-result', (e) => e.dataset.faces), '0');
    await ctx.page.click('#face-stop');
    await ctx.page.waitForFunction(() => document.querySelector('#face-result').dataset.faces === '1', null, { timeout: 30_000 });
    assert.deepEqual(ctx.problems, []);
  } finally {
    await ctx.close();
  }
});

test('no camera access gives a clear message and the widget keeps working', async () => {
  const ctx = await openPlayground();
  try {
    await ready(ctx);
    await ctx.page.selectOption('#edge-source', 'webcam');
    await ctx.page.waitForSelector('#edge-error:not([hidden])', { timeout: 30_000 });
    assert.match(await ctx.page.textContent('#edge-error'), /^(Camera access was denied|No camera could be opened)/);
    await ctx.page.selectOption('#edge-source', 'gen:gradient');
    assert.equal(await ctx.page.isHidden('#edge-error'), true);
    assert.deepEqual(ctx.problems, []);
  } finally {
    await ctx.close();
  }
});
