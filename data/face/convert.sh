#!/usr/bin/env bash
# Rebuilds the face models from the weights that ship in the npm package @vladmandic/face-api
# (MIT licence, a maintained fork of face-api.js by Vincent Mühler):
#   www/models/face-detector.onnx  (Tiny Face Detector, examples/convert_face_detector.rs)
#   www/models/face-encoder.onnx   (face recognition net, examples/convert_face_recognition.rs)
#   www/models/face-landmarks.onnx (68-point landmark net, examples/convert_face_landmarks.rs)
# and the reference outputs face-api itself computes (tfjs CPU backend, data/face/reference.cjs)
# that tests/native/week4_face_encoder.rs and week4_face_landmarks.rs compare tract with. Needs npm
# (the registry) and cargo.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
VERSION=1.7.15
TFJS=4.22.0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack "@vladmandic/face-api@$VERSION" >/dev/null && tar xzf vladmandic-face-api-$VERSION.tgz)
cargo run --example convert_face_detector -- "$work/package/model" 416 www/models
cargo run --release --example convert_face_recognition -- "$work/package/model" www/models
cargo run --release --example convert_face_landmarks -- "$work/package/model" www/models
cp "$work/package/LICENSE" www/models/LICENSE-face-api.txt
(cd "$work" && echo '{"private":true}' > package.json &&
  npm install --no-audit --no-fund --loglevel=error "@tensorflow/tfjs@$TFJS" "@tensorflow/tfjs-backend-wasm@$TFJS" \
    "@tensorflow/tfjs-backend-webgl@$TFJS" "./vladmandic-face-api-$VERSION.tgz")
cp data/face/reference.cjs "$work/"
node "$work/reference.cjs" "$work/package/model" encoder > tests/fixtures/face-encoder-reference.json
node "$work/reference.cjs" "$work/package/model" landmarks > tests/fixtures/face-landmarks-reference.json
