// Writes a brotli (`.br`) and a gzip (`.gz`) copy beside every compressible file of the built site
// (the wasm module, scripts, styles, pages, JSON, SVG), for servers that send precompressed files
// (tools/serve.mjs; README "Hosting"): `node tools/compress.mjs www`. Prints the sizes.
// Images and ONNX models are left alone: they barely compress.
// The gzip copies come from zopfli (Debian's `zopfli`, installed by scripts/setup-tools.sh) where it
// is on the PATH: a gzip stream any browser reads, 4-5 % smaller than zlib's level 9 on the wasm
// modules (measured Dec 2026: 2.25 → 2.14 MB), at ~20 s per module. Without it, zlib level 9.
import { execFile as execFileCallback } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, extname } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, gzip, constants } from 'node:zlib';

const COMPRESSIBLE = new Set(['.wasm', '.js', '.mjs', '.css', '.html', '.json', '.svg', '.txt', '.md']);
const root = process.argv[2] ?? 'www';
const br = promisify(brotliCompress);
const execFile = promisify(execFileCallback);
const zlibGzip = promisify(gzip);
const zopfli = await execFile('zopfli', ['-h']).then(() => true, (e) => e.code !== 'ENOENT');
if (!zopfli) console.log('zopfli is not installed: the gzip copies come from zlib (level 9)');

/** The gzip copy of `file` (whose bytes are `body`). */
async function gz(file, body) {
  if (!zopfli) return zlibGzip(body, { level: 9 });
  const { stdout } = await execFile('zopfli', ['-c', file], { encoding: 'buffer', maxBuffer: 2 * body.length + 1024 });
  return stdout;
}

async function* walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') yield* walk(path);
    } else if (COMPRESSIBLE.has(extname(entry.name))) yield path;
  }
}

let raw = 0;
let brotli = 0;
let gzipped = 0;
async function compress(file) {
  const body = await readFile(file);
  const [b, g] = await Promise.all([
    br(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }),
    gz(file, body),
  ]);
  await Promise.all([writeFile(`${file}.br`, b), writeFile(`${file}.gz`, g)]);
  raw += body.length;
  brotli += b.length;
  gzipped += g.length;
  if (extname(file) === '.wasm') console.log(`${file}: ${body.length} bytes, brotli ${b.length}, gzip ${g.length}`);
}
// Two files at a time (zopfli runs in its own process; the machines have two cores).
const files = [];
for await (const file of walk(root)) files.push(file);
const queue = [...files];
await Promise.all([0, 1].map(async () => {
  while (queue.length) await compress(queue.shift());
}));
console.log(`all compressible files: ${raw} bytes, brotli ${brotli}, gzip ${gzipped}`);
