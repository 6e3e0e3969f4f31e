#!/usr/bin/env bash
# Issue 10's comparison on the teacher, shards and students of bin/transfer-evidence.sh (run that first, same WORKDIR):
# MobileBERT (PKT + PD) vs DistilBERT vs TinyBERT vs the from-scratch student, same teacher (tiny_teacher pretrained on
# Gutenberg books), same training shards and the same number of student steps; then `compare-peers` (parameters,
# latency at batch 1, held-out MLM/NSP accuracy on the held-out book).
#
# Usage: bench/peers/evidence_compare.sh WORKDIR [STUDENT_STEPS]   (STUDENT_STEPS: as given to transfer-evidence.sh, default 200)
#   Env: STUDENT_LR (2e-3), OPTIMIZER (adamw), as in transfer-evidence.sh.
# Writes WORKDIR/compare/comparison.{json,md} and WORKDIR/peers-runs.tsv (wall time and load of each run).
set -euo pipefail
W=${1:?usage: evidence_compare.sh WORKDIR [STUDENT_STEPS]}; SS=${2:-200}
(( SS % 20 == 0 )) || { echo "STUDENT_STEPS must be a multiple of 20" >&2; exit 2; }
HERE="$(cd "$(dirname "$0")/../.." && pwd)"; M="$HERE/bin/mobilebert"
TEACHER_CFG="$HERE/spark-jobs/src/test/resources/pretrain/tiny_teacher.json"
TINY_CFG="$HERE/conf/models/tiny_tinybert_student.json"
SLR=${STUDENT_LR:-0.002}; OPT=${OPTIMIZER:-adamw}
export MOBILEBERT_HEAP=${MOBILEBERT_HEAP:-3g}
export JAVA_OPTS=${JAVA_OPTS:--Dorg.bytedeco.javacpp.maxphysicalbytes=5g}
for d in teacher train heldout pkt-pd scratch; do
  [ -e "$W/$d" ] || { echo "$W/$d missing: run bin/transfer-evidence.sh $W first" >&2; exit 2; }
done
COMMON=(--master 'local[2]' --workers 2 --batch-size-per-worker 8 --set averaging_frequency=5 --set progress=false
        --set log_every_steps=5 --set optimizer.optimizer="$OPT" --learning-rate "$SLR"
        --teacher "$W/teacher" --teacher-config "$TEACHER_CFG" --data "$W/train" --held-out "$W/heldout")
LOG="$W/peers-runs.tsv"
[ -f "$LOG" ] || printf 'run\tstart_utc\tseconds\tload_before\tload_after\n' > "$LOG"
load() { cut -d' ' -f1-3 /proc/loadavg; }
run() {
  local name=$1 dir=$2; shift 2
  [ -f "$dir/summary.json" ] && [ -d "$dir/student" ] && return 0
  local extra=()
  if [ -d "$dir" ] && find "$dir" -maxdepth 2 -name checkpoints | grep -q .; then extra=(--resume); fi
  local t0 l0 s0; t0=$(date -u +%FT%TZ); l0=$(load); s0=$(date +%s)
  echo "== $name ($t0, load $l0)" >&2
  "$@" "${extra[@]}"
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$t0" $(( $(date +%s) - s0 )) "$l0" "$(load)" >> "$LOG"
}
half=$((SS / 2))
# DistilBERT: the teacher's layers 0, 2, ... (one of the tiny teacher's two), triple loss with DistilBERT's weights
run distilbert "$W/distilbert" "$M" distill --recipe distilbert "${COMMON[@]}" --out "$W/distilbert" \
    --num-train-steps "$SS" --set optimizer.num_warmup_steps=$((SS / 10)) --set checkpoint_every_steps="$SS"
# TinyBERT: narrower student (hidden 32), intermediate (embeddings + hidden states + attention scores) then prediction
run tinybert "$W/tinybert" "$M" distill --recipe tinybert "${COMMON[@]}" --student-config "$TINY_CFG" --out "$W/tinybert" \
    --intermediate-steps $half --prediction-steps $half --set optimizer.num_warmup_steps=$((half / 10)) --set checkpoint_every_steps=$half
"$M" compare-peers --master 'local[2]' --held-out "$W/heldout" --out "$W/compare" --seq-len 32 --threads 1 --runs 20 \
    --model teacher="$W/teacher" --model "mobilebert-pkt-pd=$W/pkt-pd" --model "distilbert=$W/distilbert/student" \
    --model "tinybert=$W/tinybert/student" --model "scratch=$W/scratch"
cat "$W/compare/comparison.md"
