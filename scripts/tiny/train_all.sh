#!/usr/bin/env bash
# Reproduces the tiny model trio from scratch on a CPU (Debian python3-torch 1.13,
# python3-numpy, libopenblas0-pthread) and writes models/tiny/{small,large,prm}.gguf.
# Wired to `npm run models:train`; not run in CI. Takes about 1.5 h on 2 busy cores.
# One torch thread per training: on 2 shared cores, 2 BLAS threads were ~5x slower.
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-/usr/bin/python3}
export OPENBLAS_NUM_THREADS=1 TORCH_THREADS=1
mkdir -p work ../../models/tiny
if [ ! -d work/llama.cpp/gguf-py ]; then
  git clone -q ../../node_modules/node-llama-cpp/llama/gitRelease.bundle work/llama.cpp
fi
# 1. large LM (the critical one) and small LM, in parallel (one core each)
$PY train.py lm --out work/large --d 96 --layers 6 --heads 3 --steps 2200 --bs 16 --lr 2e-3 --eval_every 300 > work/large.log 2>&1 &
LARGE=$!
$PY train.py lm --out work/small --d 64 --layers 1 --heads 4 --steps 2500 --bs 16 --lr 3e-3 --eval_every 250 --keep_all > work/small.log 2>&1
wait $LARGE
# 2. the small model's own paths (greedy + sampled), labelled by checking the arithmetic
$PY gen_paths.py work/small/best.pt work/paths_small.jsonl --seed 12 --n 1500 --temperature 1.0
$PY gen_paths.py work/small/best.pt work/paths_small_greedy.jsonl --seed 13 --n 1000 --temperature 0
# 3. PRM initialised from the large LM, planted errors + the small model's paths
$PY train.py prm --out work/prm --init work/large/best.pt --steps 1200 --bs 16 --lr 1e-3 --warmup 50 --eval_every 200 \
  --paths work/paths_small.jsonl work/paths_small_greedy.jsonl --paths_frac 0.3 > work/prm.log 2>&1
# 4. export, parity checks, measurement
$PY export.py work/large/best.pt ../../models/tiny/large.gguf --name specsearch-tiny-large
$PY export.py work/small/best.pt ../../models/tiny/small.gguf --name specsearch-tiny-small
$PY export.py work/prm/best.pt ../../models/tiny/prm.gguf --name specsearch-tiny-prm
$PY parity.py work/large/best.pt ../../models/tiny/large.gguf
$PY parity.py work/small/best.pt ../../models/tiny/small.gguf
$PY parity.py work/prm/best.pt ../../models/tiny/prm.gguf --prm
(cd ../.. && node scripts/tiny/measure.mjs --n 200 --seed 3)
