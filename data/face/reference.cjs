// Reference outputs computed by face-api itself (tfjs, CPU backend) for two fixed pseudo-random
// inputs, for the native tests to compare tract's run of the converted graphs with. Run by
// data/face/convert.sh:
//   node data/face/reference.cjs <face-api model dir> encoder   > tests/fixtures/face-encoder-reference.json
//     (FaceRecognitionNet on 150x150x3: 128 numbers each; tests/native/week4_face_encoder.rs)
//   node data/face/reference.cjs <face-api model dir> landmarks > tests/fixtures/face-landmarks-reference.json
//     (FaceLandmark68Net on 112x112x3: 136 numbers each, x and y of 68 points as fractions of the
//     input; tests/native/week4_face_landmarks.rs)
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
const { readFile } = require('node:fs/promises');
(async () => {
const tf = faceapi.tf;
await tf.setBackend('cpu').catch(() => {});
await tf.ready();
const [dir, which] = process.argv.slice(2);
const nets = {
  encoder: { file: 'face_recognition_model', size: 150, make: () => new faceapi.FaceRecognitionNet(),
    run: (net, t) => net.computeFaceDescriptor(t) },
  landmarks: { file: 'face_landmark_68_model', size: 112, make: () => new faceapi.FaceLandmark68Net(),
    // A square input of the net's own size: face-api's post-processing leaves the outputs as they are.
    run: async (net, t) => (await net.forward(t)).data() },
};
const spec = nets[which];
if (!spec) throw new Error(`which net? ${Object.keys(nets).join(' or ')}`);
const manifest = JSON.parse(await readFile(`${dir}/${spec.file}-weights_manifest.json`, 'utf8'));
const bin = await readFile(`${dir}/${spec.file}.bin`);
const weightMap = tf.io.decodeWeights(new Uint8Array(bin).buffer, manifest[0].weights);
const net = spec.make();
net.loadFromWeightMap(weightMap);
const out = [];
for (const seed of [1, 2]) {
  const n = spec.size;
  const values = new Float32Array(n * n * 3).map((_, i) => ((i * 7919 + seed * 104729) % 256));
  const t = tf.tensor3d(values, [n, n, 3], 'int32');
  const d = await spec.run(net, t);
  out.push({ seed, [which === 'encoder' ? 'descriptor' : 'landmarks']: Array.from(d) });
}
console.log(JSON.stringify(out));
})();
