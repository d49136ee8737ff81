#!/usr/bin/env bash
# Benchmark in headless Chromium: builds the release wasm, then prints medians and sizes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup-tools.sh
scripts/build.sh
node tests/e2e/bench.mjs
