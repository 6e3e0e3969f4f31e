#!/usr/bin/env bash
# Laptop-scale comparison of PKT vs JKT vs AKT vs a student from scratch (issue 6), every student given the same number
# of training steps: the tiny test teacher pretrained on one Gutenberg book, the thin tiny student, held-out MLM/NSP on
# another book. Usage: bin/transfer-evidence.sh WORKDIR [TEACHER_STEPS] [STUDENT_STEPS]
# Writes WORKDIR/results.tsv (one row per student) and leaves every run directory in WORKDIR.
set -euo pipefail
W=${1:?work directory}; TS=${2:-100}; SS=${3:-100}
HERE="$(cd "$(dirname "$0")/.." && pwd)"; M="$HERE/bin/mobilebert"
TEACHER_CFG="$HERE/spark-jobs/src/test/resources/pretrain/tiny_teacher.json"
STUDENT_CFG="$HERE/spark-jobs/src/test/resources/transfer/tiny_student.json"
G="$HERE/../shared/data/corpus/gutenberg"; V="$HERE/../shared/data/vocab/bert-base-uncased-vocab.txt"
COMMON=(--master 'local[2]' --workers 2 --batch-size-per-worker 8 --set averaging_frequency=5 --set progress=false --set log_every_steps=5)
mkdir -p "$W"
[ -d "$W/train" ] || "$M" prepare-pretraining --master 'local[2]' --input "$G/metamorphosis.txt" --vocab "$V" --out "$W/train" \
    --max-seq-length 32 --max-predictions-per-seq 5 --dupe-factor 2 --shards 4
[ -d "$W/heldout" ] || "$M" prepare-pretraining --master 'local[2]' --input "$G/christmas_carol.txt" --vocab "$V" --out "$W/heldout" \
    --max-seq-length 32 --max-predictions-per-seq 5 --dupe-factor 1 --shards 2
half=$((SS / 2)); pkt=$((half / 2)); rest=$((SS - half))
[ -f "$W/teacher/summary.json" ] || "$M" pretrain "${COMMON[@]}" --model-config "$TEACHER_CFG" --data "$W/train" --held-out "$W/heldout" \
    --out "$W/teacher" --num-train-steps "$TS" --learning-rate 0.02 --set optimizer.num_warmup_steps=$((TS / 10)) --set checkpoint_every_steps=$TS
# PKT: 2 stages x SS/4 steps, then PD for the other half
[ -f "$W/pkt/summary.json" ] || "$M" transfer "${COMMON[@]}" --teacher "$W/teacher" --student-config "$STUDENT_CFG" --data "$W/train" \
    --held-out "$W/heldout" --out "$W/pkt" --steps-per-stage $pkt --learning-rate 0.01 --set optimizer.num_warmup_steps=$((pkt / 10 + 1)) --set checkpoint_every_steps=$pkt
[ -f "$W/pkt-pd/summary.json" ] || "$M" distill "${COMMON[@]}" --teacher "$W/teacher" --student "$W/pkt/student" --data "$W/train" --held-out "$W/heldout" \
    --out "$W/pkt-pd" --num-train-steps $rest --learning-rate 0.01 --set optimizer.num_warmup_steps=$((rest / 10)) --set checkpoint_every_steps=$rest
# JKT: SS/2 joint steps, then PD
[ -f "$W/jkt/summary.json" ] || "$M" transfer "${COMMON[@]}" --strategy jkt --teacher "$W/teacher" --student-config "$STUDENT_CFG" --data "$W/train" \
    --held-out "$W/heldout" --out "$W/jkt" --steps-per-stage $half --learning-rate 0.01 --set optimizer.num_warmup_steps=$((half / 10)) --set checkpoint_every_steps=$half
[ -f "$W/jkt-pd/summary.json" ] || "$M" distill "${COMMON[@]}" --teacher "$W/teacher" --student "$W/jkt/student" --data "$W/train" --held-out "$W/heldout" \
    --out "$W/jkt-pd" --num-train-steps $rest --learning-rate 0.01 --set optimizer.num_warmup_steps=$((rest / 10)) --set checkpoint_every_steps=$rest
# AKT: SS steps of the joint objective
[ -f "$W/akt/summary.json" ] || "$M" transfer "${COMMON[@]}" --strategy akt --teacher "$W/teacher" --student-config "$STUDENT_CFG" --data "$W/train" \
    --held-out "$W/heldout" --out "$W/akt" --steps-per-stage $SS --learning-rate 0.01 --set optimizer.num_warmup_steps=$((SS / 10)) --set checkpoint_every_steps=$SS
# from scratch: SS pretraining steps of the student
[ -f "$W/scratch/summary.json" ] || "$M" pretrain "${COMMON[@]}" --model-config "$STUDENT_CFG" --data "$W/train" --held-out "$W/heldout" \
    --out "$W/scratch" --num-train-steps $SS --learning-rate 0.01 --set optimizer.num_warmup_steps=$((SS / 10)) --set checkpoint_every_steps=$SS
python3 - "$W" <<'PY'
import json, sys, os
w = sys.argv[1]
rows = [("teacher", "teacher"), ("PKT + PD", "pkt-pd"), ("PKT (before PD)", "pkt"), ("JKT + PD", "jkt-pd"), ("JKT (before PD)", "jkt"),
        ("AKT", "akt"), ("from scratch", "scratch")]
with open(os.path.join(w, "results.tsv"), "w") as out:
    out.write("student\theldout_mlm_accuracy\theldout_mlm_loss\theldout_nsp_accuracy\tmlm_majority_baseline\n")
    for name, d in rows:
        s = json.load(open(os.path.join(w, d, "summary.json")))
        s = s.get("heldout", s)
        out.write("%s\t%.4f\t%.4f\t%.4f\t%.4f\n" % (name, s["heldout_mlm_accuracy"], s["heldout_mlm_loss"], s["heldout_nsp_accuracy"],
                                                 s["heldout_mlm_majority_baseline"]))
print(open(os.path.join(w, "results.tsv")).read())
PY
