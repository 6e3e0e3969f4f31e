#!/usr/bin/env python3
"""Tables of bin/transfer-evidence.sh: held-out MLM/NSP per student and per-stage FMT/AT losses (first/last steps).

Usage: transfer-evidence-table.py WORKDIR TEACHER_STEPS STUDENT_STEPS OPTIMIZER TEACHER_LR STUDENT_LR
Reads WORKDIR/<run>/summary.json, WORKDIR/{pkt,jkt,akt}/metrics.jsonl and WORKDIR/runs.tsv; writes WORKDIR/results.tsv
and WORKDIR/results.md.
"""
import json
import os
import sys

w, ts, ss, opt, tlr, slr = sys.argv[1:7]
ss = int(ss)
ROWS = [("teacher (tiny_teacher, %s steps)" % ts, "teacher", int(ts)),
        ("PKT + PD", "pkt-pd", ss), ("PKT only (before PD)", "pkt", ss // 2),
        ("JKT + PD", "jkt-pd", ss), ("JKT only (before PD)", "jkt", ss // 2),
        ("AKT", "akt", ss), ("from scratch", "scratch", ss)]


def summary(d):
    with open(os.path.join(w, d, "summary.json")) as f:
        return json.load(f)


def rows(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def stage_losses(d):
    """Per stage: (first step, its fmt/at/loss), (last step, ...), and the means over the first and last 3 logged rows."""
    path = os.path.join(w, d, "metrics.jsonl")
    if not os.path.exists(path):
        return []
    by_stage = {}
    for r in rows(path):
        if "fmt" in r and "at" in r:
            by_stage.setdefault(r["stage"], {})[r["step"]] = r  # one row per step; a later row wins
    out = []
    for stage, steps in by_stage.items():
        ordered = [steps[k] for k in sorted(steps)]
        n = min(3, len(ordered))
        mean = lambda rs, key: sum(r[key] for r in rs) / len(rs)
        out.append((stage, ordered[0], ordered[-1], n,
                    {k: mean(ordered[:n], k) for k in ("fmt", "at", "loss")},
                    {k: mean(ordered[-n:], k) for k in ("fmt", "at", "loss")}))
    return out


tsv = ["student\tstudent_steps\theldout_mlm_accuracy\theldout_mlm_loss\theldout_nsp_accuracy\tmlm_majority_baseline\tnsp_majority_baseline"]
md = ["| model | student steps | held-out MLM accuracy | held-out MLM loss | held-out NSP accuracy | GLUE dev |",
      "|---|---|---|---|---|---|"]
base = None
for name, d, steps in ROWS:
    if not os.path.exists(os.path.join(w, d, "summary.json")):
        md.append("| %s | %d | (not run) | | | |" % (name, steps))
        continue
    s = summary(d)
    s = s.get("heldout", s)
    base = (s["heldout_mlm_majority_baseline"], s["heldout_nsp_majority_baseline"])
    tsv.append("%s\t%d\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f" % (name, steps, s["heldout_mlm_accuracy"], s["heldout_mlm_loss"],
                                                       s["heldout_nsp_accuracy"], base[0], base[1]))
    md.append("| %s | %s | %.4f | %.3f | %.4f | not measured |" % (name, steps if d != "teacher" else "(teacher)",
                                                                   s["heldout_mlm_accuracy"], s["heldout_mlm_loss"], s["heldout_nsp_accuracy"]))
if base:
    md.append("| majority baselines (held-out set) | | %.4f | | %.4f | |" % base)

md += ["", "Per-stage transfer losses (`RUN/metrics.jsonl`, logged every 5 steps; first and last logged step, and the "
       "means of the first and last 3 logged steps):", "",
       "| run | stage | steps | FMT first → last | AT first → last | stage loss first → last | FMT mean first 3 / last 3 | AT mean first 3 / last 3 |",
       "|---|---|---|---|---|---|---|---|"]
for d in ("pkt", "jkt", "akt"):
    for stage, a, b, n, m0, m1 in stage_losses(d):
        md.append("| %s | %s | %d–%d | %.4g → %.4g | %.4g → %.4g | %.4g → %.4g | %.4g / %.4g | %.4g / %.4g |" % (
            d, stage, a["step"], b["step"], a["fmt"], b["fmt"], a["at"], b["at"], a["loss"], b["loss"],
            m0["fmt"], m1["fmt"], m0["at"], m1["at"]))

def chunk_rows(path):
    return [r for r in rows(path) if r.get("stage") == "chunk"] if os.path.exists(path) else []


# time per step from the runs themselves: chunk rows (driver wall time split) and, for PKT/JKT/AKT, the workers'
# per-step teacher_forward_ms / student_step_ms (means over the logged train rows)
md += ["", "Time per step in these runs (ms; `chunk` rows: wall, workers' compute, averaging, data = batch fetch incl. "
       "PD's teacher forward on the workers; PKT/JKT/AKT `train` rows: the workers' teacher forward and student "
       "forward + backward + update, means over the logged steps):", "",
       "| run | stage | steps | wall/step | compute/step | averaging/step | data/step | teacher fwd (worker) | student fwd+bwd (worker) |",
       "|---|---|---|---|---|---|---|---|---|"]
timed = []
for d in ("pkt", "jkt", "akt"):
    stages_dir = os.path.join(w, d, "stages")
    if os.path.isdir(stages_dir):
        for stage in sorted(os.listdir(stages_dir)):
            timed.append((d, stage, os.path.join(stages_dir, stage, "metrics.jsonl")))
for d in ("pkt-pd", "jkt-pd", "scratch", "teacher"):
    timed.append((d, "pd" if d.endswith("-pd") else "pretrain", os.path.join(w, d, "metrics.jsonl")))
for d, stage, path in timed:
    chunks = chunk_rows(path)
    if not chunks:
        continue
    steps = sum(c["steps"] for c in chunks)
    per = lambda k: sum(c.get(k, 0) for c in chunks) / steps
    tr = [r for r in rows(path) if "teacher_forward_ms" in r]
    tf = "%.0f" % (sum(r["teacher_forward_ms"] for r in tr) / len(tr)) if tr else ("in data" if stage == "pd" else "—")
    sf = "%.0f" % (sum(r["student_step_ms"] for r in tr) / len(tr)) if tr else "in compute"
    md.append("| %s | %s | %d | %.0f | %.0f | %.0f | %.0f | %s | %s |" % (
        d, stage, steps, per("wall_ms"), per("compute_ms"), per("averaging_ms"), per("data_ms"), tf, sf))

runs = os.path.join(w, "runs.tsv")
if os.path.exists(runs):
    md += ["", "| run | started (UTC) | wall s | load before | load after |", "|---|---|---|---|---|"]
    with open(runs) as f:
        for line in list(f)[1:]:
            md.append("| " + " | ".join(line.rstrip("\n").split("\t")) + " |")
md += ["", "Settings: optimizer %s, teacher lr %s, student lr %s (10 %% warmup per run, linear decay), 2 workers x 8 "
       "sequences, averaging every 5 steps, seq 32, 5 predictions." % (opt, tlr, slr)]

with open(os.path.join(w, "results.tsv"), "w") as f:
    f.write("\n".join(tsv) + "\n")
with open(os.path.join(w, "results.md"), "w") as f:
    f.write("\n".join(md) + "\n")
print("\n".join(md))
