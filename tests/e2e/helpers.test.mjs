// The e2e report's own instrument: `describeLongestTask` must trace a long task to the script and
// the rendering of the animation frame that held it. Runs on a blank page: two made-up long tasks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, CHROMIUM, CHROMIUM_ARGS } from './browser.mjs';
import { recordLongTasks, describeLongestTask } from './helpers.mjs';

test('the longest-task report names the script and the style and layout of the frame that held it', async () => {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    await page.setContent('<div id="d"></div>');

    await recordLongTasks(page);
    // 120 ms of script in an animation-frame callback.
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => {
      const t = performance.now();
      while (performance.now() - t < 120);
      setTimeout(done, 300);
    })));
    assert.match(await describeLongestTask(page), /^\d+ ms \(user-callback FrameRequestCallback \d+ ms; frame's rendering phase/);

    // A timer adds 40,000 elements: a little script, then a long style and layout. The long-task
    // entry ends a few milliseconds after its frame's (the two clocks differ), so a lookup for a
    // frame that contains the task found none and called it "browser work outside a frame".
    await recordLongTasks(page);
    await page.evaluate(() => new Promise((done) => setTimeout(() => {
      const d = document.getElementById('d');
      for (let i = 0; i < 40_000; i++) d.append(Object.assign(document.createElement('div'), { textContent: i }));
      requestAnimationFrame(() => setTimeout(done, 300));
    }, 10)));
    const text = await describeLongestTask(page);
    assert.match(text, /TimerHandler:setTimeout \d+ ms; frame's rendering phase/, text);
    const layout = Number(text.match(/of it style and layout (\d+) ms/)?.[1]);
    assert.ok(layout >= 50, text);
  } finally {
    await browser.close();
  }
});
