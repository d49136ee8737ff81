#!/usr/bin/env bash
# The npm package: builds the release site (unless --no-build), assembles it with its
# package.json in target/npm/cnn-playground (tools/npm-package.mjs) and packs it with `npm pack`.
# Prints the tarball's path.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ "${1:-}" != "--no-build" ]; then
  source scripts/setup-tools.sh
  scripts/build.sh >&2
fi
node tools/npm-package.mjs target/npm/cnn-playground >&2
cd target/npm
tarball=$(npm pack ./cnn-playground --silent --pack-destination .)
echo "$PWD/$tarball"
