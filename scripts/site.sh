#!/usr/bin/env bash
# The deployable site in one command: builds the release wasm and copies the static site to
# target/site (or the folder given), ready for any static host, at the root or under a sub-path.
# No server code, no cross-origin isolation headers, no requests to other origins.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="${1:-target/site}"
source scripts/setup-tools.sh
scripts/build.sh
rm -rf "$out"
mkdir -p "$out"
cp -r www/. "$out/"
rm -f "$out/pkg/.gitignore" "$out/pkg/package.json"
echo "deployable site: $out ($(du -sh "$out" | cut -f1)); serve it with any static server, e.g. node tools/serve.mjs $out"
