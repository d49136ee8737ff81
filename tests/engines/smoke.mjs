// A smoke run of the page in Firefox ESR and WebKitGTK through WebDriver (playwright-core drives
// only Chromium here; its own Firefox and WebKit builds cannot be downloaded). For each engine: the
// page loads, the first widget computes its output with tract, the explorer runs LeNet-5 in its
// model worker, the webcam's absence is said in words, a model widget (the shapes detector,
// embedded alone) downloads and runs its model, and no error reaches the console, `window.onerror`
// or an unhandled rejection (collected by a probe script the test server loads first).
//
//   node tests/engines/smoke.mjs [firefox] [webkit]      (both when none is named)
//
// Needs geckodriver (cargo install) and Debian's firefox-esr, webkit2gtk-driver, xvfb and xauth;
// scripts/setup-tools.sh installs them. Exits 1 on any failure.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../tools/serve.mjs';

const WWW = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'www');

const PROBE = `
window.__probeErrors = [];
addEventListener('error', (e) => __probeErrors.push('error: ' + (e.message || (e.target && (e.target.src || e.target.href)) || 'unknown')), true);
addEventListener('unhandledrejection', (e) => __probeErrors.push('unhandled rejection: ' + ((e.reason && e.reason.message) || e.reason)));
const consoleError = console.error.bind(console);
console.error = (...args) => { __probeErrors.push('console.error: ' + args.map(String).join(' ')); consoleError(...args); };
`;

const ENGINES = {
  firefox: {
    command: process.env.GECKODRIVER ?? join(homedir(), '.cargo', 'bin', 'geckodriver'),
    args: (port) => ['--port', String(port)],
    capabilities: { browserName: 'firefox', 'moz:firefoxOptions': { binary: '/usr/bin/firefox-esr', args: ['-headless'] } },
  },
  webkit: {
    // WebKitGTK's MiniBrowser has no headless mode: it runs on a virtual X display.
    command: 'xvfb-run',
    args: (port) => ['-a', 'WebKitWebDriver', `--port=${port}`],
    capabilities: {},
  },
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function webdriver(base, method, path, body) {
  const response = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${json.value?.message ?? response.status}`);
  return json.value;
}

async function startDriver(engine, port) {
  // Caches and storage of its own, so two runs on one machine (a CI job and a developer's) never
  // share WebKit's disk cache or databases.
  const home = mkdtempSync(join(tmpdir(), 'cnn-smoke-'));
  const env = { ...process.env, XDG_CACHE_HOME: join(home, 'cache'), XDG_DATA_HOME: join(home, 'data'), XDG_CONFIG_HOME: join(home, 'config') };
  const driver = spawn(engine.command, engine.args(port), { stdio: 'ignore', detached: true, env });
  driver.home = home;
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      await webdriver(base, 'GET', '/status');
      return { driver, base };
    } catch {
      await sleep(200);
    }
  }
  process.kill(-driver.pid);
  rmSync(home, { recursive: true, force: true });
  throw new Error(`${engine.command} did not answer on port ${port}`);
}

// What the page shows when a wait times out: every status line, shown error and busy widget, and
// what the probe collected, so a failure on a machine we cannot log into still says why.
const SHOWN = `
  const text = (e) => e.textContent.trim().replace(/\\s+/g, ' ').slice(0, 200);
  const said = [...document.querySelectorAll('[role=status], .error-line:not([hidden]), .error:not([hidden])')].map(text).filter(Boolean);
  const busy = [...document.querySelectorAll('[data-busy]')].map((e) => '#' + e.id + ' busy');
  return [...said, ...busy, ...(window.__probeErrors || [])].join(' | ') || 'nothing';`;

/** Polls `script` (a function body returning a value) until it returns something truthy. */
async function until(session, script, what, timeoutMs = 120_000) {
  const started = Date.now();
  for (;;) {
    const value = await session.run(script);
    if (value) return value;
    if (Date.now() - started > timeoutMs) {
      const shown = await session.run(SHOWN).catch((e) => `(could not read the page: ${e.message})`);
      throw new Error(`timed out waiting for ${what}; the page shows: ${shown}`);
    }
    await sleep(250);
  }
}

async function smoke(name, url) {
  const engine = ENGINES[name];
  const port = 4444 + Math.floor(Math.random() * 1000);
  const { driver, base } = await startDriver(engine, port);
  const started = Date.now();
  let id;
  try {
    id = (await webdriver(base, 'POST', '/session', { capabilities: { alwaysMatch: engine.capabilities } })).sessionId;
    const session = {
      go: (to) => webdriver(base, 'POST', `/session/${id}/url`, { url: to }),
      run: (script) => webdriver(base, 'POST', `/session/${id}/execute/sync`, { script, args: [] }),
    };
    const errors = async () => (await session.run('return window.__probeErrors || ["the probe did not load"]'));

    await session.go(url);
    await until(session, 'return document.documentElement.dataset.ready === "true"', 'the page to be ready');
    // Widgets mount when scrolled near: in a small window the course map fills the first screens.
    await session.run('document.querySelector("#conv-explainer").scrollIntoView();');
    const check = await until(session, 'const c = document.querySelector("#conv-check"); return c && /agrees/.test(c.textContent) && c.textContent', 'the first widget');
    const cells = await session.run('return document.querySelectorAll("#conv-output-grid button").length');
    if (cells !== 16) throw new Error(`the first widget shows ${cells} output cells, not 16`);
    let problems = await errors();
    if (problems.length) throw new Error(`errors on the page: ${problems.join(' | ')}`);
    // Which module this engine chose (relaxed SIMD where it validates, else simd128), and that the
    // start-up worker compiled it and warmed it up (lib/loader.js).
    const wasm = await session.run('return document.documentElement.dataset.wasm');
    if (!/^(relaxed|simd128), compiled in the worker, warmed up$/.test(wasm)) throw new Error(`the module did not start in the start-up worker: "${wasm}"`);
    // Widgets mount when scrolled near. The explorer loads LeNet-5 in its model worker (a module
    // worker with its own wasm instance).
    await session.run('document.querySelector("#edge-lab").scrollIntoView();');
    await until(session, 'return document.querySelector("#edge-source") !== null', 'the edge lab to mount');
    await session.run('document.querySelector("#explorer").scrollIntoView();');
    await until(session, 'const p = document.querySelector("#explorer-total-params"); return p && p.textContent === "61,706" && document.querySelectorAll("#explorer-maps canvas").length > 0', 'the explorer to run LeNet-5 in its worker');
    // No camera here: the edge lab says so next to its source select instead of failing.
    await session.run('const s = document.querySelector("#edge-source"); s.value = "webcam"; s.dispatchEvent(new Event("change", { bubbles: true }));');
    const camera = await until(session, 'const e = document.querySelector("#edge-error"); return e && !e.hidden && e.querySelector(".error-text").textContent', 'the camera message', 30_000);
    if (!/^(Camera access was denied|No camera could be opened|This browser gives no camera access)/.test(camera)) throw new Error(`unexpected camera message: ${camera}`);

    await session.go(new URL('embed.html?widget=detector', url).href);
    const counts = await until(
      session,
      'const d = document.querySelector("#detector-lab[data-ready=true] #det-counts"); return d && d.dataset.kept !== undefined && d.textContent',
      'the detector to run its model',
    );
    problems = await errors();
    if (problems.length) throw new Error(`errors on the detector page: ${problems.join(' | ')}`);
    console.log(`ok ${name} (${wasm}): first widget "${check.trim().slice(0, 60)}…", camera "${camera.slice(0, 40)}…", detector "${counts.trim().slice(0, 60)}…" (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } finally {
    if (id) await webdriver(base, 'DELETE', `/session/${id}`).catch(() => {});
    try { process.kill(-driver.pid); } catch { /* already gone */ }
    rmSync(driver.home, { recursive: true, force: true });
  }
}

const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(ENGINES);
const server = await startServer(WWW, 0, '127.0.0.1', { probe: PROBE });
let failed = false;
for (const name of wanted) {
  try {
    await smoke(name, server.url);
  } catch (e) {
    failed = true;
    console.error(`FAILED ${name}: ${e.message}`);
  }
}
await server.close();
process.exit(failed ? 1 : 0);
