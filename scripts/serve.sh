#!/usr/bin/env bash
# Builds the release wasm package into www/pkg and serves the playground on
# http://127.0.0.1:${PORT:-8000}. Installs the tools it needs first (scripts/setup-tools.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
NO_BROWSER=1 source scripts/setup-tools.sh
if ! command -v node >/dev/null; then
  echo "node is required to serve the page; install Debian's nodejs" >&2
  exit 1
fi
scripts/build.sh
exec node tools/serve.mjs www "${PORT:-8000}"
