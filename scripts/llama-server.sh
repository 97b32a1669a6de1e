#!/usr/bin/env bash
# Builds llama.cpp's `llama-server` from the source bundled in node-llama-cpp (once) and prints its path.
#
# Idempotent: when the binary for the bundled commit is already built it only prints the path.
# Cache: ${SPECSEARCH_CACHE:-~/.cache/specsearch}/llama-server/<commit>/bin/llama-server (outside the repo).
# Options: --check   print the path if built, exit 1 (printing nothing) otherwise; never builds.
# Env:     JOBS      parallel compile jobs (default 2; the dev machines have 2 shared cores).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bundle="$root/node_modules/node-llama-cpp/llama/gitRelease.bundle"
if [[ ! -f "$bundle" ]]; then
  echo "llama-server.sh: $bundle is missing; run \`npm ci\` first." >&2
  exit 2
fi

commit="$(git bundle list-heads "$bundle" | awk 'NR==1 {print substr($1, 1, 12)}')"
cache="${SPECSEARCH_CACHE:-$HOME/.cache/specsearch}/llama-server/$commit"
binary="$cache/bin/llama-server"

if [[ -x "$binary" ]]; then
  echo "$binary"
  exit 0
fi
if [[ "${1:-}" == "--check" ]]; then
  exit 1
fi

for tool in git cmake c++; do
  command -v "$tool" >/dev/null || { echo "llama-server.sh: \`$tool\` is needed to build llama-server (apt-get install git cmake g++)." >&2; exit 2; }
done

mkdir -p "$cache"
# One build at a time: a second caller waits for the first instead of compiling the same thing twice.
exec 9>"$cache/.lock"
flock 9
if [[ -x "$binary" ]]; then
  echo "$binary"
  exit 0
fi

src="$cache/src"
if [[ ! -d "$src/.git" ]]; then
  rm -rf "$src"
  git clone --quiet "$bundle" "$src" >&2
fi

started=$(date +%s)
echo "llama-server.sh: building llama-server ($commit) in $cache — about 8 minutes on 2 cores…" >&2
(
  cd "$src"
  cmake -B build -DCMAKE_BUILD_TYPE=Release \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
    -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_BUILD_UI=OFF -DLLAMA_CURL=OFF \
    -DGGML_NATIVE=ON -DBUILD_SHARED_LIBS=OFF >&2
  cmake --build build --target llama-server -j"${JOBS:-2}" >&2
)
mkdir -p "$cache/bin"
cp "$src/build/bin/llama-server" "$binary.tmp"
mv "$binary.tmp" "$binary"
echo "llama-server.sh: built in $(( $(date +%s) - started )) s" >&2
echo "$binary"
