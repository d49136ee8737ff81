#!/usr/bin/env bash
# The release wasm package for the page: www/pkg/cnn_playground.js + cnn_playground_bg.wasm.
# Assumes the tools are installed (scripts/setup-tools.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$HOME/.cargo/bin:$PATH"
wasm-pack build --release --target web --out-dir www/pkg --no-typescript --mode no-install --no-pack
# The file list the service worker caches for offline use.
node tools/site-files.mjs www > www/pkg/site-files.json
