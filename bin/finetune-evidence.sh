#!/usr/bin/env bash
# bin/finetune-evidence.sh WORKDIR: the fine-tuning evidence of docs/finetune.md, end to end in Spark local mode.
#   1. base: a small teacher pretrained by the project's own pipeline (prepare-pretraining on six Gutenberg books +
#      pretrain, AdamW 2e-3 as docs/pretrain.md recommends), skipped when $FT_BASE/run/summary.json exists;
#   2. for each task and each starting point (the base checkpoint, and a random initialisation of the same config):
#      `bin/mobilebert finetune` on a seeded training subset, dev metrics after every epoch;
#   3. WORKDIR/results.tsv and WORKDIR/results.md: best dev metric vs the majority-class / constant baseline,
#      steps, wall time and the load average at the start of each run.
# Environment (defaults in brackets):
#   FT_BASE     base checkpoint directory [WORKDIR/base]   FT_TASKS   tasks [sst2 stsb mrpc rte squad1]
#   FT_FROM     starting points [base random]               FT_LR      peak learning rate [2e-3]
#   FT_EPOCHS   epochs [2]                                   FT_N       training examples per task [6400]
#   FT_MASTER   Spark master [local[2]]                      SHARED     the shared data directory [../shared of the repo]
#   FT_WORKERS  parallel workers (global batch 32 either way) [1: averaging two workers' AdamW steps every step
#               did not learn SST-2 in 375 steps, one worker did in 200; docs/finetune.md]
#   FT_SQUAD_N  SQuAD training questions [3000 of the 8,981 in articles 0-39]
# Long runs: MOBILEBERT_HEAP=3g JAVA_OPTS=-Dorg.bytedeco.javacpp.maxphysicalbytes=5g nice -n 5 bin/finetune-evidence.sh DIR
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 WORKDIR" >&2; exit 2; }
HOME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
W="$(mkdir -p "$1" && cd "$1" && pwd)"
SHARED="${SHARED:-$HOME_DIR/../shared}"
BASE="${FT_BASE:-$W/base}"
TASKS="${FT_TASKS:-sst2 stsb mrpc rte squad1}"
FROM="${FT_FROM:-base random}"
LR="${FT_LR:-2e-3}"; EPOCHS="${FT_EPOCHS:-2}"; N="${FT_N:-6400}"; WORKERS="${FT_WORKERS:-1}"; MASTER="${FT_MASTER:-local[2]}"
MB="$HOME_DIR/bin/mobilebert"
VOCAB="$SHARED/data/vocab/bert-base-uncased-vocab.txt"
CONFIG="$HOME_DIR/conf/models/finetune_base_tiny.json"
G="$SHARED/data/corpus/gutenberg"
load() { cut -d' ' -f1 /proc/loadavg; }

if [ ! -f "$BASE/run/summary.json" ]; then
  echo "== base: pretraining $CONFIG into $BASE (load $(load))"
  books=(christmas_carol metamorphosis heart_of_darkness great_gatsby peter_pan study_in_scarlet)
  [ -f "$BASE/shards/stats.json" ] || "$MB" prepare-pretraining --master "$MASTER" --vocab "$VOCAB" --out "$BASE/shards" \
      $(for b in "${books[@]}"; do echo --input "$G/$b.txt"; done) \
      --max-seq-length 64 --max-predictions-per-seq 10 --dupe-factor 2 --shards 4
  [ -f "$BASE/heldout/stats.json" ] || "$MB" prepare-pretraining --master "$MASTER" --vocab "$VOCAB" --out "$BASE/heldout" \
      --input "$G/time_machine.txt" --max-seq-length 64 --max-predictions-per-seq 10 --dupe-factor 1 --shards 2
  resume=(); [ -d "$BASE/run/checkpoints" ] && resume=(--resume)
  "$MB" pretrain --master "$MASTER" --model-config "$CONFIG" --data "$BASE/shards" --held-out "$BASE/heldout" \
      --out "$BASE/run" "${resume[@]}" --num-train-steps 300 --workers 2 --batch-size-per-worker 8 \
      --set optimizer.optimizer=adamw --learning-rate 2e-3 --set optimizer.num_warmup_steps=30 \
      --set checkpoint_every_steps=100 --eval-every-steps 100
fi

# SQuAD v1.1 has only its dev set here: train on articles 0-39, evaluate on 40-47 (disjoint articles); training
# questions keep their first answer, as run_squad.py requires.
SQ="$W/squad-split"
if [[ " $TASKS " == *" squad1 "* && ! -f "$SQ/dev-v1.1.json" ]]; then
  mkdir -p "$SQ"
  python3 - "$SHARED/data/squad/dev-v1.1.json" "$SQ" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
arts = d['data']
train = dict(d, data=arts[0:40]); dev = dict(d, data=arts[40:48])
for a in train['data']:
    for p in a['paragraphs']:
        for q in p['qas']: q['answers'] = q['answers'][:1]
json.dump(train, open(sys.argv[2] + '/train-v1.1.json', 'w')); json.dump(dev, open(sys.argv[2] + '/dev-v1.1.json', 'w'))
EOF
fi

task_args() {
  case "$1" in
    sst2)   echo "--data $SHARED/data/glue/SST-2 --max-seq-length 64" ;;
    stsb)   echo "--data $SHARED/data/glue/STS-B --max-seq-length 64" ;;
    mrpc)   echo "--data $SHARED/data/glue/MRPC --max-seq-length 64" ;;
    rte)    echo "--data $SHARED/data/glue/RTE --max-seq-length 128" ;;
    squad1) echo "--data $SQ --max-seq-length 128 --doc-stride 64 --max-query-length 32" ;;
    *) echo "unknown task $1" >&2; exit 2 ;;
  esac
}

for task in $TASKS; do
  for from in $FROM; do
    out="$W/$task-$from"
    [ -f "$out/summary.json" ] && { echo "== $task from $from: done already ($out)"; continue; }
    rm -rf "$out"
    n="$N"; [ "$task" = squad1 ] && n="${FT_SQUAD_N:-3000}"
    if [ "$from" = base ]; then start=(--checkpoint "$BASE/run"); else start=(--random-init "$CONFIG"); fi
    args=(finetune --master "$MASTER" --task "$task" "${start[@]}" --vocab "$VOCAB" --out "$out" $(task_args "$task")
          --max-train-examples "$n" --epochs "$EPOCHS" --learning-rates "$LR" --batch-size 32 --workers "$WORKERS")
    echo "== $task from $from (load $(load)): bin/mobilebert ${args[*]}"
    l0=$(load); t0=$(date +%s)
    "$MB" "${args[@]}"
    echo "$l0 $(( $(date +%s) - t0 ))" > "$out/evidence-time.txt"
  done
done

python3 - "$W" <<'EOF'
import json, os, sys
w = sys.argv[1]
rows = [("task", "start", "metric", "dev_per_epoch", "best_dev", "baseline", "baseline_kind", "train_features",
         "best_step", "wall_s", "load_at_start")]
for name in sorted(os.listdir(w)):
    s = os.path.join(w, name, "summary.json")
    if not os.path.isfile(s) or name == "base": continue
    summ = json.load(open(s)); task, start = name.rsplit("-", 1)
    best = summ["best"]; metric = summ["selection_metric"]
    epochs = [json.loads(l) for l in open(os.path.join(w, name, "metrics.jsonl")) if '"stage":"dev"' in l]
    if task == "stsb": metric = "pearson"
    per_epoch = " / ".join("%.4f" % e[metric] for e in epochs)
    if task == "squad1":
        base, kind = "", "none (EM/F1 of an empty answer is 0)"
        per_epoch = " / ".join("EM %.2f F1 %.2f" % (e["exact_match"], e["f1"]) for e in epochs)
    elif task == "stsb":
        base, kind = "0", "constant prediction"
    else:
        metric = "accuracy"; per_epoch = " / ".join("%.4f" % e["accuracy"] for e in epochs)
        base, kind = "%.4f" % best["majority_baseline_accuracy"], "majority label " + str(best["majority_label"])
    load, wall = open(os.path.join(w, name, "evidence-time.txt")).read().split()
    rows.append((task, start, metric, per_epoch, "%.4f" % best[metric], base, kind, str(summ["train_features"]),
                 str(best["step"]), wall, load))
with open(os.path.join(w, "results.tsv"), "w") as f:
    for r in rows: f.write("\t".join(r) + "\n")
with open(os.path.join(w, "results.md"), "w") as f:
    f.write("| " + " | ".join(rows[0]) + " |\n|" + "---|" * len(rows[0]) + "\n")
    for r in rows[1:]: f.write("| " + " | ".join(r) + " |\n")
print(open(os.path.join(w, "results.md")).read())
EOF
