#!/usr/bin/env bash
# Installs code-server (VS Code's server build with its real Node extension host) into
# .vscode-test/code-server so the integration suite and the UI check can run offline.
#
# Offline-capable: only the npm registry is needed. @vscode/ripgrep's postinstall would
# download rg from GitHub; we pre-seed its cache with Debian's /usr/bin/rg instead.
# Idempotent: does nothing when the wanted version is already installed.
#
# Needs: node 20, npm, build-essential, python3, libkrb5-dev, ripgrep (Debian packages).
set -euo pipefail

CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.100.3}"   # newest release that runs on Node 20
RIPGREP_CACHE_DIR_NAME="vscode-ripgrep-cache-1.15.11"   # what @vscode/ripgrep 1.15.11 looks for
RIPGREP_TARBALL="ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PREFIX="${CODE_SERVER_PREFIX:-$ROOT/.vscode-test/code-server}"
PKG_JSON="$PREFIX/node_modules/code-server/package.json"
ENTRY="$PREFIX/node_modules/code-server/out/node/entry.js"

installed_version() {
  [[ -f "$PKG_JSON" && -f "$ENTRY" ]] || return 0
  node -e 'process.stdout.write(require(process.argv[1]).version)' "$PKG_JSON"
}

if [[ "$(installed_version)" == "$CODE_SERVER_VERSION" ]]; then
  echo "code-server $CODE_SERVER_VERSION already installed in $PREFIX"
  exit 0
fi

for tool in node npm make g++ python3; do
  command -v "$tool" >/dev/null || { echo "install-code-server: '$tool' is missing (apt-get install build-essential python3 nodejs)" >&2; exit 1; }
done
RG="$(command -v rg || true)"
if [[ -z "$RG" ]]; then
  echo "install-code-server: ripgrep is missing (apt-get install ripgrep)" >&2
  exit 1
fi
if [[ ! -e /usr/include/krb5.h && ! -e /usr/include/gssapi/gssapi.h ]]; then
  echo "install-code-server: Kerberos headers are missing (apt-get install libkrb5-dev)" >&2
  exit 1
fi

# Short TMPDIR: native builds and unix sockets dislike long paths.
WORK_TMP="$(mktemp -d /tmp/csi.XXXXXX)"
trap 'rm -rf "$WORK_TMP"' EXIT

# Pre-seed @vscode/ripgrep's download cache with Debian's rg (the tarball holds "rg").
mkdir -p "$WORK_TMP/$RIPGREP_CACHE_DIR_NAME" "$WORK_TMP/rg"
cp "$RG" "$WORK_TMP/rg/rg"
tar -C "$WORK_TMP/rg" -czf "$WORK_TMP/$RIPGREP_CACHE_DIR_NAME/$RIPGREP_TARBALL" rg

echo "Installing code-server $CODE_SERVER_VERSION into $PREFIX (npm registry only) ..."
rm -rf "$PREFIX"
mkdir -p "$PREFIX"
start=$(date +%s)
# --unsafe-perm: postinstall scripts must run as root too; npm_config_yes: node-pty runs `npx node-gyp`.
# The ripgrep postinstall finds the cache through os.tmpdir(), i.e. TMPDIR.
( cd "$PREFIX" &&
  TMPDIR="$WORK_TMP" npm_config_yes=true npm_config_onnxruntime_node_install=skip \
    npm install --prefix "$PREFIX" --unsafe-perm --no-audit --no-fund --no-save --loglevel=error \
    "code-server@$CODE_SERVER_VERSION" )

if [[ "$(installed_version)" != "$CODE_SERVER_VERSION" ]]; then
  echo "install-code-server: install finished but $ENTRY is missing or has the wrong version" >&2
  exit 1
fi
RG_BIN="$(find "$PREFIX/node_modules" -path '*@vscode/ripgrep/bin/rg' -print -quit)"
if [[ -z "$RG_BIN" ]]; then
  echo "install-code-server: warning: no @vscode/ripgrep binary found (search in the workbench will not work)" >&2
fi
echo "code-server $CODE_SERVER_VERSION installed in $(( $(date +%s) - start )) s: $ENTRY"
