#!/usr/bin/env bash
# Benchmark in headless Chromium: builds the release wasm, installs onnxruntime-web (npm, for the
# comparison; not needed by the tests) and exports torchvision's models, then prints medians,
# ratios and sizes, and the start-up figures (tests/bench/startup.mjs).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup-tools.sh
scripts/build.sh
if [ ! -d tests/bench/node_modules/onnxruntime-web ]; then
  step "installing onnxruntime-web for the comparison (npm ci in tests/bench)"
  (cd tests/bench && npm ci --no-audit --no-fund --loglevel=error)
fi
# torchvision's MobileNetV2, ResNet-18 and EfficientNet-B0 (random weights, never committed).
/usr/bin/python3 data/torchvision/export.py target/torchvision mobilenet_v2 resnet18 efficientnet_b0
# The face detector's slowest convolutions alone (examples/kernel_repro.rs), never committed.
cargo run --quiet --release --example kernel_repro -- target/repro
node tests/bench/bench.mjs
node tests/bench/startup.mjs
