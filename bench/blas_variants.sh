#!/usr/bin/env bash
# Which BLAS / ND4J native build is fastest here (docs/speed.md, "BLAS variants"): for each variant, the doctor's
# sgemm figures and the MobileBERT forward (batch 1) and train step (batch 8, 20 masked positions), one thread;
# the PyTorch reference is run once per variant right after it. Results (CPU medians, load) go to one Markdown file.
#
#   bench/blas_variants.sh [--out FILE] [--no-train] [variant...]
#   variants: bundled  haswell (bundled + OPENBLAS_CORETYPE=Haswell)  system  avx2 (bundled BLAS + ND4J -avx2 build)
#             system-avx2        (default: all five)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=""; TRAIN=1
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --no-train) TRAIN=0; shift ;;
    *) break ;;
  esac
done
VARIANTS=("$@"); [ $# -eq 0 ] && VARIANTS=(bundled haswell system avx2 system-avx2)
OUT=${OUT:-bench-results/blas-variants-$(date -u +%Y%m%dT%H%MZ).md}
mkdir -p "$(dirname "$OUT")"
export OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
export MOBILEBERT_HEAP=${MOBILEBERT_HEAP:-3g} JAVA_OPTS="${JAVA_OPTS:--Dorg.bytedeco.javacpp.maxphysicalbytes=5g}"
M=conf/models/uncased_L-24_H-128_B-512_A-4_F-4_OPT.json
PY=/usr/bin/python3
bin/mobilebert --help >/dev/null 2>&1 || true   # build once before anything is timed
field() { sed -n "s/.*$1 \([0-9.]*\).*/\1/p" <<<"$2" | head -1; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
{
  echo "# BLAS variants: $(date -u +%Y-%m-%dT%H:%M:%SZ), \`bench/blas_variants.sh ${VARIANTS[*]}\`, 1 thread"
  echo
  echo "Machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(getconf _NPROCESSORS_ONLN) cores. CPU medians in ms (process CPU time per run)."
  echo
  echo "| variant | BLAS loaded | sgemm 1024 GFLOP/s (per CPU s) | MobileBERT-shape gemm GFLOP/s (per CPU s) | latency b=1 cpu ms | PyTorch cpu ms | train step b=8 cpu ms | PyTorch cpu ms | load |"
  echo "|---|---|---|---|---|---|---|---|---|"
} >"$OUT"
for v in "${VARIANTS[@]}"; do
  env=(MOBILEBERT_BLAS=bundled)
  case "$v" in
    bundled) ;;
    haswell) env+=(OPENBLAS_CORETYPE=Haswell) ;;
    system) env=(MOBILEBERT_BLAS=system) ;;
    avx2) env+=(MOBILEBERT_ND4J_EXTENSION=-avx2) ;;
    system-avx2) env=(MOBILEBERT_BLAS=system MOBILEBERT_ND4J_EXTENSION=-avx2) ;;
    *) echo "unknown variant $v" >&2; exit 2 ;;
  esac
  l0=$(load)
  doc=$(env "${env[@]}" bin/mobilebert doctor --skip-spark 2>&1 || true)
  blas=$(sed -n 's/.*OpenBLAS library *\([a-z]* [^(]*\).*/\1/p' <<<"$doc" | head -1)
  kernel=$(sed -n 's/.*OpenBLAS kernel *\([^ ]*\).*/\1/p' <<<"$doc" | head -1)
  sg=$(sed -n 's/.* sgemm *\([0-9.]*\) GFLOP\/s.*; \([0-9.]*\) per CPU s.*/\1 (\2)/p' <<<"$doc" | head -1)
  mb=$(sed -n 's/.*MobileBERT-shape gemm *\([0-9.]*\) GFLOP\/s.*; \([0-9.]*\) per CPU s.*/\1 (\2)/p' <<<"$doc" | head -1)
  a=$(env "${env[@]}" bin/mobilebert bench latency --config $M --batch 1 --seq-len 128 --threads 1 --warmup 3 --runs 10 2>&1 | grep -E "median .* ms" | tail -1 || true)
  pa=$("$PY" bench/pytorch/mobilebert_ref.py latency --config $M --batch 1 --warmup 3 --runs 10 2>&1 | grep -E "median .* ms" | tail -1 || true)
  t=""; pt=""
  if [ $TRAIN = 1 ]; then
    t=$(env "${env[@]}" bin/mobilebert bench train-step --config $M --batch 8 --seq-len 128 --threads 1 --warmup 1 --runs 3 2>&1 | grep -E "median .* ms" | tail -1 || true)
    pt=$("$PY" bench/pytorch/mobilebert_ref.py train-step --config $M --batch 8 --warmup 1 --runs 3 2>&1 | grep -E "median .* ms" | tail -1 || true)
  fi
  echo "| $v | ${blas:-?} ${kernel:+kernel $kernel} | ${sg:-?} | ${mb:-?} | $(field "cpu median" "$a") | $(field "cpu median" "$pa") | $(field "cpu median" "$t") | $(field "cpu median" "$pt") | $l0 |" >>"$OUT"
  echo "$v done: $(tail -1 "$OUT")" >&2
done
echo "results: $OUT" >&2
