#!/usr/bin/env bash
# Issue 10's GLUE dev columns: every model of bench/peers/evidence_compare.sh (run it first, same WORKDIR) fine-tuned on
# the same GLUE tasks with the same recipe, TinyBERT through its own task-specific distillation from the teacher
# fine-tuned on each task; then `compare-peers` with the GLUE columns.
#
# Usage: bench/peers/glue_compare.sh WORKDIR
#   Env: TASKS ("sst2 mrpc rte stsb"), MODELS ("teacher mobilebert-pkt-pd distilbert scratch tinybert-task"; run two
#        copies with disjoint MODELS to use two cores — tinybert-task needs the teacher's runs), COMPARE (1: run
#        compare-peers at the end when every run exists), GLUE_DIR (../shared/data/glue), VOCAB (BERT's uncased vocab),
#        FT_LR (2e-3), SEQ (64), BATCH (32), CPUS (taskset list, e.g. 1; empty: no pinning), NICE (5).
#   Per task: epochs of fine-tuning (= TinyBERT's prediction stage) and train subset: sst2 2 epochs of 16,000 examples
#   (1,000 steps), mrpc 3, rte 3, stsb 5 epochs of all; TinyBERT's intermediate stage: sst2 1 epoch, others 2.
# Every run is a finetune / distill-task run directory under WORKDIR/glue/<model>-<task>; a rerun skips finished runs and
# resumes a killed one. Wall time and load of each run: WORKDIR/glue-runs.tsv. Table: WORKDIR/compare-glue/comparison.md.
set -euo pipefail
W=${1:?usage: glue_compare.sh WORKDIR}
HERE="$(cd "$(dirname "$0")/../.." && pwd)"; M="$HERE/bin/mobilebert"
GLUE_DIR=${GLUE_DIR:-$HERE/../shared/data/glue}; VOCAB=${VOCAB:-$HERE/../shared/data/vocab/bert-base-uncased-vocab.txt}
TASKS=${TASKS:-sst2 mrpc rte stsb}
MODELS=${MODELS:-teacher mobilebert-pkt-pd distilbert scratch tinybert-task}
LR=${FT_LR:-0.002}; SEQ=${SEQ:-64}; BATCH=${BATCH:-32}; NICE=${NICE:-5}
export MOBILEBERT_HEAP=${MOBILEBERT_HEAP:-3g}
export JAVA_OPTS=${JAVA_OPTS:--Dorg.bytedeco.javacpp.maxphysicalbytes=5g}
PIN=(); [ -n "${CPUS:-}" ] && PIN=(taskset -c "$CPUS")
declare -A SOURCE=([teacher]="$W/teacher" [mobilebert-pkt-pd]="$W/pkt-pd" [distilbert]="$W/distilbert/student"
                   [scratch]="$W/scratch" [tinybert]="$W/tinybert/student")
declare -A DIR=([sst2]=SST-2 [mrpc]=MRPC [rte]=RTE [stsb]=STS-B [cola]=CoLA [wnli]=WNLI)
declare -A EPOCHS=([sst2]=2 [mrpc]=3 [rte]=3 [stsb]=5 [cola]=3 [wnli]=3)
declare -A SUBSET=([sst2]=16000)
declare -A INTER=([sst2]=1)
for m in teacher mobilebert-pkt-pd distilbert scratch tinybert; do
  [ -e "${SOURCE[$m]}" ] || { echo "${SOURCE[$m]} missing: run bin/transfer-evidence.sh and bench/peers/evidence_compare.sh on $W first" >&2; exit 2; }
done
LOG="$W/glue-runs.tsv"; mkdir -p "$W/glue"
[ -f "$LOG" ] || printf 'run\tstart_utc\tseconds\tload_before\tload_after\n' > "$LOG"
load() { cut -d' ' -f1-3 /proc/loadavg; }
run() {
  local name=$1 dir=$2; shift 2
  [ -f "$dir/summary.json" ] && return 0
  local t0 l0 s0; t0=$(date -u +%FT%TZ); l0=$(load); s0=$(date +%s)
  echo "== $name ($t0, load $l0)" >&2
  "${PIN[@]}" nice -n "$NICE" "$@"
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$t0" $(( $(date +%s) - s0 )) "$l0" "$(load)" >> "$LOG"
}
COMMON=(--master 'local[1]' --workers 1 --batch-size "$BATCH" --max-seq-length "$SEQ" --vocab "$VOCAB")
for t in $TASKS; do
  data="$GLUE_DIR/${DIR[$t]}"; e=${EPOCHS[$t]}; n=${SUBSET[$t]:-0}
  for m in $MODELS; do
    [ "$m" = tinybert-task ] && continue
    run "$m-$t" "$W/glue/$m-$t" "$M" finetune --task "$t" --checkpoint "${SOURCE[$m]}" --data "$data" --out "$W/glue/$m-$t" \
        "${COMMON[@]}" --learning-rates "$LR" --epochs "$e" --max-train-examples "$n"
  done
  if [[ " $MODELS " == *" tinybert-task "* ]]; then
    [ -f "$W/glue/teacher-$t/summary.json" ] || { echo "tinybert-task-$t needs $W/glue/teacher-$t (MODELS with teacher first)" >&2; exit 2; }
    run "tinybert-task-$t" "$W/glue/tinybert-task-$t" "$M" distill --recipe tinybert --stage task --task "$t" \
        --teacher "$W/glue/teacher-$t" --student "${SOURCE[tinybert]}" --data "$data" --out "$W/glue/tinybert-task-$t" \
        "${COMMON[@]}" --intermediate-epochs "${INTER[$t]:-2}" --intermediate-learning-rate "$LR" \
        --prediction-epochs "$e" --prediction-learning-rate "$LR" --max-train-examples "$n"
  fi
done
[ "${COMPARE:-1}" = 1 ] || exit 0
ALL=(teacher mobilebert-pkt-pd distilbert scratch tinybert-task)
GLUE=()
for m in "${ALL[@]}"; do for t in $TASKS; do
  [ -f "$W/glue/$m-$t/summary.json" ] || { echo "compare-peers waits for $W/glue/$m-$t" >&2; exit 0; }
  GLUE+=(--glue "$m:${DIR[$t]}=$W/glue/$m-$t")
done; done
"${PIN[@]}" nice -n "$NICE" "$M" compare-peers --master 'local[2]' --held-out "$W/heldout" --out "$W/compare-glue" --seq-len 32 \
    --threads 1 --runs 20 --model teacher="$W/teacher" --model "mobilebert-pkt-pd=$W/pkt-pd" \
    --model "distilbert=$W/distilbert/student" --model "scratch=$W/scratch" --model "tinybert-task=$W/tinybert/student" "${GLUE[@]}"
cat "$W/compare-glue/comparison.md"
