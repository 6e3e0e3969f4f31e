#!/usr/bin/env bash
# Runs each DL4J benchmark next to the project's PyTorch reference (bench/pytorch/mobilebert_ref.py), same machine,
# same run, thread settings pinned. Needs Debian's python3-torch (/usr/bin/python3). Usage: bench/run_bench.sh [threads...]
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=PASSIVE MOBILEBERT_NO_BUILD=${MOBILEBERT_NO_BUILD:-0}
for th in "${@:-1 2}"; do
  export OMP_NUM_THREADS=$th OPENBLAS_NUM_THREADS=$th
  for c in uncased_L-24_H-128_B-512_A-4_F-4_OPT mobilebert_layernorm_gelu bert-base-uncased; do
    bin/mobilebert bench latency --config conf/models/$c.json --seq-len 128 --batch 1 --threads "$th" --warmup 3 --runs 10 | tail -1
    /usr/bin/python3 bench/pytorch/mobilebert_ref.py latency --config conf/models/$c.json --seq-len 128 --batch 1 --warmup 3 --runs 10
  done
  bin/mobilebert bench train-step --config conf/models/uncased_L-24_H-128_B-512_A-4_F-4_OPT.json --batch 8 --seq-len 128 --threads "$th" --warmup 1 --runs 3 | tail -1
  /usr/bin/python3 bench/pytorch/mobilebert_ref.py train-step --config conf/models/uncased_L-24_H-128_B-512_A-4_F-4_OPT.json --batch 8 --seq-len 128 --warmup 2 --runs 6
done
