package dev.mobilebert.jobs.finetune;

import dev.mobilebert.model.finetune.FinetuneHead;
import dev.mobilebert.tasks.GlueTask;

import java.util.Locale;

/**
 * A {@code finetune --task} value: one of the GLUE tasks (BERT's names: cola, sst2, mrpc, stsb, qqp, mnli, qnli,
 * rte, wnli) or SQuAD v1.1 / v2.0, with the file names of its data directory and its model-selection metric.
 */
public record FinetuneTask(String name, GlueTask glue, int squadVersion) {

    public static FinetuneTask parse(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "").replace(".", "");
        return switch (n) {
            case "squad1", "squad11", "squadv11", "squad" -> new FinetuneTask("squad1", null, 1);
            case "squad2", "squad20", "squadv20" -> new FinetuneTask("squad2", null, 2);
            default -> {
                GlueTask g;
                try {
                    g = GlueTask.parse(name);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("unknown --task " + name
                            + " (cola, sst2, mrpc, stsb, qqp, mnli, qnli, rte, wnli, squad1, squad2)");
                }
                if (g == GlueTask.AX || g == GlueTask.MNLI_MM) {
                    throw new IllegalArgumentException("--task " + name + ": AX and MNLI mismatched are predicted by an mnli model (--task mnli)");
                }
                yield new FinetuneTask(n, g, 0);
            }
        };
    }

    public boolean isSquad() { return glue == null; }

    public FinetuneHead head() {
        if (isSquad()) return FinetuneHead.span();
        return glue.isRegression() ? FinetuneHead.regression() : FinetuneHead.classification(glue.labels().size());
    }

    public String trainFile() {
        return isSquad() ? (squadVersion == 1 ? "train-v1.1.json" : "train-v2.0.json") : "train.tsv";
    }

    public String devFile() {
        if (isSquad()) return squadVersion == 1 ? "dev-v1.1.json" : "dev-v2.0.json";
        return glue == GlueTask.MNLI ? "dev_matched.tsv" : "dev.tsv";
    }

    /** GLUE test file (none for SQuAD: its test sets are hidden; --test-file can still name one). */
    public String testFile() {
        if (isSquad()) return null;
        return glue == GlueTask.MNLI ? "test_matched.tsv" : "test.tsv";
    }

    /**
     * The dev metric that picks the best epoch and learning rate: GLUE's task score (glue_score, the mean of the
     * task's official metrics), SQuAD v1.1 F1, SQuAD v2.0 best F1 over the no-answer threshold.
     */
    public String selectionMetric() {
        if (!isSquad()) return "glue_score";
        return squadVersion == 1 ? "f1" : "best_f1";
    }
}
