#!/usr/bin/env bash
# Benchmark in headless Chromium: builds the release wasm, installs onnxruntime-web (npm, for the
# comparison; not needed by the tests), then prints medians, ratios and sizes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup-tools.sh
scripts/build.sh
if [ ! -d tests/bench/node_modules/onnxruntime-web ]; then
  step "installing onnxruntime-web for the comparison (npm ci in tests/bench)"
  (cd tests/bench && npm ci --no-audit --no-fund --loglevel=error)
fi
node tests/bench/bench.mjs
