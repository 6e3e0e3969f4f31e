#!/usr/bin/env bash
# Toy-scale comparison of DistilBERT, TinyBERT and a from-scratch student distilled from / trained like one teacher,
# on the same Gutenberg shards (docs/peers.md). Usage: bench/peers/toy_compare.sh OUT [TEACHER_STEPS] [STUDENT_STEPS]
# Every step is resumable by rerunning (distill-peer/pretrain get --resume when their directory exists).
set -euo pipefail
OUT=${1:?usage: toy_compare.sh OUT [TEACHER_STEPS] [STUDENT_STEPS]}
TEACHER_STEPS=${2:-200}
STUDENT_STEPS=${3:-100}
HERE=$(cd "$(dirname "$0")/../.." && pwd)
MB="$HERE/bin/mobilebert"
DATA=${DATA:-$HERE/../shared/data}
BOOKS=$DATA/corpus/gutenberg
export MOBILEBERT_HEAP=${MOBILEBERT_HEAP:-4g}
export JAVA_OPTS=${JAVA_OPTS:--Dorg.bytedeco.javacpp.maxphysicalbytes=6g}
mkdir -p "$OUT"
COMMON=(--master "local[2]" --workers 2 --batch-size-per-worker 8 --set averaging_frequency=5 --set log_every_steps=10 --set progress=false)
resume() { [ -d "$1/checkpoints" ] || [ -d "$1/distilbert" ] || [ -d "$1/tinybert-intermediate" ] && echo --resume || true; }

[ -d "$OUT/train" ] || "$MB" prepare-pretraining --input "$BOOKS/christmas_carol.txt" "$BOOKS/metamorphosis.txt" --vocab "$DATA/vocab/bert-base-uncased-vocab.txt" \
  --out "$OUT/train" --shards 2 --max-seq-length 64 --max-predictions-per-seq 10 --dupe-factor 2
[ -d "$OUT/heldout" ] || "$MB" prepare-pretraining --input "$BOOKS/time_machine.txt" --vocab "$DATA/vocab/bert-base-uncased-vocab.txt" \
  --out "$OUT/heldout" --shards 1 --max-seq-length 64 --max-predictions-per-seq 10 --dupe-factor 1

[ -f "$OUT/teacher/summary.json" ] || "$MB" pretrain --model-config "$HERE/conf/models/peers_toy_teacher.json" --data "$OUT/train" --out "$OUT/teacher" \
  "${COMMON[@]}" --num-train-steps "$TEACHER_STEPS" --learning-rate 0.001 --set optimizer.num_warmup_steps=20 --set checkpoint_every_steps=50 $(resume "$OUT/teacher")
[ -f "$OUT/distilbert/summary.json" ] || "$MB" distill-peer --recipe distilbert --teacher "$OUT/teacher" --teacher-config "$HERE/conf/models/peers_toy_teacher.json" \
  --data "$OUT/train" --out "$OUT/distilbert" "${COMMON[@]}" --num-train-steps "$STUDENT_STEPS" --learning-rate 0.001 \
  --set optimizer.num_warmup_steps=10 --set checkpoint_every_steps=50 $(resume "$OUT/distilbert")
[ -f "$OUT/tinybert/summary.json" ] || "$MB" distill-peer --recipe tinybert --teacher "$OUT/teacher" --teacher-config "$HERE/conf/models/peers_toy_teacher.json" \
  --student-config "$HERE/conf/models/peers_toy_tinybert.json" --data "$OUT/train" --out "$OUT/tinybert" "${COMMON[@]}" \
  --intermediate-steps $((STUDENT_STEPS / 2)) --prediction-steps $((STUDENT_STEPS / 2)) --learning-rate 0.001 \
  --set optimizer.num_warmup_steps=5 --set checkpoint_every_steps=50 $(resume "$OUT/tinybert")
# from scratch: the DistilBERT student's architecture (teacher config, every other layer) trained with MLM + NSP alone
python3 - "$HERE/conf/models/peers_toy_teacher.json" "$OUT/scratch_model.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); c["num_hidden_layers"] = (c["num_hidden_layers"] + 1) // 2; c.pop("_comment", None)
json.dump(c, open(sys.argv[2], "w"), indent=1)
PY
[ -f "$OUT/scratch/summary.json" ] || "$MB" pretrain --model-config "$OUT/scratch_model.json" --data "$OUT/train" --out "$OUT/scratch" \
  "${COMMON[@]}" --num-train-steps "$STUDENT_STEPS" --learning-rate 0.001 --set optimizer.num_warmup_steps=10 --set checkpoint_every_steps=50 $(resume "$OUT/scratch")

"$MB" compare-peers --master "local[2]" --held-out "$OUT/heldout" --out "$OUT/compare" --seq-len 64 --threads 1 --runs 10 \
  --model teacher="$OUT/teacher" --model distilbert="$OUT/distilbert/student" --model tinybert="$OUT/tinybert/student" --model scratch="$OUT/scratch"
cat "$OUT/compare/comparison.md"
