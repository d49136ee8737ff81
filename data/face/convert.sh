#!/usr/bin/env bash
# Rebuilds www/models/face-detector.onnx from the Tiny Face Detector weights that ship in the npm
# package @vladmandic/face-api (MIT licence, a maintained fork of face-api.js by Vincent Mühler).
# Needs npm (the registry) and cargo; nothing else is downloaded.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
VERSION=1.7.15
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack "@vladmandic/face-api@$VERSION" >/dev/null && tar xzf vladmandic-face-api-$VERSION.tgz)
cargo run --example convert_face_detector -- "$work/package/model" 416 www/models
cp "$work/package/LICENSE" www/models/LICENSE-face-api.txt
