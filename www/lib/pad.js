// A drawing pad: a white square canvas the user draws on with a mouse, pen or finger (pointer
// events, so all three), black round strokes. Used by LeNet-5's digit pad and the transfer
// learning letter pad; what the drawing means is decided in Rust (`digitFromDrawing`).

import { h } from './dom.js';

/**
 * A pad `size` pixels square. `onChange()` is called while a stroke is drawn and when it ends.
 * Returns `{ canvas, clear(), pixels() }`, where `pixels()` is the canvas's RGBA `ImageData.data`.
 */
export function drawingPad({ id, size = 224, label, lineWidth = 18, onChange = () => {} }) {
  const canvas = h('canvas', { id, width: size, height: size, class: 'pad', role: 'img', 'aria-label': label });
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  let drawing = false;
  const clear = () => {
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, size, size);
  };
  const point = (event) => {
    const r = canvas.getBoundingClientRect();
    return [((event.clientX - r.left) / r.width) * size, ((event.clientY - r.top) / r.height) * size];
  };
  canvas.addEventListener('pointerdown', (event) => {
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    drawing = true;
    ctx.lineWidth = lineWidth;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.strokeStyle = '#000';
    ctx.beginPath();
    ctx.moveTo(...point(event));
  });
  canvas.addEventListener('pointermove', (event) => {
    if (!drawing) return;
    ctx.lineTo(...point(event));
    ctx.stroke();
    onChange();
  });
  canvas.addEventListener('pointerup', () => {
    if (!drawing) return;
    drawing = false;
    onChange();
  });
  clear();
  return { canvas, clear, pixels: () => ctx.getImageData(0, 0, size, size).data };
}
