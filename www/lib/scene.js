// Drawing helpers for the detection widgets: a scene's pixels and boxes on a canvas.

/** Class colours (by class index) for boxes drawn over scenes. */
export const CLASS_COLOURS = ['#d64541', '#3478c6', '#2e9d5b', '#b36ad6', '#e0a100'];

/** Draws `rgba` (a `size × size` image) scaled to fill `canvas`, or a plain background. */
export function drawScene(canvas, rgba, size) {
  const ctx = canvas.getContext('2d');
  ctx.imageSmoothingEnabled = false;
  if (!rgba) {
    ctx.fillStyle = '#f4f4f0';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    return ctx;
  }
  const small = new OffscreenCanvas(size, size);
  small.getContext('2d').putImageData(new ImageData(rgba, size, size), 0, 0);
  ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
  return ctx;
}

/** Strokes box `[x1, y1, x2, y2]` (image fractions) on `ctx` with `colour`, an optional label. */
export function strokeBox(ctx, box, colour, { label = '', dash = [], width = 2 } = {}) {
  const { width: w, height: h } = ctx.canvas;
  ctx.save();
  ctx.strokeStyle = colour;
  ctx.lineWidth = width;
  ctx.setLineDash(dash);
  ctx.strokeRect(box[0] * w, box[1] * h, (box[2] - box[0]) * w, (box[3] - box[1]) * h);
  if (label) {
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillStyle = colour;
    ctx.fillText(label, box[0] * w + 3, Math.max(12, box[1] * h - 3));
  }
  ctx.restore();
}

/**
 * Draws the 68 face landmarks of `points` (`x, y` pairs, image pixels) on `ctx`, scaled by `scale`
 * canvas pixels per image pixel: each part of `parts` (`api.faceParts()`: `{ start, end, closed }`)
 * as a line through its points, and every point as a dot.
 */
export function drawLandmarks(ctx, points, scale, parts, colour = '#39d0ff') {
  ctx.save();
  ctx.strokeStyle = colour;
  ctx.fillStyle = colour;
  ctx.lineWidth = 1;
  const at = (i) => [points[2 * i] * scale, points[2 * i + 1] * scale];
  for (const { start, end, closed } of parts) {
    ctx.beginPath();
    for (let i = start; i < end; i++) ctx[i === start ? 'moveTo' : 'lineTo'](...at(i));
    if (closed) ctx.closePath();
    ctx.stroke();
  }
  for (let i = 0; i < points.length / 2; i++) {
    const [x, y] = at(i);
    ctx.fillRect(x - 1.5, y - 1.5, 3, 3);
  }
  ctx.restore();
}

/** The position of a pointer event in image fractions of `canvas` (0..1 each way). */
export function fractionAt(canvas, event) {
  const r = canvas.getBoundingClientRect();
  return [Math.min(1, Math.max(0, (event.clientX - r.left) / r.width)), Math.min(1, Math.max(0, (event.clientY - r.top) / r.height))];
}

/**
 * Lets the learner draw boxes on `canvas` by press, drag and release: `onBox([x1, y1, x2, y2])`
 * (image fractions) for every box at least `min` wide and high (smaller ones are clicks);
 * `enabled()` decides whether a press starts a box.
 */
export function drawBoxes(canvas, onBox, { min = 0.02, enabled = () => true } = {}) {
  canvas.addEventListener('pointerdown', (event) => {
    if (!enabled()) return;
    const start = fractionAt(canvas, event);
    canvas.setPointerCapture(event.pointerId);
    const up = (e) => {
      canvas.removeEventListener('pointerup', up);
      const end = fractionAt(canvas, e);
      const box = [Math.min(start[0], end[0]), Math.min(start[1], end[1]), Math.max(start[0], end[0]), Math.max(start[1], end[1])];
      if (box[2] - box[0] >= min && box[3] - box[1] >= min) onBox(box);
    };
    canvas.addEventListener('pointerup', up);
  });
}
