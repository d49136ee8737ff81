// Reference face encodings computed by face-api itself (tfjs, CPU backend) for two fixed
// pseudo-random 150x150x3 inputs, for tests/face_encoder.rs to compare tract's run of the
// converted graph with. Run by data/face/convert.sh:
//   node data/face/reference.cjs <face-api model dir> > tests/fixtures/face-encoder-reference.json
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
const { readFile } = require('node:fs/promises');
(async () => {
const tf = faceapi.tf;
await tf.setBackend('cpu').catch(() => {});
await tf.ready();
const dir = process.argv[2];
const manifest = JSON.parse(await readFile(`${dir}/face_recognition_model-weights_manifest.json`, 'utf8'));
const bin = await readFile(`${dir}/face_recognition_model.bin`);
const weightMap = tf.io.decodeWeights(new Uint8Array(bin).buffer, manifest[0].weights);
const net = new faceapi.FaceRecognitionNet();
net.loadFromWeightMap(weightMap);
const out = [];
for (const seed of [1, 2]) {
  const values = new Float32Array(150 * 150 * 3).map((_, i) => ((i * 7919 + seed * 104729) % 256));
  const t = tf.tensor3d(values, [150, 150, 3], 'int32');
  const d = await net.computeFaceDescriptor(t);
  out.push({ seed, descriptor: Array.from(d) });
}
console.log(JSON.stringify(out));

})();
