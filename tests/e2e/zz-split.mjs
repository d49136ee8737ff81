import { openPlayground } from './browser.mjs';
const ctx = await openPlayground();
await ctx.page.goto(ctx.server.url);
await ctx.page.waitForSelector('html[data-ready="true"]');
console.log(await ctx.page.evaluate(async () => {
  const api = await import('./pkg/cnn_playground.js');
  const med = (f, r) => { const s = []; for (let i = 0; i < r; i++) { const t = performance.now(); f(); s.push(performance.now() - t); } s.sort((a, b) => a - b); return s[r >> 1].toFixed(2); };
  const frame = new Uint8ClampedArray(640 * 480 * 4).map((_, i) => (i * 40503) % 251);
  const k = api.filters()[0].weights;
  const grey = api.imageToTensor(frame, 640, 480, 1);
  const out = api.conv2d(grey, [1, 480, 640], k, [1, 1, 3, 3], null, 'valid', 1);
  const r = {};
  for (let round = 0; round < 2; round++) {
    r[`toGrey${round}`] = med(() => api.imageToTensor(frame, 640, 480, 1), 20);
    r[`conv${round}`] = med(() => api.conv2d(grey, [1, 480, 640], k, [1, 1, 3, 3], null, 'valid', 1), 20);
    r[`heatmap${round}`] = med(() => api.heatmap(out.data, false), 20);
  }
  return r;
}));
await ctx.close();
