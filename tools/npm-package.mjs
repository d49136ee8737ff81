// Assembles the npm package of the playground in `out` (default target/npm/cnn-playground): the
// built site (www/: the wasm-pack `--target web` output in pkg/, elements.js and everything it
// imports, embed.html, the models and sample images) and a package.json whose name, version,
// description and licence come from Cargo.toml. `npm pack` in that folder gives the tarball.
//
//   node tools/npm-package.mjs [out]
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const out = process.argv[2] ?? 'target/npm/cnn-playground';
const cargo = await readFile('Cargo.toml', 'utf8');
const field = (name) => cargo.match(new RegExp(`^${name} = "([^"]*)"`, 'm'))?.[1];

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
// Precompressed copies (scripts/build.sh) stay out: a host compresses what it serves itself.
await cp('www', out, { recursive: true, filter: (src) => !src.endsWith('.gitignore') && !src.endsWith(join('pkg', 'package.json')) && !/\.(br|gz)$/.test(src) });

const pkg = {
  name: field('name'),
  version: field('version'),
  description: field('description'),
  license: field('license'),
  type: 'module',
  keywords: ['cnn', 'convolution', 'webassembly', 'tract', 'onnx', 'education', 'custom-elements'],
  exports: {
    '.': './elements.js',
    './elements.js': './elements.js',
    './wasm': './pkg/cnn_playground.js',
    './wasm/cnn_playground_bg.wasm': './pkg/cnn_playground_bg.wasm',
    './wasm/cnn_playground_relaxed_bg.wasm': './pkg/cnn_playground_relaxed_bg.wasm',
    './widgets.css': './widgets.css',
    './package.json': './package.json',
  },
  files: ['*.html', '*.js', '*.css', '*.svg', 'lib/', 'widgets/', 'pkg/', 'models/', 'images/', 'README.md'],
  sideEffects: ['./elements.js'],
};
await writeFile(join(out, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
await writeFile(join(out, 'README.md'), `# ${pkg.name}

${pkg.description}

Course-notes widgets as custom elements. Serve this folder (or \`node_modules/${pkg.name}\`) from
any static host, then:

\`\`\`html
<script type="module" src="/path/to/${pkg.name}/elements.js"></script>
<cnn-conv f="3" p="1" s="2" filter="sobel-x"></cnn-conv>
<cnn-iou case="half"></cnn-iou>
\`\`\`

or import the WebAssembly API directly: \`import init, { conv } from '${pkg.name}/wasm'\`.
\`embed.html?widget=conv&p=1\` shows one widget for an iframe. Licence: ${pkg.license}.
`);
console.log(`${out}: ${pkg.name}@${pkg.version}`);
