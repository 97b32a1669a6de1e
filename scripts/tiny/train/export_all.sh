#!/usr/bin/env bash
# Export the chosen checkpoints to models/tiny/*.gguf and run the parity checks.
# usage: export_all.sh LARGE.pt SMALL.pt PRM.pt VERIFIER.pt
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-/usr/bin/python3}
export OPENBLAS_NUM_THREADS=1 TORCH_THREADS=1
L=${1:-work/large9c/best.pt}; S=${2:-work/small4/best.pt}; P=${3:-work/prm/best.pt}; V=${4:-work/large2/best.pt}
mkdir -p ../../../models/tiny
$PY export.py "$L" ../../../models/tiny/large.gguf --name specsearch-tiny-large --description "SpecSearch tiny large LM (chain arithmetic)"
$PY export.py "$S" ../../../models/tiny/small.gguf --name specsearch-tiny-small --description "SpecSearch tiny small LM (chain arithmetic)"
$PY export.py "$V" ../../../models/tiny/verifier.gguf --name specsearch-tiny-verifier --description "SpecSearch tiny verifier LM (chain arithmetic; read as a likelihood verifier)"
$PY export.py "$P" ../../../models/tiny/prm.gguf --name specsearch-tiny-prm --description "SpecSearch tiny PRM (chain arithmetic; ' @' tag, '+'/'-')"
$PY parity.py "$L" ../../../models/tiny/large.gguf
$PY parity.py "$S" ../../../models/tiny/small.gguf
$PY parity.py "$V" ../../../models/tiny/verifier.gguf
$PY parity.py "$P" ../../../models/tiny/prm.gguf --prm
ls -l ../../../models/tiny/*.gguf
