#!/usr/bin/env bash
# The whole test suite, cheapest checks first. Installs the tools it needs first.
#   1. rustfmt and clippy (native and wasm32, warnings are errors)
#   2. native tests: cargo test (core, tract vs reference, course examples)
#   3. browser tests: wasm-pack test --headless --chrome (the JS facade, tract in Chromium)
#   4. end to end: the release page in headless Chromium driven by playwright-core
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup-tools.sh

step "format"
cargo fmt --all -- --check
step "clippy (native)"
cargo clippy --all-targets --locked -- -D warnings
step "clippy (wasm32)"
cargo clippy --all-targets --locked --target wasm32-unknown-unknown -- -D warnings

step "native tests"
cargo test --locked

step "browser tests (Chromium)"
log=$(mktemp)
wasm-pack test --headless --chrome --mode no-install -- --locked --test web 2>&1 | tee "$log"
# Browser-only tests are skipped (and still exit 0) when no browser ran them: demand a count.
if grep -q "skipping" "$log" || ! grep -Eq "test result: ok\. [1-9][0-9]* passed" "$log"; then
  echo "the browser suite did not run its tests in Chromium" >&2
  exit 1
fi
rm -f "$log"

step "release build for the page"
scripts/build.sh

step "end-to-end tests (headless Chromium)"
(cd tests/e2e && node --test --test-reporter=spec ./*.test.mjs)
