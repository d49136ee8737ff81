// Helpers shared by the end-to-end tests: reading grids and canvases, moving sliders.

/** A grid's cells as rows of numbers; `cell` selects the cells inside the grid (data-cols set). */
export async function readGrid(page, id, cell) {
  return page.$eval(id, (grid, sel) => {
    const cols = Number(grid.dataset.cols);
    const values = [...grid.querySelectorAll(sel)].map((b) => Number(b.textContent));
    return Array.from({ length: values.length / cols }, (_, r) => values.slice(r * cols, (r + 1) * cols));
  }, cell);
}

/** Sets a range input and fires its `input` event, as dragging it does. */
export async function slide(page, id, value) {
  await page.$eval(id, (el, v) => { el.value = String(v); el.dispatchEvent(new Event('input', { bubbles: true })); }, value);
}

/** The RGBA colour of canvas pixel (x, y). */
export async function pixel(page, id, x, y) {
  return page.$eval(id, (c, [px, py]) => [...c.getContext('2d').getImageData(px, py, 1, 1).data], [x, y]);
}

export const RED = [214, 69, 65, 255];
export const WHITE = [255, 255, 255, 255];

/**
 * Scrolls through the full page as a reader would, one widget after another, until each has
 * mounted (widgets mount when they near the viewport), then back to the top. `ids` limits it to
 * those widgets.
 */
export async function showWidgets(page, ids) {
  await page.evaluate(async (only) => {
    const roots = [...document.querySelectorAll('main .widget')].filter((r) => !only || only.includes(r.id));
    for (const root of roots) {
      root.scrollIntoView({ block: 'center' });
      const until = performance.now() + 30_000;
      while (!root.dataset.mounted && !root.querySelector('.error[role="alert"]')) {
        if (performance.now() > until) throw new Error(`#${root.id} did not mount within 30 s of being scrolled to`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    window.scrollTo(0, 0);
  }, ids ?? null);
}

/**
 * Starts recording the page's long tasks (over 50 ms, PerformanceObserver) from now on, and the
 * long animation frames around them with the scripts that ran in each (where the browser reports
 * them: Chromium), so that a long task can be traced to its code.
 */
export const recordLongTasks = (page) => page.evaluate(() => {
  window.longTasks = [];
  window.longFrames = [];
  new PerformanceObserver((list) => window.longTasks.push(...list.getEntries().map((e) => ({ start: e.startTime, duration: e.duration })))).observe({ type: 'longtask' });
  if (PerformanceObserver.supportedEntryTypes?.includes('long-animation-frame')) {
    new PerformanceObserver((list) => window.longFrames.push(...list.getEntries().map((e) => ({
      start: e.startTime,
      duration: e.duration,
      render: e.renderStart ? e.startTime + e.duration - e.renderStart : 0,
      layout: e.styleAndLayoutStart ? e.startTime + e.duration - e.styleAndLayoutStart : 0,
      scripts: e.scripts.map((s) => ({
        what: `${s.sourceURL.split('/').pop() || s.invokerType} ${s.sourceFunctionName || s.invoker}`,
        duration: s.duration,
      })),
    })))).observe({ type: 'long-animation-frame' });
  }
});

/**
 * The longest task since `recordLongTasks` for a test's report: `"87 ms (face-lab.js onFrame
 * 80 ms, …; frame's rendering phase … 3 ms, of it style and layout 1 ms)"` with the longest scripts of the
 * animation frame that held it (the browser lists scripts of 5 ms or more) and its rendering time,
 * or `"0 ms"`.
 */
export const describeLongestTask = async (page) => {
  // Chromium delivers a long animation frame's entry up to a second after the long task's: wait
  // for a frame that overlaps the task (at most 3 s) before reading them.
  const { task, frame } = await page.evaluate(async () => {
    const tasks = window.longTasks ?? [];
    if (tasks.length === 0) return {};
    const task = tasks.reduce((a, b) => (b.duration > a.duration ? b : a));
    // The frame that overlaps the task most: the two entries' clocks differ by a few milliseconds.
    const overlap = (f) => Math.min(f.start + f.duration, task.start + task.duration) - Math.max(f.start, task.start);
    const until = performance.now() + 3000;
    for (;;) {
      const frame = (window.longFrames ?? []).filter((f) => overlap(f) > 0).sort((a, b) => overlap(b) - overlap(a))[0];
      if (frame || !PerformanceObserver.supportedEntryTypes?.includes('long-animation-frame') || performance.now() > until) return { task, frame };
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  if (!task) return '0 ms';
  const scripts = (frame?.scripts ?? []).sort((a, b) => b.duration - a.duration).slice(0, 3);
  const parts = scripts.map((s) => `${s.what} ${s.duration.toFixed(0)} ms`);
  if (frame) parts.push(`frame's rendering phase (animation-frame callbacks, style, layout, paint) ${frame.render.toFixed(0)} ms, of it style and layout ${frame.layout.toFixed(0)} ms`);
  if (!scripts.length) parts.unshift(frame ? 'no script over 5 ms' : 'no long animation frame around it: browser work outside a frame');
  return `${task.duration.toFixed(0)} ms (${parts.join('; ')})`;
};
