#!/usr/bin/env bash
# The release wasm package for the page, in www/pkg/:
#   cnn_playground.js               the wasm-bindgen glue (one file for both modules)
#   cnn_playground_bg.wasm          simd128: every browser the playground targets
#   cnn_playground_relaxed_bg.wasm  +relaxed-simd (fused multiply-add in tract's kernels), for
#                                   browsers where relaxed SIMD validates (www/lib/loader.js)
# without their `name` sections (KEEP_NAMES=1 keeps them, for profiles), then the service worker's
# file list and brotli and gzip copies of every text file and module (tools/compress.mjs).
# wasm-opt is not run: measured, -Oz made the module 12 % smaller raw but 3 % larger gzipped and
# 5 % larger with brotli (README "Size and start-up").
# Assumes the tools are installed (scripts/setup-tools.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$HOME/.cargo/bin:$PATH"
target=${CARGO_TARGET_DIR:-target}

strip=(--remove-name-section --remove-producers-section)
if [ "${KEEP_NAMES:-0}" = 1 ]; then strip=(); fi

# Builds the release module into "$1" (a target directory) with extra RUSTFLAGS "$2" (empty: the
# flags of .cargo/config.toml) and runs wasm-bindgen on it into "$3".
build() {
  local dir=$1 flags=$2 out=$3
  if [ -n "$flags" ]; then
    CARGO_TARGET_DIR="$dir" RUSTFLAGS="$flags" cargo build --release --locked --target wasm32-unknown-unknown --lib
  else
    CARGO_TARGET_DIR="$dir" cargo build --release --locked --target wasm32-unknown-unknown --lib
  fi
  wasm-bindgen --target web --no-typescript "${strip[@]}" --out-dir "$out" "$dir/wasm32-unknown-unknown/release/cnn_playground.wasm"
}

mkdir -p www/pkg
build "$target" "" www/pkg

# The relaxed-SIMD module: the same crate with one more target feature, in its own target
# directory (RUSTFLAGS replaces .cargo/config.toml's flags). Its glue must come out identical, or
# one cnn_playground.js could not drive both modules.
relaxed=$(mktemp -d)
trap 'rm -rf "$relaxed"' EXIT
build "$target/relaxed" "-C target-feature=+simd128,+relaxed-simd" "$relaxed"
if ! cmp -s "$relaxed/cnn_playground.js" www/pkg/cnn_playground.js; then
  echo "the relaxed-SIMD build's wasm-bindgen glue differs from the simd128 build's" >&2
  exit 1
fi
cp "$relaxed/cnn_playground_bg.wasm" www/pkg/cnn_playground_relaxed_bg.wasm

# The file list the service worker caches for offline use, then the precompressed copies.
node tools/site-files.mjs www > www/pkg/site-files.json
node tools/compress.mjs www
