package dev.mobilebert.tasks;

/**
 * One GLUE example as BERT's {@code InputExample}: {@code guid}, {@code text_a}, {@code text_b} (null for
 * single-sentence tasks), {@code label} as spelled in the file (null in test files; STS-B: the score text).
 * {@code index} is what a prediction file refers to the example by: the file's id column where it has one
 * (test files, STS-B, QQP, MNLI, QNLI, RTE, WNLI), otherwise the 0-based position among the data rows.
 */
public record GlueExample(String guid, String textA, String textB, String label, String index) {

    public boolean isPair() {
        return textB != null;
    }

    /** The STS-B similarity score. */
    public double score() {
        return Double.parseDouble(label);
    }
}
