package dev.mobilebert.tasks.eval;

import dev.mobilebert.tasks.BadInputException;
import dev.mobilebert.tasks.GlueDataset;
import dev.mobilebert.tasks.GlueExample;
import dev.mobilebert.tasks.GlueTask;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Scores GLUE predictions against a labelled file with the metrics the benchmark reports for the task: CoLA and
 * AX Matthews correlation, STS-B Pearson and Spearman, MRPC and QQP F1 and accuracy, accuracy for the rest
 * (fractions in [0, 1], as scikit-learn gives them). {@code glue_score} is the leaderboard's number for the task:
 * the mean of its metrics ×100. The GLUE server accepts only complete files, so a missing or unknown index is an
 * error, not a skip.
 */
public final class GlueEvaluator {
    private GlueEvaluator() {}

    public static Report evaluate(GlueDataset gold, Map<String, String> predictions, String predictionFile) {
        if (!gold.labelled()) throw new BadInputException(gold.file() + ": a test file has no labels to evaluate against");
        GlueTask task = gold.task();
        List<String> missing = new ArrayList<>();
        Set<String> known = new HashSet<>();
        for (GlueExample e : gold.examples()) {
            known.add(e.index());
            if (!predictions.containsKey(e.index())) missing.add(e.index());
        }
        List<String> unknown = predictions.keySet().stream().filter(k -> !known.contains(k)).toList();
        if (!missing.isEmpty() || !unknown.isEmpty()) {
            throw new BadInputException(predictionFile + ": the indices do not match " + gold.file() + ": "
                    + missing.size() + " example(s) without a prediction" + (missing.isEmpty() ? "" : " (e.g. index " + SquadV2Evaluator.head(missing) + ")")
                    + ", " + unknown.size() + " prediction(s) for unknown indices" + (unknown.isEmpty() ? "" : " (e.g. " + SquadV2Evaluator.head(unknown) + ")"));
        }
        Map<String, Object> metrics = task.isRegression() ? regression(gold, predictions) : classification(gold, predictions);
        List<String> skipped = gold.skippedLines().isEmpty() ? List.of()
                : List.of(gold.skippedLines().size() + " malformed row(s) of " + gold.file() + " were skipped, as the official processor does");
        return new Report(metrics, List.of(), 0, skipped);
    }

    private static Map<String, Object> classification(GlueDataset gold, Map<String, String> predictions) {
        GlueTask task = gold.task();
        int n = gold.size();
        int[] y = new int[n];
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            GlueExample e = gold.examples().get(i);
            y[i] = task.labelId(e.label());
            p[i] = task.labelId(predictions.get(e.index()));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        double sum = 0;
        for (GlueTask.Metric metric : task.metrics()) {
            double v = switch (metric) {
                case ACCURACY -> GlueMetrics.accuracy(y, p);
                case F1 -> GlueMetrics.f1(y, p);
                case MATTHEWS -> GlueMetrics.matthews(y, p, task.labels().size());
                default -> throw new IllegalStateException(metric + " is not a classification metric");
            };
            m.put(key(metric), v);
            sum += v;
        }
        return finish(m, sum, task, n);
    }

    private static Map<String, Object> regression(GlueDataset gold, Map<String, String> predictions) {
        int n = gold.size();
        double[] y = new double[n];
        double[] p = new double[n];
        for (int i = 0; i < n; i++) {
            GlueExample e = gold.examples().get(i);
            y[i] = e.score();
            p[i] = Double.parseDouble(predictions.get(e.index()));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        double pearson = GlueMetrics.pearson(y, p);
        double spearman = GlueMetrics.spearman(y, p);
        m.put("pearson", pearson);
        m.put("spearman", spearman);
        return finish(m, pearson + spearman, gold.task(), n);
    }

    private static Map<String, Object> finish(Map<String, Object> m, double sum, GlueTask task, int n) {
        m.put("glue_score", 100.0 * sum / task.metrics().size());
        m.put("total", n);
        return m;
    }

    static String key(GlueTask.Metric metric) {
        return switch (metric) {
            case ACCURACY -> "accuracy";
            case F1 -> "f1";
            case MATTHEWS -> "matthews_corr";
            case PEARSON -> "pearson";
            case SPEARMAN -> "spearman";
        };
    }
}
