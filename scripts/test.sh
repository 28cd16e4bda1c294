#!/usr/bin/env bash
# Everything CI checks, from a fresh machine: installs what it needs, then formats, lints,
# tests, and proves the engine builds for wasm32-unknown-unknown (which has no file system).
set -euo pipefail
cd "$(dirname "$0")/.."
# Every build here starts from nothing: incremental state would only be written, never reused.
export CARGO_INCREMENTAL=0

echo "== toolchain"
rustup target add wasm32-unknown-unknown wasm32-wasip1 >/dev/null
rustup component add clippy rustfmt >/dev/null 2>&1 || true
command -v kubectl >/dev/null || { echo "kubectl is required (tests compare with kubectl kustomize)" >&2; exit 2; }
python3 -c 'import yaml' 2>/dev/null || python3 -m pip install --quiet pyyaml
# Microsoft's SARIF multitool validates our SARIF against the official 2.1.0 schema; cached.
SARIF_TOOL=.cache/tools/sarif/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
if [ ! -x "$SARIF_TOOL" ]; then
  command -v npm >/dev/null || { echo "npm is required (SARIF validation)" >&2; exit 2; }
  mkdir -p .cache/tools/sarif
  (cd .cache/tools/sarif && npm install --no-audit --no-fund --silent @microsoft/sarif-multitool-linux@5.7.0)
  chmod +x "$SARIF_TOOL"
fi
# --- CI integrations (tests/integrations.rs): pre-commit from PyPI, gitlab-ci-local from npm
# and the rsync its shell isolation needs; cached under .cache/tools.
PRE_COMMIT_VERSION=4.7.0
PRE_COMMIT_VENV=.cache/tools/pre-commit-venv
if ! "$PRE_COMMIT_VENV/bin/pre-commit" --version 2>/dev/null | grep -qx "pre-commit $PRE_COMMIT_VERSION"; then
  rm -rf "$PRE_COMMIT_VENV"
  python3 -m venv "$PRE_COMMIT_VENV"
  "$PRE_COMMIT_VENV/bin/pip" install --quiet "pre-commit==$PRE_COMMIT_VERSION"
fi
# 4.65.1 exactly: later releases crash on Node 20.
GITLAB_CI_LOCAL_VERSION=4.65.1
GITLAB_CI_LOCAL_DIR=.cache/tools/gitlab-ci-local
if ! grep -qs "\"version\": \"$GITLAB_CI_LOCAL_VERSION\"" "$GITLAB_CI_LOCAL_DIR/node_modules/gitlab-ci-local/package.json"; then
  command -v npm >/dev/null || { echo "npm is required (gitlab-ci-local)" >&2; exit 2; }
  npm install --prefix "$GITLAB_CI_LOCAL_DIR" --no-audit --no-fund --silent "gitlab-ci-local@$GITLAB_CI_LOCAL_VERSION"
fi
if ! command -v rsync >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq rsync >/dev/null
  else
    echo "rsync is required (gitlab-ci-local --shell-isolation): install it, e.g. apt-get install rsync" >&2
    exit 2
  fi
fi
# --- end of CI integrations

# Slow builds that need nothing from the checks below start now, niced, in the background:
# wasm-bindgen-cli (about 5 minutes once), the waPC test host with wasmtime (about 5), and
# cargo-fuzz with the fuzz targets (about 3). The test run leaves a core idle much of the
# time, so they mostly overlap it.
mkdir -p target
prep_log=target/test-prep.log
setsid nice -n 10 bash -ec '
  TIMEFORMAT="took %Rs (user %Us, sys %Ss)"
  time scripts/build-wasm.sh --tools-only
  time CARGO_TARGET_DIR=target/kubewarden-host \
    cargo test --no-run --manifest-path wasm/kubewarden-host-test/Cargo.toml
  time scripts/fuzz.sh --stable --build-only
  # The release wasm builds link with LTO on one core each; here they use what the tests leave.
  time CARGO_TARGET_DIR=target/wasm \
    cargo build -q --target wasm32-unknown-unknown --profile wasm-release -p kafkalint-wasm
  time CARGO_TARGET_DIR=target/kubewarden \
    cargo build -q --target wasm32-wasip1 --profile wasm-release -p kafkalint-kubewarden
' >"$prep_log" 2>&1 &
prep_pid=$!
# Its own process group, so a failed check stops the background builds too.
trap 'kill -- -"$prep_pid" 2>/dev/null || true' EXIT
stage() { echo "== $1 (at ${SECONDS}s)"; }

stage fmt;     cargo fmt --all -- --check
stage clippy;  cargo clippy --workspace --all-targets -- -D warnings
stage tests;   cargo test --workspace
stage "wasm32: the engine does no I/O"
cargo check --target wasm32-unknown-unknown \
  -p kafkalint-syntax -p kafkalint-catalog -p kafkalint-model -p kafkalint-policy \
  -p kafkalint-rules -p kafkalint-engine
stage "catalog is current"
if [ -d ../shared/data/kafka ]; then python3 tools/gen_catalog.py --check; fi
# --- WebAssembly (wasm/): the wasm-bindgen package and its size budget, its JSON against the
# native CLI's, the Node webhook over HTTPS, the playground in headless Chromium, and the
# Kubewarden policy in a waPC host. Tools are cached under .cache/tools.
stage "wasm: package"
if ! wait "$prep_pid"; then
  cat "$prep_log" >&2
  echo "installing wasm-bindgen-cli or building the waPC test host failed (log above)" >&2
  exit 1
fi
# The Kubewarden module builds beside the package, in its own target dir so neither waits for
# the other's lock: both end in a single-threaded LTO link.
KUBEWARDEN_TARGET=target/kubewarden
CARGO_TARGET_DIR=$KUBEWARDEN_TARGET \
  cargo build -q --target wasm32-wasip1 --profile wasm-release -p kafkalint-kubewarden &
kubewarden_build=$!
CARGO_TARGET_DIR=target/wasm scripts/build-wasm.sh
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "chromium is required (the playground test): apt-get install chromium" >&2
    exit 2
  fi
fi
PLAYWRIGHT_VERSION=1.65.1
if ! grep -qs "\"version\": \"$PLAYWRIGHT_VERSION\"" .cache/tools/playwright/node_modules/playwright-core/package.json; then
  npm install --prefix .cache/tools/playwright --no-audit --no-fund --silent "playwright-core@$PLAYWRIGHT_VERSION"
fi
stage "wasm: parity with the CLI, Node webhook, playground"
cargo build -q -p kafkalint --bin kafkalint
KAFKALINT_BIN="$PWD/target/debug/kafkalint" node --test wasm/tests/*.test.mjs
stage "wasm: Kubewarden policy"
wait "$kubewarden_build"
# Its own workspace and target dir, so wasmtime stays out of the main build.
cargo fmt --manifest-path wasm/kubewarden-host-test/Cargo.toml -- --check
KAFKALINT_KUBEWARDEN_WASM="$PWD/$KUBEWARDEN_TARGET/wasm32-wasip1/wasm-release/kafkalint_kubewarden.wasm" \
  CARGO_TARGET_DIR=target/kubewarden-host \
  cargo test --manifest-path wasm/kubewarden-host-test/Cargo.toml
# --- end of WebAssembly
# Every fuzz target, briefly: new seeds the fuzzer finds stay in .cache/fuzz, a crash fails.
fuzz_seconds=${KAFKALINT_CI_FUZZ_SECONDS:-10}
stage "fuzz: each target ${fuzz_seconds}s"
scripts/fuzz.sh --stable "$fuzz_seconds"

echo "all checks passed in ${SECONDS}s"
