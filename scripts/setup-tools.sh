#!/usr/bin/env bash
# Installs what building and testing the playground needs, skipping whatever is already there.
# Sourced by scripts/serve.sh, scripts/test.sh and scripts/bench.sh; safe to run on its own.
#
#   - the Rust toolchain pinned in rust-toolchain.toml, with rustfmt, clippy and wasm32
#   - wasm-bindgen-cli at exactly the wasm-bindgen version in Cargo.lock (it must match)
#   - wasm-pack (used with --mode no-install, so it never downloads binaries itself)
#   - Debian's nodejs, npm and zopfli (the build's file lists and compressed copies, the tests)
#   - Debian's chromium and chromium-driver (needs root or sudo for apt-get)   [unless NO_BROWSER=1]
#   - node's playwright-core for the end-to-end tests (tests/e2e)                [unless NO_BROWSER=1]
#   - Firefox ESR, geckodriver, WebKitGTK's WebKitWebDriver and a virtual X display, for the
#     browser suite and the page's smoke run in the other two engines           [unless NO_BROWSER=1]
#   - Debian's python3-torchvision and python3-onnx, which export the torchvision models the
#     explorer's large-file test opens (data/torchvision/export.py)             [unless NO_BROWSER=1]
#   - nightly Rust and cargo-fuzz, for the fuzz smoke run (fuzz/)               [unless NO_FUZZ=1]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n==> %s\n' "$*" >&2; }

WASM_PACK_VERSION=0.15.1

if ! command -v rustup >/dev/null; then
  echo "rustup is required (https://rustup.rs); this machine has no Rust toolchain" >&2
  exit 1
fi
# rust-toolchain.toml names the toolchain, its components and the wasm32 target; this installs
# whatever of it is missing and does nothing otherwise.
toolchain=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
if ! rustup target list --installed --toolchain "$toolchain" 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  step "installing Rust $toolchain with the wasm32 target"
  rustup toolchain install "$toolchain" --profile minimal --component rustfmt,clippy --target wasm32-unknown-unknown
fi

if [ ! -f Cargo.lock ]; then cargo generate-lockfile; fi
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$bindgen_version" ]; then
  step "installing wasm-bindgen-cli $bindgen_version (must equal the wasm-bindgen crate; ~4 min)"
  # Not --locked: with it a dependency of the CLI is missing from the index.
  cargo install wasm-bindgen-cli --version "$bindgen_version" --force
fi

if [ "$(wasm-pack --version 2>/dev/null | awk '{print $2}')" != "$WASM_PACK_VERSION" ]; then
  step "installing wasm-pack $WASM_PACK_VERSION (~3 min)"
  cargo install wasm-pack --version "$WASM_PACK_VERSION" --locked --force
fi

# Installs Debian packages "$@" (as root, or with sudo).
apt_install() {
  local sudo_cmd=()
  if [ "$(id -u)" != 0 ]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "$@" >/dev/null
}

# Only what is missing: a Node.js from elsewhere (NodeSource's package ships npm itself) conflicts
# with Debian's npm package, and asking apt for both fails.
tools=()
for pair in nodejs:node npm:npm zopfli:zopfli; do
  if ! command -v "${pair#*:}" >/dev/null; then tools+=("${pair%%:*}"); fi
done
if [ ${#tools[@]} != 0 ]; then
  step "installing Debian's ${tools[*]} (build tools, tests; zopfli writes the site's gzip copies)"
  apt_install "${tools[@]}"
fi

GECKODRIVER_VERSION=0.37.1
if [ "${NO_BROWSER:-0}" != 1 ]; then
  missing=()
  for pair in chromium:/usr/bin/chromium chromium-driver:/usr/bin/chromedriver firefox-esr:/usr/bin/firefox-esr \
    webkit2gtk-driver:/usr/bin/WebKitWebDriver xvfb:/usr/bin/xvfb-run xauth:/usr/bin/xauth; do
    if [ ! -x "${pair#*:}" ]; then missing+=("${pair%%:*}"); fi
  done
  # torchvision's architectures, exported by data/torchvision/export.py for the explorer's large-file
  # tests and the benchmark.
  for module in torchvision onnx; do
    if ! /usr/bin/python3 -c "import $module" 2>/dev/null; then missing+=("python3-$module"); fi
  done
  if [ ${#missing[@]} != 0 ]; then
    step "installing Debian's ${missing[*]} (~2 min)"
    apt_install "${missing[@]}"
  fi
  if [ "$(geckodriver --version 2>/dev/null | awk 'NR == 1 {print $2}')" != "$GECKODRIVER_VERSION" ]; then
    step "installing geckodriver $GECKODRIVER_VERSION for Firefox (~2 min)"
    cargo install geckodriver --version "$GECKODRIVER_VERSION" --locked --force
  fi
  if [ ! -d tests/e2e/node_modules/playwright-core ]; then
    step "installing playwright-core for the end-to-end tests (npm ci, no browser download)"
    (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi

if [ "${NO_FUZZ:-0}" != 1 ]; then
  if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    step "installing nightly Rust for cargo-fuzz (fuzz builds only)"
    rustup toolchain install nightly --profile minimal
  fi
  if ! command -v cargo-fuzz >/dev/null; then
    step "installing cargo-fuzz (~2 min)"
    cargo install cargo-fuzz --locked
  fi
fi
