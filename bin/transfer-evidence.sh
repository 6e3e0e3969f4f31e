#!/usr/bin/env bash
# Laptop-scale evidence for issue 6: PKT (+ PD) vs JKT (+ PD) vs AKT vs a student from scratch, every student given the
# same number of training steps, all from one teacher pretrained here by `pretrain` on Gutenberg books.
#
# Usage: bin/transfer-evidence.sh WORKDIR [TEACHER_STEPS] [STUDENT_STEPS]
#   TEACHER_STEPS (default 600) and STUDENT_STEPS (default 200) must be multiples of 20.
#   Env: TEACHER_LR (2e-3), STUDENT_LR (2e-3), OPTIMIZER (adamw), SHARED (../shared of the installation).
#
# Teacher: spark-jobs/src/test/resources/pretrain/tiny_teacher.json (IB-BERT-style, 2 layers, hidden 48), AdamW 2e-3 with
# 10 % warmup -- the setting docs/pretrain.md found to learn (LAMB at 0.02 stays at the unigram baseline).
# Students: transfer/tiny_student.json (same depth and width, thin NoNorm blocks), AdamW, 10 % warmup per run:
#   PKT + PD : 2 stages x STUDENT_STEPS/4 (FMT + AT), then PD for STUDENT_STEPS/2
#   JKT + PD : STUDENT_STEPS/2 joint FMT + AT, then PD for STUDENT_STEPS/2
#   AKT      : STUDENT_STEPS of FMT + AT + KD + NSP
#   scratch  : STUDENT_STEPS of plain MLM + NSP pretraining (`pretrain`)
# Writes WORKDIR/results.tsv, WORKDIR/results.md (held-out MLM/NSP table + per-stage first/last FMT and AT losses, with
# the date, load averages and wall times) and keeps every run directory. Rerunning skips finished runs and resumes
# interrupted ones.
set -euo pipefail
W=${1:?usage: transfer-evidence.sh WORKDIR [TEACHER_STEPS] [STUDENT_STEPS]}; TS=${2:-600}; SS=${3:-200}
(( TS % 20 == 0 && SS % 20 == 0 )) || { echo "TEACHER_STEPS and STUDENT_STEPS must be multiples of 20" >&2; exit 2; }
HERE="$(cd "$(dirname "$0")/.." && pwd)"; M="$HERE/bin/mobilebert"
SHARED=${SHARED:-$HERE/../shared}
TEACHER_CFG="$HERE/spark-jobs/src/test/resources/pretrain/tiny_teacher.json"
STUDENT_CFG="$HERE/spark-jobs/src/test/resources/transfer/tiny_student.json"
G="$SHARED/data/corpus/gutenberg"; V="$SHARED/data/vocab/bert-base-uncased-vocab.txt"
TLR=${TEACHER_LR:-0.002}; SLR=${STUDENT_LR:-0.002}; OPT=${OPTIMIZER:-adamw}
export MOBILEBERT_HEAP=${MOBILEBERT_HEAP:-3g}
export JAVA_OPTS=${JAVA_OPTS:--Dorg.bytedeco.javacpp.maxphysicalbytes=5g}
COMMON=(--master 'local[2]' --workers 2 --batch-size-per-worker 8 --set averaging_frequency=5 --set progress=false
        --set log_every_steps=5 --set optimizer.optimizer="$OPT")
mkdir -p "$W"
LOG="$W/runs.tsv"
[ -f "$LOG" ] || printf 'run\tstart_utc\tseconds\tload_before\tload_after\n' > "$LOG"
load() { cut -d' ' -f1-3 /proc/loadavg; }
# run NAME DIR COMMAND...: skipped when DIR/summary.json exists, --resume when DIR has a checkpoint, timed into runs.tsv
run() {
  local name=$1 dir=$2; shift 2
  [ -f "$dir/summary.json" ] && return 0
  local extra=()
  if [ -d "$dir/checkpoints" ] || [ -d "$dir/stages" ]; then extra=(--resume); fi
  local t0 l0 s0; t0=$(date -u +%FT%TZ); l0=$(load); s0=$(date +%s)
  echo "== $name ($t0, load $l0)" >&2
  "$@" "${extra[@]}"
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$t0" $(( $(date +%s) - s0 )) "$l0" "$(load)" >> "$LOG"
}
warm() { echo "--set optimizer.num_warmup_steps=$(( $1 / 10 > 0 ? $1 / 10 : 1 ))"; }

BOOKS=(metamorphosis christmas_carol heart_of_darkness jungle_book)
TRAIN_IN=(); for b in "${BOOKS[@]}"; do TRAIN_IN+=(--input "$G/$b.txt"); done
[ -d "$W/train" ] || "$M" prepare-pretraining --master 'local[2]' "${TRAIN_IN[@]}" --vocab "$V" --out "$W/train" \
    --max-seq-length 32 --max-predictions-per-seq 5 --dupe-factor 2 --shards 4
[ -d "$W/heldout" ] || "$M" prepare-pretraining --master 'local[2]' --input "$G/time_machine.txt" --vocab "$V" --out "$W/heldout" \
    --max-seq-length 32 --max-predictions-per-seq 5 --dupe-factor 1 --shards 2

half=$((SS / 2)); pkt=$((SS / 4))
run teacher "$W/teacher" "$M" pretrain "${COMMON[@]}" --model-config "$TEACHER_CFG" --data "$W/train" --held-out "$W/heldout" \
    --out "$W/teacher" --num-train-steps "$TS" --learning-rate "$TLR" $(warm "$TS") --set checkpoint_every_steps=$((TS / 2)) \
    --eval-every-steps $((TS / 2))
STUDENT=("${COMMON[@]}" --learning-rate "$SLR" --teacher "$W/teacher" --data "$W/train" --held-out "$W/heldout")
run pkt "$W/pkt" "$M" transfer "${STUDENT[@]}" --strategy pkt --student-config "$STUDENT_CFG" --out "$W/pkt" \
    --steps-per-stage $pkt $(warm $pkt) --set checkpoint_every_steps=$pkt
run pkt-pd "$W/pkt-pd" "$M" distill "${STUDENT[@]}" --student "$W/pkt/student" --out "$W/pkt-pd" \
    --num-train-steps $half $(warm $half) --set checkpoint_every_steps=$half
run jkt "$W/jkt" "$M" transfer "${STUDENT[@]}" --strategy jkt --student-config "$STUDENT_CFG" --out "$W/jkt" \
    --steps-per-stage $half $(warm $half) --set checkpoint_every_steps=$half
run jkt-pd "$W/jkt-pd" "$M" distill "${STUDENT[@]}" --student "$W/jkt/student" --out "$W/jkt-pd" \
    --num-train-steps $half $(warm $half) --set checkpoint_every_steps=$half
run akt "$W/akt" "$M" transfer "${STUDENT[@]}" --strategy akt --student-config "$STUDENT_CFG" --out "$W/akt" \
    --steps-per-stage "$SS" $(warm "$SS") --set checkpoint_every_steps="$SS"
run scratch "$W/scratch" "$M" pretrain "${COMMON[@]}" --learning-rate "$SLR" --model-config "$STUDENT_CFG" --data "$W/train" \
    --held-out "$W/heldout" --out "$W/scratch" --num-train-steps "$SS" $(warm "$SS") --set checkpoint_every_steps="$SS"

python3 "$HERE/bin/transfer-evidence-table.py" "$W" "$TS" "$SS" "$OPT" "$TLR" "$SLR"
