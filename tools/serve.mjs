// A minimal static file server for the playground (no dependencies): serves a folder on
// 127.0.0.1 with the right MIME types, notably application/wasm, which
// WebAssembly.instantiateStreaming requires.
//
//   node tools/serve.mjs [folder=www] [port=8000]
//
// Also imported by the end-to-end tests and the benchmark: `startServer(root, port, host,
// { prefix, headers })` resolves to `{ url, close }`; port 0 picks a free port, `prefix` serves
// the folder under a sub-path (e.g. `/course/cnn/`, as a static host would) and `headers` are
// added to every response (e.g. a Content-Security-Policy). A file with a precompressed sibling
// (`x.wasm.br`, `x.wasm.gz`, written by scripts/build.sh) is sent compressed to a browser that
// accepts that encoding, as a static host configured for it would (README "Hosting"). `probe`, a script's source, is served
// as `__probe.js` and loaded first by every HTML page: the WebDriver smoke run (tests/engines) uses
// it to collect errors in browsers whose drivers cannot read the console.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
};

const ENCODINGS = [{ name: 'br', extension: 'br' }, { name: 'gzip', extension: 'gz' }];

/**
 * The best precompressed sibling of `file` that the request's `accept` (Accept-Encoding) allows;
 * a sibling older than its file (the file was edited since the build) is ignored.
 */
async function precompressed(file, accept) {
  const accepted = new Set(accept.split(',').map((e) => e.split(';')[0].trim()));
  const source = await stat(file);
  for (const e of ENCODINGS) {
    const sibling = accepted.has(e.name) ? await stat(`${file}.${e.extension}`).catch(() => null) : null;
    if (sibling?.isFile() && sibling.mtimeMs >= source.mtimeMs) return e;
  }
  return null;
}

export function startServer(rootDir, port = 0, host = '127.0.0.1', { prefix = '/', headers = {}, probe } = {}) {
  const root = resolve(rootDir);
  const server = createServer(async (req, res) => {
    try {
      const full = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      if (!full.startsWith(prefix)) {
        res.writeHead(404, { 'content-type': 'text/plain', ...headers }).end('not found');
        return;
      }
      const path = `/${full.slice(prefix.length)}`;
      if (probe && path === '/__probe.js') {
        res.writeHead(200, { 'content-type': TYPES['.js'], 'cache-control': 'no-cache' }).end(probe);
        return;
      }
      let file = normalize(join(root, path));
      if (file !== root && !file.startsWith(root + sep)) {
        res.writeHead(403).end('forbidden');
        return;
      }
      if ((await stat(file).catch(() => null))?.isDirectory()) file = join(file, 'index.html');
      let body = await readFile(file);
      const encoding = probe && extname(file) === '.html' ? null : await precompressed(file, req.headers['accept-encoding'] ?? '');
      if (encoding) body = await readFile(`${file}.${encoding.extension}`);
      if (probe && extname(file) === '.html') {
        // A classic script first in <head> runs before the page's modules (and passes its CSP).
        body = Buffer.from(body.toString('utf8').replace('<head>', '<head><script src="__probe.js"></script>'));
      }
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-cache',
        vary: 'accept-encoding',
        ...(encoding ? { 'content-encoding': encoding.name } : {}),
        ...headers,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      resolvePromise({ url: `http://${host}:${actual}${prefix}`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [folder = 'www', port = '8000'] = process.argv.slice(2);
  const { url } = await startServer(folder, Number(port));
  console.log(`cnn-playground: serving ${resolve(folder)} on ${url} (Ctrl-C to stop)`);
}
