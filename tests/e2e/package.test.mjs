// End to end: the npm package (issue 6). Packs the built site with scripts/package.sh --no-build,
// installs the tarball into a scratch folder, checks its metadata and exports, imports the wasm
// API in Node, and uses the installed elements on a page in Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../../tools/serve.mjs';
import { CHROMIUM, CHROMIUM_ARGS } from './browser.mjs';

const REPO = join(import.meta.dirname, '..', '..');
let scratch;
let installed;

before(async () => {
  const tarball = execFileSync('bash', ['scripts/package.sh', '--no-build'], { cwd: REPO, encoding: 'utf8' }).trim().split('\n').at(-1);
  scratch = await mkdtemp(join(tmpdir(), 'cnn-playground-npm-'));
  await writeFile(join(scratch, 'package.json'), JSON.stringify({ name: 'notes', private: true, type: 'module' }));
  execFileSync('npm', ['install', tarball, '--offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: scratch });
  installed = join(scratch, 'node_modules', 'cnn-playground');
});
after(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

test('the installed package has correct metadata and resolvable exports', async () => {
  const pkg = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8'));
  const cargo = await readFile(join(REPO, 'Cargo.toml'), 'utf8');
  assert.equal(pkg.name, 'cnn-playground');
  assert.equal(pkg.version, cargo.match(/^version = "([^"]*)"/m)[1]);
  assert.equal(pkg.license, 'MIT OR Apache-2.0');
  assert.equal(pkg.type, 'module');
  const resolve = (spec) => execFileSync('node', ['--input-type=module', '-e', `console.log(import.meta.resolve(${JSON.stringify(spec)}))`], { cwd: scratch, encoding: 'utf8' }).trim();
  assert.match(resolve('cnn-playground'), /node_modules\/cnn-playground\/elements\.js$/);
  assert.match(resolve('cnn-playground/wasm'), /node_modules\/cnn-playground\/pkg\/cnn_playground\.js$/);
  for (const file of ['pkg/cnn_playground_bg.wasm', 'models/lenet5-digits.onnx', 'widgets.css', 'embed.html', 'lib/registry.js']) {
    await readFile(join(installed, file));
  }
});

test('Node imports the wasm API from the installed package', () => {
  const script = `
    import { readFile } from 'node:fs/promises';
    import { initSync, outputSize, iou, conv } from 'cnn-playground/wasm';
    const wasm = await readFile(new URL(import.meta.resolve('cnn-playground/wasm/cnn_playground_bg.wasm')));
    initSync({ module: wasm });
    const out = conv({ input: new Float32Array(36).fill(1), inputShape: [1, 6, 6], weight: new Float32Array(9).fill(1), weightShape: [1, 1, 3, 3] });
    console.log(JSON.stringify([outputSize(6, 3, 0, 1), iou([2, 1, 4, 3], [1, 2, 3, 4]), Array.from(out.shape), out.data[0]]));`;
  const printed = execFileSync('node', ['--input-type=module', '-e', script], { cwd: scratch, encoding: 'utf8' }).trim();
  const [size, overlap, shape, first] = JSON.parse(printed);
  assert.equal(size, 4);
  assert.ok(Math.abs(overlap - 1 / 7) < 1e-6, printed);
  assert.deepEqual(shape, [1, 4, 4]);
  assert.equal(first, 9);
});

test('a page uses the installed elements', async () => {
  const server = await startServer(scratch, 0);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ serviceWorkers: 'block' });
    const page = await context.newPage();
    const problems = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.route(`${server.url}notes.html`, (route) => route.fulfill({
      contentType: 'text/html',
      body: '<!doctype html><html lang="en"><head><title>n</title><script type="module" src="node_modules/cnn-playground/elements.js"></script></head><body><cnn-iou case="half"></cnn-iou><cnn-pool f="3" s="1"></cnn-pool></body></html>',
    }));
    await page.goto(`${server.url}notes.html`);
    await page.waitForSelector('cnn-iou[data-ready="true"]', { timeout: 60_000 });
    await page.waitForSelector('cnn-pool[data-ready="true"]');
    assert.match(await page.textContent('cnn-iou [id^="iou-readout"]'), /IoU = 16 \/ 32 = 0\.5000$/);
    assert.match(await page.textContent('cnn-pool [id^="pool-formula"]'), /f = 3, p = 0, s = 1: output side .* = 2$/);
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    await server.close();
  }
});
