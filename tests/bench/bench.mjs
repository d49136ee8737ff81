// Benchmark (prints, never asserts): the release page in headless Chromium.
//
//   scripts/bench.sh            (builds the release wasm first, installs onnxruntime-web)
//   node tests/bench/bench.mjs  (uses the www/pkg already built)
//
// Times the JS API exactly as the page calls it (argument copies included), as medians over
// repeated runs in one browser session, and reports the wasm size raw and gzipped. Machines are
// shared and noisy: compare the ratios printed in one run, not absolute times across runs.
//
// The trained models are also run by onnxruntime-web (npm, tests/bench/package.json; wasm
// backend, 1 thread, SIMD) in the same session, served to the page under /ort/.
import { readFile, access } from 'node:fs/promises';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { join } from 'node:path';
import { openPlayground, WWW } from '../e2e/browser.mjs';

const ORT_DIST = join(WWW, '..', 'tests', 'bench', 'node_modules', 'onnxruntime-web', 'dist');
// torchvision's MobileNetV2, ResNet-18 and EfficientNet-B0 with random weights, written by
// data/torchvision/export.py (scripts/bench.sh runs it), served to the page under /tv/.
const TORCHVISION = join(WWW, '..', 'target', 'torchvision');
const EXPORTS = ['mobilenet_v2', 'resnet18', 'efficientnet_b0'];
const haveExports = (await Promise.all(EXPORTS.map((n) => access(join(TORCHVISION, `${n}.onnx`)).then(() => true, () => false)))).every(Boolean);
// The face detector's slowest convolutions alone (examples/kernel_repro.rs, run by
// scripts/bench.sh), served under /repro/, with their multiply-adds for GFLOP/s.
const REPRO = join(WWW, '..', 'target', 'repro');
const LAYERS = [['conv-3x3-3to16-416', [1, 3, 416, 416], 414 * 414 * 16 * 27], ['conv-1x1-16to32-208', [1, 16, 208, 208], 208 * 208 * 32 * 16],
  ['conv-1x1-32to64-104', [1, 32, 104, 104], 104 * 104 * 64 * 32], ['conv-1x1-64to128-52', [1, 64, 52, 52], 52 * 52 * 128 * 64]];
const haveRepro = (await Promise.all(LAYERS.map(([n]) => access(join(REPRO, `${n}.onnx`)).then(() => true, () => false)))).every(Boolean);
const haveOrt = await access(join(ORT_DIST, 'ort.wasm.min.mjs')).then(() => true, () => false);

const ctx = await openPlayground();
try {
  await ctx.page.route('**/ort/**', async (route) => {
    const name = new URL(route.request().url()).pathname.split('/').pop();
    const type = name.endsWith('.wasm') ? 'application/wasm' : 'text/javascript';
    await route.fulfill({ body: await readFile(join(ORT_DIST, name)), contentType: type });
  });
  await ctx.page.route('**/tv/**', async (route) => {
    const name = new URL(route.request().url()).pathname.split('/').pop();
    await route.fulfill({ body: await readFile(join(TORCHVISION, name)), contentType: 'application/octet-stream' });
  });
  await ctx.page.route('**/repro/**', async (route) => {
    const name = new URL(route.request().url()).pathname.split('/').pop();
    await route.fulfill({ body: await readFile(join(REPRO, name)), contentType: 'application/octet-stream' });
  });
  // The module this browser gets (relaxed SIMD in Chromium), or the fallback with BENCH_WASM=simd128.
  await ctx.page.goto(process.env.BENCH_WASM === 'simd128' ? `${ctx.server.url}?wasm=simd128` : ctx.server.url);
  await ctx.page.waitForSelector('html[data-ready="true"]', { timeout: 60_000 });
  await ctx.page.evaluate(() => {
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    // V8 first runs wasm in its baseline tier and replaces hot functions with optimised code
    // compiled in the background, installed between tasks: warm each case up for 2 s, yielding
    // to the event loop, so the medians measure the optimised code a live page runs. `fn` may
    // return a promise (onnxruntime-web's run), which is awaited inside the timing. The page's
    // clock ticks in 0.1 ms steps (not cross-origin isolated), so a call shorter than 2 ms is
    // timed in batches that last about 2 ms, each sample being a batch's time per call.
    window.benchTime = async (fn, runs) => (await window.benchTimes([fn], runs))[0];
    // Several functions timed in turns (a sample of each, then the next round), so that a
    // slower spell of a shared machine falls on all of them alike and their ratios hold.
    window.benchTimes = async (fns, runs) => {
      const until = performance.now() + 2000 * fns.length;
      const calls = fns.map(() => 0);
      const busy = fns.map(() => 0);
      while (performance.now() < until) {
        for (const [i, fn] of fns.entries()) {
          const t0 = performance.now();
          const r = fn();
          if (r?.then) await r;
          busy[i] += performance.now() - t0;
          calls[i]++;
          await new Promise((resolve) => setTimeout(resolve, 0));
        }
      }
      // Sized from the warm-up's time per call (coarse, but only the batch depends on it).
      const batches = fns.map((_, i) => Math.max(1, Math.min(1000, Math.floor(2 / Math.max(busy[i] / calls[i], 0.002)))));
      const samples = fns.map(() => []);
      for (let round = 0; round < runs; round++) {
        for (const [i, fn] of fns.entries()) {
          const t0 = performance.now();
          for (let k = 0; k < batches[i]; k++) {
            const r = fn();
            if (r?.then) await r;
          }
          samples[i].push((performance.now() - t0) / batches[i]);
          await new Promise((resolve) => setTimeout(resolve, 0));
        }
      }
      return samples.map((xs, i) => ({ median: median(xs), min: Math.min(...xs), runs, batch: batches[i] }));
    };
  });
  const results = await ctx.page.evaluate(async () => {
    const api = await import('./pkg/cnn_playground.js');
    await (await import('./lib/loader.js')).loadApi();
    const time = window.benchTime;
    // 512x512 RGB image (deterministic pattern), one 3x3x3 filter: Sobel x in every channel.
    const c = 3, n = 512;
    const image = new Float32Array(c * n * n).map((_, i) => ((i * 2654435761) % 1000) / 1000);
    const sobel = api.filters().find((f) => f.name === 'sobel-x').weights;
    const weight = new Float32Array(27).map((_, i) => sobel[i % 9]);
    const options = { input: image, inputShape: [c, n, n], weight, weightShape: [1, c, 3, 3], padding: 1 };
    const t0 = performance.now();
    api.conv(options); // first call: builds the ONNX graph and optimises the tract plan
    const firstCall = performance.now() - t0;
    const tract = await time(() => api.conv(options), 60);
    const reference = await time(() => api.convReference(options), 5);
    const diff = api.maxAbsDiff(api.conv(options).data, api.convReference(options).data);
    // The course example (6x6, 3x3): the cost of one interactive redraw's computation.
    const small = { input: new Float32Array(36).map((_, i) => i % 7), inputShape: [1, 6, 6], weight: new Float32Array([1, 0, -1, 1, 0, -1, 1, 0, -1]), weightShape: [1, 1, 3, 3] };
    const smallTract = await time(() => api.conv(small), 200);
    // One webcam frame through the edge lab, as the page does it (drawing to the canvas
    // excluded): 640x480 RGBA → edgeMap (tensor, tract conv, heatmap) → RGBA. The reference
    // does the same steps with convReference on the grey tensor.
    const frame = new Uint8ClampedArray(640 * 480 * 4).map((_, i) => (i * 40503) % 251);
    const kernel = api.filters().find((f) => f.name === 'vertical').weights;
    const frameTract = await time(() => api.edgeMap({ rgba: frame, width: 640, height: 480, kernel }), 60);
    const frameReference = await time(() => {
      const grey = api.imageToTensor(frame, 640, 480, 1);
      const out = api.convReference({ input: grey, inputShape: [1, 480, 640], weight: kernel, weightShape: [1, 1, 3, 3] });
      api.heatmap(out.data, false);
    }, 10);
    // Lecture 43's 3D example: 14x14x14 * 5x5x5 → 10x10x10.
    const volume = api.ballVolume(14);
    const cube = { input: volume, inputShape: [1, 14, 14, 14], weight: new Float32Array(125).fill(1 / 125), weightShape: [1, 1, 5, 5, 5] };
    api.conv(cube);
    const conv3d = await time(() => api.conv(cube), 60);
    const conv3dReference = await time(() => api.convReference(cube), 20);
    // Detectors: the shapes detector (96x96) and the face detector (416x416) by tract, and the
    // decode + per-class NMS that follow, in Rust.
    const load = async (name, kind) => {
      const t = performance.now();
      const bytes = new Uint8Array(await (await fetch(`models/${name}.onnx`)).arrayBuffer());
      const model = api.loadModel(bytes);
      // The grid and anchors come from Rust (scenes::detector_spec, detector::face_detector_spec).
      return { model, loadMs: performance.now() - t, spec: new api.Detector(bytes, kind).spec() };
    };
    const detectors = {};
    for (const [name, kind] of [['shapes-detector', 'shapes'], ['face-detector', 'face']]) {
      const { model, loadMs, spec } = await load(name, kind);
      const input = new Float32Array(model.inputShape().reduce((a, b) => a * b, 1)).map((_, i) => ((i * 7919) % 255) / 255);
      model.run(input);
      const run = await time(() => model.run(input), 20);
      const out = model.run(input);
      const post = await time(() => {
        const d = api.yoloDecode(out.data, out.shape, spec);
        api.nmsSteps(d.boxes, d.scores, d.classes, 0.05, 0.5);
      }, 50);
      detectors[name] = { loadMs, run, post, input: model.inputShape().join('x') };
    }
    // Week 4: the digit embedding's latency per digit, one-shot recognition against 1,000
    // enrolled 128-number encodings, and one style-transfer iteration (forward and backward in
    // Rust) on a 128x128 image.
    const embeddingBytes = new Uint8Array(await (await fetch('models/digit-embedding.onnx')).arrayBuffer());
    const embedding = api.loadModel(embeddingBytes);
    const digit = new Float32Array(1024).map((_, i) => (i % 7) / 7);
    const encode = await time(() => embedding.run(digit), 100);
    const database = new Float32Array(1000 * 128).map((_, i) => ((i * 7919) % 1000) / 1000);
    const probe = database.slice(500 * 128, 501 * 128);
    const match = await time(() => api.recognise(probe, database, 128, 0.5), 100);
    const slidingBytes = new Uint8Array(await (await fetch('models/sliding-windows.onnx')).arrayBuffer());
    const picture = (seed) => new Float32Array(3 * 128 * 128).map((_, i) => ((i * 2654435761 + seed) % 1000) / 1000);
    const transfer = new api.StyleTransfer({ model: slidingBytes, node: '/conv1/Conv', size: 128, content: picture(1), style: picture(2),
      contentLayer: 'relu', styleLayers: [{ layer: 'relu', lambda: 0.5 }, { layer: 'pool', lambda: 0.5 }], alpha: 1, beta: 1e8 });
    const styleStep = await time(() => transfer.step(1), 20);
    const faceBytes = new Uint8Array(await (await fetch('models/face-encoder.onnx')).arrayBuffer());
    let t1 = performance.now();
    const faceEncoder = api.loadModel(faceBytes);
    const faceLoad = performance.now() - t1;
    const face = new Float32Array(3 * 150 * 150).map((_, i) => ((i * 7919) % 256) / 255);
    const faceEncode = await time(() => faceEncoder.run(face), 20);
    return { firstCall, tract, reference, diff, smallTract, frameTract, frameReference, conv3d, conv3dReference, detectors, encode, match, styleStep, faceLoad, faceEncode };
  });
  // tract against onnxruntime-web on the same bytes and inputs: load (bytes → ready to run) and
  // one inference, on every bundled model and on torchvision's exports.
  const cases = [
    ['models/lenet5-digits.onnx', [1, 1, 32, 32]], ['models/digit-embedding.onnx', [1, 1, 32, 32]],
    ['models/sliding-windows.onnx', [1, 3, 28, 28]], ['models/shapes-detector.onnx', [1, 3, 96, 96]],
    ['models/face-detector.onnx', [1, 3, 416, 416]], ['models/face-encoder.onnx', [1, 3, 150, 150]],
    ...(haveExports ? EXPORTS.map((n) => [`tv/${n}.onnx`, [1, 3, 224, 224]]) : []),
    ...(haveRepro ? LAYERS.map(([n, shape]) => [`repro/${n}.onnx`, shape]) : []),
  ];
  const versus = haveOrt ? await ctx.page.evaluate(async (cases) => {
    const api = await import('./pkg/cnn_playground.js');
    const ort = await import('/ort/ort.wasm.min.mjs');
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.simd = true;
    ort.env.wasm.proxy = false;
    ort.env.wasm.wasmPaths = '/ort/';
    const time = window.benchTime;
    const rows = [];
    for (const [path, shape] of cases) {
      const name = path.split('/').pop().replace('.onnx', '');
      const bytes = new Uint8Array(await (await fetch(path)).arrayBuffer());
      const input = new Float32Array(shape.reduce((a, b) => a * b, 1)).map((_, i) => ((i * 7919) % 255) / 255);
      const loads = { tract: [], ort: [] };
      let model;
      let session;
      for (let i = 0; i < 5; i++) {
        model?.free();
        let t0 = performance.now();
        model = api.loadModel(bytes, shape);
        loads.tract.push(performance.now() - t0);
        await session?.release();
        t0 = performance.now();
        session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
        loads.ort.push(performance.now() - t0);
      }
      // tract's load phase by phase (Model.load_timed: read, analyse, optimise), median of 3.
      const phases = { read: [], analyse: [], optimise: [] };
      for (let i = 0; i < 3; i++) {
        const p = api.loadPhases(bytes, shape);
        for (const k of Object.keys(phases)) phases[k].push(p[k]);
      }
      const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', input, shape) };
      // The same model with tract's own matrix-product kernel (setMatMulKernel), timed in the
      // same turns: what this crate's 4x8 kernel changes (core::engine::gemm).
      api.setMatMulKernel('tract');
      const modelTract = api.loadModel(bytes, shape);
      api.setMatMulKernel('auto');
      const [tractRun, ortRun, tractKernelRun] = await window.benchTimes([() => model.run(input), () => session.run(feeds), () => modelTract.run(input)], 20);
      const a = model.run(input).data;
      const b = (await session.run(feeds))[session.outputNames[0]].data;
      const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
      rows.push({ name, shape: shape.join('x'), size: bytes.length, loadTract: median(loads.tract), loadOrt: median(loads.ort), tractRun, ortRun, tractKernelRun,
        diff: api.maxAbsDiff(a, b), kernelDiff: api.maxAbsDiff(a, modelTract.run(input).data),
        phases: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, median(v)])) });
      model.free();
      modelTract.free();
      await session.release();
    }
    return rows;
  }, cases) : null;
  // Where tract's time goes (Model.profile: each node of the optimised plan timed in the page's
  // wasm): the face detector (the webcam's model) and the models whose runs are closest to or
  // above onnxruntime-web's.
  const profiled = [['models/face-detector.onnx', [1, 3, 416, 416]], ['models/face-encoder.onnx', [1, 3, 150, 150]],
    ['models/digit-embedding.onnx', [1, 1, 32, 32]], ...(haveExports ? [['tv/resnet18.onnx', [1, 3, 224, 224]], ['tv/efficientnet_b0.onnx', [1, 3, 224, 224]]] : [])];
  const profiles = await ctx.page.evaluate(async (cases) => {
    const api = await import('./pkg/cnn_playground.js');
    const out = [];
    for (const [path, shape] of cases) {
      const bytes = new Uint8Array(await (await fetch(path)).arrayBuffer());
      const input = new Float32Array(shape.reduce((a, b) => a * b, 1)).map((_, i) => ((i * 7919) % 255) / 255);
      const model = api.loadModel(bytes, shape);
      await window.benchTime(() => model.run(input), 5);
      const nodes = model.profile(input, 10);
      const total = nodes.reduce((sum, n) => sum + n.ms, 0);
      const byOp = {};
      for (const n of nodes) byOp[n.op] = (byOp[n.op] ?? 0) + n.ms;
      out.push({ name: path.split('/').pop().replace('.onnx', ''), total, byOp: Object.entries(byOp).sort((a, b) => b[1] - a[1]), top: nodes.slice(0, 5) });
      model.free();
    }
    return out;
  }, profiled);
  const sizes = [];
  for (const file of ['cnn_playground_bg.wasm', 'cnn_playground_relaxed_bg.wasm']) {
    const wasm = await readFile(join(WWW, 'pkg', file)).catch(() => null);
    if (!wasm) continue;
    const br = brotliCompressSync(wasm, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: wasm.length } }).length;
    // The gzip copy scripts/build.sh wrote (zopfli where installed), which a server sends.
    const served = await readFile(join(WWW, 'pkg', `${file}.gz`)).then((b) => b.length, () => null);
    sizes.push({ file, raw: wasm.length, gz: gzipSync(wasm, { level: 9 }).length, served, br });
  }
  const ms = (x) => `${x.toFixed(2)} ms`;
  const mb = (x) => `${(x / 1e6).toFixed(2)} MB`;
  const build = await ctx.page.evaluate(async () => (await import('./lib/loader.js')).wasmBuild());
  const kernel = await ctx.page.evaluate(async () => (await import('./pkg/cnn_playground.js')).matMulKernel());
  console.log(`cnn-playground benchmark (headless Chromium, release wasm, 1 thread, ${build === 'relaxed' ? 'simd128 + relaxed SIMD' : 'simd128'})`);
  console.log(`  conv by tract, 512x512x3 * 3x3x3x1, p=1 s=1:   median ${ms(results.tract.median)} (min ${ms(results.tract.min)}, ${results.tract.runs} runs)`);
  console.log(`    first call incl. graph build + optimisation: ${ms(results.firstCall)}`);
  console.log(`  convReference, same input:                     median ${ms(results.reference.median)} (min ${ms(results.reference.min)}, ${results.reference.runs} runs)`);
  console.log(`  reference / tract:                             ${(results.reference.median / results.tract.median).toFixed(1)}x`);
  console.log(`  largest |tract - reference|:                   ${results.diff}`);
  console.log(`  conv by tract, course example 6x6 * 3x3:       median ${ms(results.smallTract.median)} (${results.smallTract.runs} runs)`);
  const fps = (x) => `${(1000 / x.median).toFixed(0)} frames/s (median ${ms(x.median)} per frame)`;
  console.log(`  edge filter on 640x480 frames, tract:          ${fps(results.frameTract)}`);
  console.log(`  edge filter on 640x480 frames, reference:      ${fps(results.frameReference)}`);
  console.log(`  3D conv 14x14x14 * 5x5x5, tract:               median ${ms(results.conv3d.median)}, reference ${ms(results.conv3dReference.median)}`);
  for (const [name, d] of Object.entries(results.detectors)) {
    console.log(`  ${name} (${d.input}): load ${ms(d.loadMs)}, tract ${fps(d.run)}; decode + NMS median ${ms(d.post.median)}`);
  }
  console.log(`  face encoder (150x150 → 128 numbers, 22 MB) by tract: load ${ms(results.faceLoad)}, median ${ms(results.faceEncode.median)} per face`);
  console.log(`  digit embedding (32x32 → 2 numbers) by tract:  median ${ms(results.encode.median)} per digit`);
  console.log(`  recognise against 1,000 enrolled 128-number encodings: median ${ms(results.match.median)}`);
  console.log(`  style transfer, one iteration on 128x128 (Rust forward + backward): median ${ms(results.styleStep.median)}`);
  for (const z of sizes) console.log(`  ${z.file}: ${mb(z.raw)} raw, ${mb(z.gz)} gzip -9, ${z.served ? `${mb(z.served)} the served .gz copy, ` : ''}${mb(z.br)} brotli -q 11`);
  if (versus) {
    const flops = Object.fromEntries(LAYERS.map(([n, , macs]) => [n, 2 * macs]));
    const gflops = (name, t) => (flops[name] / t / 1e6).toFixed(1);
    console.log('tract vs onnxruntime-web 1.30.0 (wasm backend, 1 thread, SIMD), same session, same bytes and input');
    console.log('  (load: bytes → ready, median of 5; run: median of 20, tract and ort run in turns after warm-up, a run under 2 ms timed in batches of about 2 ms; ratio > 1 means tract is slower)');
    for (const r of versus) {
      console.log(`  ${r.name} (${r.shape}, ${(r.size / 1e6).toFixed(2)} MB): load tract ${ms(r.loadTract)} vs ort ${ms(r.loadOrt)} (${(r.loadTract / r.loadOrt).toFixed(2)}x); ` +
        `run tract ${ms(r.tractRun.median)} vs ort ${ms(r.ortRun.median)} (${(r.tractRun.median / r.ortRun.median).toFixed(2)}x); largest |tract - ort| ${r.diff.toExponential(1)}` +
        (flops[r.name] ? `; ${gflops(r.name, r.tractRun.median)} vs ${gflops(r.name, r.ortRun.median)} GFLOP/s` : ''));
    }
    console.log(`the matrix-product kernel (core::engine::gemm): models above ran with ${kernel}; the same models with tract's own kernel, timed in the same turns`);
    for (const r of versus) {
      console.log(`  ${r.name}: run ${ms(r.tractRun.median)} vs ${ms(r.tractKernelRun.median)} with tract's kernel (${(r.tractRun.median / r.tractKernelRun.median).toFixed(2)}x; ` +
        `tract's kernel vs ort ${(r.tractKernelRun.median / r.ortRun.median).toFixed(2)}x); largest |difference| ${r.kernelDiff.toExponential(1)}`);
    }
    console.log("where tract's load time goes (loadPhases: read = decode, checks and tract's graph; analyse = types and shapes; optimise = declutter, kernels, packing; medians of 3)");
    for (const r of versus) {
      const { read, analyse, optimise } = r.phases;
      const total = read + analyse + optimise;
      const share = (x) => `${((100 * x) / total).toFixed(0)} %`;
      console.log(`  ${r.name}: read ${ms(read)} (${share(read)}), analyse ${ms(analyse)} (${share(analyse)}), optimise ${ms(optimise)} (${share(optimise)})`);
    }
  } else {
    console.log('  onnxruntime-web is not installed (tests/bench): run scripts/bench.sh for the comparison');
  }
  for (const p of profiles) {
    const share = (x) => `${((100 * x) / p.total).toFixed(0)} %`;
    console.log(`where tract's time goes in ${p.name} (Model.profile, median of 10 runs per node; nodes sum to ${ms(p.total)})`);
    console.log(`  by op: ${p.byOp.slice(0, 6).map(([op, t]) => `${op} ${ms(t)} (${share(t)})`).join(', ')}`);
    console.log(`  slowest nodes: ${p.top.map((n) => `${n.name} [${n.op}] ${ms(n.ms)}`).join(', ')}`);
  }
  if (ctx.problems.length) console.log(`  page problems: ${ctx.problems.join('; ')}`);
} finally {
  await ctx.close();
}
