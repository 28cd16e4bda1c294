#!/usr/bin/env bash
# Everything CI checks, from a fresh machine: installs what it needs, then formats, lints,
# tests, and proves the engine builds for wasm32-unknown-unknown (which has no file system).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== toolchain"
rustup target add wasm32-unknown-unknown >/dev/null
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

echo "== fmt";     cargo fmt --all -- --check
echo "== clippy";  cargo clippy --workspace --all-targets -- -D warnings
echo "== tests";   cargo test --workspace
echo "== wasm32: the engine does no I/O"
cargo build --target wasm32-unknown-unknown \
  -p kafkalint-syntax -p kafkalint-catalog -p kafkalint-model -p kafkalint-policy \
  -p kafkalint-rules -p kafkalint-engine
echo "== catalog is current"
if [ -d ../shared/data/kafka ]; then python3 tools/gen_catalog.py --check; fi
echo "all checks passed"
