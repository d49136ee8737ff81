// Writes a brotli (`.br`) and a gzip (`.gz`) copy beside every compressible file of the built site
// (the wasm module, scripts, styles, pages, JSON, SVG), for servers that send precompressed files
// (tools/serve.mjs; README "Hosting"): `node tools/compress.mjs www`. Prints the sizes.
// Images and ONNX models are left alone: they barely compress.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, extname } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, gzip, constants } from 'node:zlib';

const COMPRESSIBLE = new Set(['.wasm', '.js', '.mjs', '.css', '.html', '.json', '.svg', '.txt', '.md']);
const root = process.argv[2] ?? 'www';
const br = promisify(brotliCompress);
const gz = promisify(gzip);

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
for await (const file of walk(root)) {
  const body = await readFile(file);
  const [b, g] = await Promise.all([
    br(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }),
    gz(body, { level: 9 }),
  ]);
  await Promise.all([writeFile(`${file}.br`, b), writeFile(`${file}.gz`, g)]);
  raw += body.length;
  brotli += b.length;
  gzipped += g.length;
  if (extname(file) === '.wasm') console.log(`${file}: ${body.length} bytes, brotli ${b.length}, gzip ${g.length}`);
}
console.log(`all compressible files: ${raw} bytes, brotli ${brotli}, gzip ${gzipped}`);
