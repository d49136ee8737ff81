// Images and the webcam for the widgets: decoding a file or photo, and a live camera loop.

import { h } from './dom.js';
import { fetchWithProgress, progressTo } from './loader.js';

/**
 * Decodes an image `blob` and scales it to fit the playground's size limit (`api.fitImage`):
 * `{ pixels, width, height, original: [width, height], scaled }`. Throws when the browser cannot
 * decode it.
 */
export async function decodeImage(blob, api) {
  const bitmap = await createImageBitmap(blob);
  const fit = api.fitImage(bitmap.width, bitmap.height);
  const canvas = new OffscreenCanvas(fit.width, fit.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(bitmap, 0, 0, fit.width, fit.height);
  const original = [bitmap.width, bitmap.height];
  bitmap.close();
  return { pixels: ctx.getImageData(0, 0, fit.width, fit.height).data, width: fit.width, height: fit.height, original, scaled: fit.scaled };
}

/**
 * Opens the webcam at 640×480 and calls `onFrame(pixels, width, height)` with each frame's RGBA
 * bytes on every animation frame where `wants()` is true (by default, every one): a consumer that
 * cannot use a frame yet is not handed one, and the page does not copy it out of the video.
 * With `bitmaps`, each frame is handed over as an `ImageBitmap` (`onFrame(bitmap, width, height)`),
 * for a worker to read: the page's thread then never reads pixels back. `createImageBitmap` still
 * copies the frame on it (1.1 ms median per 640×480 frame in headless Chromium; 44 ms once in a
 * CI run on a busy machine). A `VideoFrame` would not, but converting it in the worker cost a
 * fifth of the face detector's frame rate (A/B runs, Dec 2026), so bitmaps stay.
 * Returns `{ frames, since, stop() }` (`frames` counts the frames handed over), or `null` after
 * passing a clear message to `fail` (no camera API, access denied, no camera); `instead`
 * completes the denied message ("pick another image").
 */
export async function openCamera(onFrame, fail, instead, wants = () => true, { bitmaps = false } = {}) {
  if (!navigator.mediaDevices?.getUserMedia) {
    fail('This browser gives no camera access to this page (it needs https or localhost).');
    return null;
  }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
  } catch (e) {
    fail(e.name === 'NotAllowedError'
      ? `Camera access was denied. Allow the camera for this page in the browser, or ${instead}.`
      : `No camera could be opened: this device has none, or another program is using it; ${instead}.\n${e.name}: ${e.message}`);
    return null;
  }
  const video = h('video', { muted: true, playsinline: true });
  video.srcObject = stream;
  await video.play();
  // The page reads frames itself only without `bitmaps`.
  const canvas = bitmaps ? null : new OffscreenCanvas(video.videoWidth, video.videoHeight);
  const ctx = canvas?.getContext('2d', { willReadFrequently: true });
  const camera = {
    frames: 0,
    since: performance.now(),
    live: true,
    stop() { camera.live = false; stream.getTracks().forEach((t) => t.stop()); },
  };
  let grabbing = false;
  const frame = () => {
    if (!camera.live) return;
    if (bitmaps && !grabbing && wants()) {
      grabbing = true;
      createImageBitmap(video).then((bitmap) => {
        grabbing = false;
        if (!camera.live) return bitmap.close();
        onFrame(bitmap, bitmap.width, bitmap.height);
        camera.frames += 1;
      }, (e) => {
        grabbing = false;
        fail(`The camera's picture could not be read.\n${e.message}`);
      });
    } else if (!bitmaps && wants()) {
      ctx.drawImage(video, 0, 0);
      onFrame(ctx.getImageData(0, 0, canvas.width, canvas.height).data, canvas.width, canvas.height);
      camera.frames += 1;
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  return camera;
}

/**
 * One webcam frame: opens the camera, keeps its first frame and stops it. Resolves to `{ pixels,
 * width, height }`, or `null` after `fail(message)` when no camera can be opened.
 */
export function snapshot(fail, instead) {
  return new Promise((resolve) => {
    let taken = false;
    let camera = null;
    openCamera((pixels, width, height) => {
      if (taken) return;
      taken = true;
      resolve({ pixels: pixels.slice(), width, height });
      queueMicrotask(() => camera?.stop());
    }, fail, instead).then((c) => {
      camera = c;
      if (!c) resolve(null);
      else if (taken) c.stop();
    });
  });
}

const fetched = new Map();
const progress = new Map();

/**
 * The bytes of the file at `url` (a URL or string) as a `Uint8Array`, fetched once per page:
 * several widgets load LeNet-5 and the held-out digits. `onProgress(received, total)` follows the
 * download. Rejects with `path: HTTP status`.
 */
export function fetchBytes(url, onProgress) {
  const key = String(url);
  if (!progress.has(key)) progress.set(key, new Set());
  if (onProgress) progress.get(key).add(onProgress);
  if (!fetched.has(key)) {
    fetched.set(key, fetchWithProgress(key, (r, t) => progress.get(key)?.forEach((f) => f(r, t)))
      .finally(() => progress.delete(key))
      .catch((e) => {
        fetched.delete(key);
        throw e;
      }));
  }
  return fetched.get(key);
}

/** The JSON file at `url`. Rejects with `path: HTTP status`. */
export async function fetchJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${new URL(url, location.href).pathname}: HTTP ${response.status}`);
  return response.json();
}

/**
 * A progress bar placed after `anchor` while a model downloads: `update(received, total)` moves
 * it, `done()` removes it.
 */
export function downloadBar(anchor, label) {
  const bar = h('progress', { class: 'download', 'aria-label': label });
  anchor.after(bar);
  return {
    update: progressTo(bar),
    done() {
      bar.remove();
    },
  };
}
