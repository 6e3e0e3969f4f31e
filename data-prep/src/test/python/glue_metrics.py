"""Second implementation of the GLUE metrics for the Java tests: reads a labelled GLUE file with Python's csv
module the way BERT's _read_tsv does, a prediction file (index<TAB>prediction with a header), and scores them with
scikit-learn and SciPy. Prints {metric: value} as JSON. Exit code 3 when scikit-learn or SciPy is missing.

usage: glue_metrics.py TASK GOLD.tsv PREDICTIONS.tsv [MORE_PREDICTIONS.tsv ...]
prints {prediction file: {metric: value}} (one interpreter start for many files: importing sklearn is slow)
"""
import csv
import json
import sys

try:
    from scipy.stats import pearsonr, spearmanr
    from sklearn.metrics import accuracy_score, f1_score, matthews_corrcoef
except ImportError as e:  # the Java test skips with this reason
    print('missing: %s (apt-get install -y python3-sklearn python3-scipy)' % e, file=sys.stderr)
    sys.exit(3)

LABELS = {
    'cola': ['0', '1'], 'sst-2': ['0', '1'], 'mrpc': ['0', '1'], 'qqp': ['0', '1'], 'wnli': ['0', '1'],
    'mnli': ['contradiction', 'entailment', 'neutral'], 'mnli-m': ['contradiction', 'entailment', 'neutral'],
    'mnli-mm': ['contradiction', 'entailment', 'neutral'],
    'ax': ['contradiction', 'entailment', 'neutral'],
    'qnli': ['entailment', 'not_entailment'], 'rte': ['entailment', 'not_entailment'], 'sts-b': None,
}


def read_tsv(path):
    with open(path, encoding='utf-8-sig') as f:
        return list(csv.reader(f, delimiter='\t', quotechar=None))


def gold(task, path):
    """(index, label) pairs; index is the id column where the file has one, else the row position."""
    lines = read_tsv(path)
    if task == 'cola':
        return [(str(i), line[1]) for i, line in enumerate(lines)]
    rows = lines[1:]
    if task in ('sst-2', 'mrpc', 'ax'):
        col = {'sst-2': 1, 'mrpc': 0, 'ax': 7}[task]
        return [(str(i), line[col]) for i, line in enumerate(rows)]
    if task == 'qqp':
        return [(line[0], line[5]) for line in rows if len(line) >= 6]
    return [(line[0], line[-1]) for line in rows]


def score(task, pairs, pred_path):
    preds = {row[0]: row[1] for row in read_tsv(pred_path)[1:]}
    labels = LABELS[task]
    if labels is None:
        y = [float(label) for _, label in pairs]
        p = [float(preds[i]) for i, _ in pairs]
        out = {'pearson': float(pearsonr(y, p)[0]), 'spearman': float(spearmanr(y, p)[0])}
    else:
        y = [labels.index(label) for _, label in pairs]
        p = [labels.index(preds[i]) for i, _ in pairs]
        out = {'accuracy': float(accuracy_score(y, p))}
        if task in ('cola', 'ax'):
            out = {'matthews_corr': float(matthews_corrcoef(y, p))}
        if task in ('mrpc', 'qqp'):
            out = {'f1': float(f1_score(y, p)), 'accuracy': float(accuracy_score(y, p))}
    out['total'] = len(pairs)
    return out


def main(task, gold_path, *pred_paths):
    task = task.lower()
    pairs = gold(task, gold_path)
    print(json.dumps({p: score(task, pairs, p) for p in pred_paths}))


if __name__ == '__main__':
    main(*sys.argv[1:])
