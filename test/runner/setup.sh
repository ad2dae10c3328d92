#!/usr/bin/env bash
# One-time setup of a fresh clone (`npm run setup`): Debian packages, npm dependencies
# through the lock (onnxruntime-node's CUDA download skipped by .npmrc), code-server for
# the offline extension host, and a first build. Safe to re-run: each step skips what
# is already there.
#
# Needs Node >= 20 and npm (not from Debian 12, whose nodejs is 18). Debian packages are
# installed when running as root (or with sudo); otherwise the missing ones are listed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

step() { printf '\n== %s\n' "$*"; }

# What the tests need from Debian: PyTorch stack for the model tests, Chromium + ripgrep
# for the workbench, a compiler and Kerberos headers for code-server's native modules.
DEBIAN_PACKAGES=(
  python3 python3-torch python3-numpy python3-regex python3-pytest python3-onnx
  libopenblas0-pthread chromium ripgrep build-essential libkrb5-dev git ca-certificates
)

step "Node.js"
node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if (( node_major < 20 )); then
  echo "Node.js >= 20 is required (found: $(node --version 2>/dev/null || echo none))." >&2
  echo "Install it from https://nodejs.org or your distribution's Node 20+ packages." >&2
  exit 1
fi
echo "node $(node --version), npm $(npm --version)"

step "Debian packages"
missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if (( ${#missing[@]} == 0 )); then
  echo "all present: ${DEBIAN_PACKAGES[*]}"
else
  echo "missing: ${missing[*]}"
  SUDO=()
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null; then SUDO=(sudo); else
      echo "run as root: apt-get install -y ${missing[*]}" >&2
      exit 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

step "npm dependencies"
if [[ -f node_modules/.package-lock.json && node_modules/.package-lock.json -nt package-lock.json ]]; then
  echo "node_modules is up to date with package-lock.json"
else
  npm ci --no-audit --no-fund
fi

step "code-server (offline VS Code extension host for the tests)"
bash test/runner/install-code-server.sh

step "build"
node esbuild.js

echo
echo "setup done: run the tests with 'npm test'"
