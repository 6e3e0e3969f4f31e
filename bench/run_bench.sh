#!/usr/bin/env bash
# The speed benchmark of issue 9 as one command: every DL4J measurement next to the project's PyTorch reference
# (bench/pytorch/mobilebert_ref.py, Debian's python3-torch), same machine, same run, interleaved row by row, thread
# settings pinned; the results with the machine description and the load average go to one Markdown file.
#
#   bench/run_bench.sh [--quick] [--out FILE] [threads...]      (default threads: 1 2)
#
# --quick: latency rows and the MobileBERT train step only (no teacher, no PKT; ~10 min on an idle 2-core machine).
# Each row prints wall median, CPU median (comparable when the machine is loaded) and peak RSS of the process.
set -euo pipefail
cd "$(dirname "$0")/.."
QUICK=0; OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1; shift ;;
    --out) OUT="$2"; shift 2 ;;
    *) break ;;
  esac
done
THREADS=("${@:-1 2}"); [ $# -eq 0 ] && THREADS=(1 2)
OUT=${OUT:-bench-results/speed-$(date -u +%Y%m%dT%H%MZ).md}
mkdir -p "$(dirname "$OUT")"
export OMP_WAIT_POLICY=PASSIVE MOBILEBERT_NO_BUILD=${MOBILEBERT_NO_BUILD:-0}
LAT_WARMUP=${LAT_WARMUP:-30} STEP_WARMUP=${STEP_WARMUP:-3}
export MOBILEBERT_HEAP=${MOBILEBERT_HEAP:-4g} JAVA_OPTS="${JAVA_OPTS:--Dorg.bytedeco.javacpp.maxphysicalbytes=8g}"
PY=/usr/bin/python3
M=conf/models/uncased_L-24_H-128_B-512_A-4_F-4_OPT.json
LN=conf/models/mobilebert_layernorm_gelu.json
BB=conf/models/bert-base-uncased.json
T=conf/models/uncased_L-24_H-1024_B-512_A-4.json
bin/mobilebert --help >/dev/null 2>&1 || true   # builds once if sources changed, before anything is timed

load() { cut -d' ' -f1-3 /proc/loadavg; }
field() { sed -n "s/.*$1 \([0-9.]*\).*/\1/p" <<<"$2" | head -1; }
row() { # name, dl4j command..., --, pytorch command...
  local name="$1"; shift
  local dl=() pt=()
  while [ "$1" != "--" ]; do dl+=("$1"); shift; done; shift; pt=("$@")
  local l0; l0=$(load)
  local a b
  a=$(bin/mobilebert "${dl[@]}" 2>&1 | grep -E "median .* ms" | tail -1 || true)
  b=$("$PY" bench/pytorch/mobilebert_ref.py "${pt[@]}" 2>&1 | grep -E "median .* ms" | tail -1 || true)
  local aw ac am bw bc bm
  aw=$(field ": median" "$a"); ac=$(field "cpu median" "$a"); am=$(field "peak rss" "$a")
  bw=$(field ": median" "$b"); bc=$(field "cpu median" "$b"); bm=$(field "peak rss" "$b")
  local rw rc
  rw=$(awk -v x="$aw" -v y="$bw" 'BEGIN{ if (x>0 && y>0) printf "%.2fx", x/y; else print "-" }')
  rc=$(awk -v x="$ac" -v y="$bc" 'BEGIN{ if (x>0 && y>0) printf "%.2fx", x/y; else print "-" }')
  echo "| $name | ${aw:-FAILED} | ${bw:-FAILED} | $rw | ${ac:-} | ${bc:-} | $rc | ${am:-} | ${bm:-} | $l0 |" >>"$OUT"
  echo "  $name: DL4J ${aw:-FAILED} ms (cpu ${ac:-?}), PyTorch ${bw:-FAILED} ms (cpu ${bc:-?}) -> $rw" >&2
  [ -n "$aw" ] || echo "    DL4J output: $a" >&2
  [ -n "$bw" ] || echo "    PyTorch output: $b" >&2
}

{
  echo "# Speed benchmark: DL4J (this project) vs PyTorch, same machine, same run"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ); command: \`bench/run_bench.sh $([ $QUICK = 1 ] && echo --quick) ${THREADS[*]}\`"
  echo "- machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores visible, $(free -g | awk '/Mem:/{print $2}') GB RAM, flags: $(grep -o -w 'avx2\|avx512f\|avx512_bf16\|amx_tile' /proc/cpuinfo | sort -u | tr '\n' ' ')"
  echo "- software: $(java -version 2>&1 | head -1); ND4J 1.0.0-M2.1 (OpenBLAS 0.3.19); $("$PY" -c 'import torch; print("PyTorch", torch.__version__)' 2>/dev/null)"
  echo "- load average at the start: $(load) (other processes on the machine; the CPU columns are the comparable ones when it is not ~0)"
  echo "- settings: OMP_NUM_THREADS = OPENBLAS_NUM_THREADS = threads, OMP_WAIT_POLICY=PASSIVE; float32, random ids, seq 128; warm-up $LAT_WARMUP passes (latency b=1), $STEP_WARMUP steps (train step), the same for both;"
  echo "  latency = embeddings + encoder (inference); train step = batch 8, MLM at 20 positions + NSP + Adam/AdamW update;"
  echo "  PKT step = teacher forward to the transferred layer (the last, 23) + student stage forward/backward/update (LAMB here, AdamW in PyTorch)."
  echo
} >"$OUT"

for th in "${THREADS[@]}"; do
  export OMP_NUM_THREADS=$th OPENBLAS_NUM_THREADS=$th
  {
    echo "## threads = $th"
    echo
    echo "| row | DL4J wall ms | PyTorch wall ms | DL4J/PyTorch (wall) | DL4J cpu ms | PyTorch cpu ms | DL4J/PyTorch (cpu) | DL4J peak RSS MB | PyTorch peak RSS MB | load at start |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
  } >>"$OUT"
  echo "threads=$th" >&2
  # the same warm-up on both sides; the JVM needs ~30 forward passes before its JIT has compiled ND4J's Java paths
  # (docs/speed.md, session 4: 293 ms median after 3 warm-up passes, 162 ms after 30, 156 ms after 80)
  lat() { echo bench latency --config "$1" --seq-len 128 --batch "$2" --threads "$th" --warmup "$3" --runs 10; }
  row "MobileBERT latency b=1" $(lat $M 1 $LAT_WARMUP) -- latency --config $M --batch 1 --warmup $LAT_WARMUP --runs 10
  row "MobileBERT LN+GELU latency b=1" $(lat $LN 1 $LAT_WARMUP) -- latency --config $LN --batch 1 --warmup $LAT_WARMUP --runs 10
  row "BERT-base latency b=1" $(lat $BB 1 $LAT_WARMUP) -- latency --config $BB --batch 1 --warmup $LAT_WARMUP --runs 10
  row "MobileBERT latency b=8" $(lat $M 8 5) -- latency --config $M --batch 8 --warmup 5 --runs 10
  row "MobileBERT train step b=8" bench train-step --config $M --batch 8 --seq-len 128 --threads "$th" --warmup $STEP_WARMUP --runs 3 \
      -- train-step --config $M --batch 8 --warmup $STEP_WARMUP --runs 3
  if [ $QUICK = 0 ]; then
    row "IB-BERT teacher train step b=8" bench train-step --config $T --batch 8 --seq-len 128 --threads "$th" --warmup 1 --runs 2 \
        -- train-step --config $T --batch 8 --warmup 1 --runs 2
    row "PKT step (teacher fwd + student stage) b=8" bench pkt-step --config $M --teacher $T --batch 8 --seq-len 128 --threads "$th" --warmup 1 --runs 2 \
        -- pkt-step --config $M --teacher $T --batch 8 --warmup 1 --runs 2
  fi
  echo >>"$OUT"
done
# ratios inside each framework, from the wall medians of the rows above
awk -F'|' '
  /^## threads/ { th=$0; sub(/## threads = /, "", th) }
  /MobileBERT latency b=1/ { m[th,1]=$3; m[th,2]=$4 }
  /LN\+GELU latency/ { l[th,1]=$3; l[th,2]=$4 }
  /BERT-base latency/ { b[th,1]=$3; b[th,2]=$4 }
  END {
    print "## Ratios (wall medians above)\n"
    print "| threads | BERT-base / MobileBERT latency, DL4J | same, PyTorch | LN+GELU / NoNorm+ReLU, DL4J | same, PyTorch |"
    print "|---|---|---|---|---|"
    for (k in m) { split(k, kk, SUBSEP); if (kk[2] != 1) continue; t=kk[1]
      printf "| %s | %.2fx | %.2fx | %.2fx | %.2fx |\n", t, b[t,1]/m[t,1], b[t,2]/m[t,2], l[t,1]/m[t,1], l[t,2]/m[t,2] }
  }' "$OUT" >>"$OUT"
echo "load average at the end: $(load)" >>"$OUT"
echo "wrote $OUT" >&2
