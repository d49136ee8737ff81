// Lists the files of the built site (www/, relative paths) as JSON for the service worker's
// offline cache: `node tools/site-files.mjs www > www/pkg/site-files.json`. Models over 10 MB (the
// face encoder) are left out: they load when a widget asks for them, and the service worker
// caches them then. (The wasm module, 14 MB, is needed by every page and stays in.)
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

const root = process.argv[2] ?? 'www';
const skip = new Set(['sw.js', 'pkg/site-files.json', 'pkg/package.json', 'pkg/.gitignore', 'pkg/README.md']);

async function* walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield relative(root, path).split(sep).join('/');
  }
}

const files = [];
const LARGE = 10 * 1024 * 1024;
for await (const f of walk(root)) {
  const large = f.startsWith('models/') && (await stat(join(root, f))).size > LARGE;
  // Precompressed copies (tools/compress.mjs) are the server's business, not separate files.
  const copy = /\.(br|gz)$/.test(f);
  if (!skip.has(f) && !large && !copy) files.push(f);
}
files.sort();
console.log(JSON.stringify(files, null, 1));
