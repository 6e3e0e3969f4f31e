package dev.mobilebert.tasks;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The GLUE tasks and the AX diagnostic set: their label lists spelled as the GLUE server spells them, the file
 * names of the server's submission format, and the metrics the benchmark reports for them. MNLI's matched and
 * mismatched halves are two entries because they have separate files and separate submissions.
 */
public enum GlueTask {
    COLA("CoLA", List.of("0", "1"), Metric.MATTHEWS),
    SST2("SST-2", List.of("0", "1"), Metric.ACCURACY),
    MRPC("MRPC", List.of("0", "1"), Metric.F1, Metric.ACCURACY),
    STSB("STS-B", null, Metric.PEARSON, Metric.SPEARMAN),
    QQP("QQP", List.of("0", "1"), Metric.F1, Metric.ACCURACY),
    MNLI("MNLI-m", List.of("contradiction", "entailment", "neutral"), Metric.ACCURACY),
    MNLI_MM("MNLI-mm", List.of("contradiction", "entailment", "neutral"), Metric.ACCURACY),
    QNLI("QNLI", List.of("entailment", "not_entailment"), Metric.ACCURACY),
    RTE("RTE", List.of("entailment", "not_entailment"), Metric.ACCURACY),
    WNLI("WNLI", List.of("0", "1"), Metric.ACCURACY),
    // AX is predicted by an MNLI model and scored by the server with the (multi-class) Matthews correlation.
    AX("AX", List.of("contradiction", "entailment", "neutral"), Metric.MATTHEWS);

    public enum Metric { ACCURACY, F1, MATTHEWS, PEARSON, SPEARMAN }

    private final String serverName;
    private final List<String> labels;
    private final List<Metric> metrics;

    GlueTask(String serverName, List<String> labels, Metric... metrics) {
        this.serverName = serverName;
        this.labels = labels;
        this.metrics = List.of(metrics);
    }

    /** The name in the GLUE server's submission format: the prediction file is {@code <serverName>.tsv}. */
    public String serverName() {
        return serverName;
    }

    public String submissionFileName() {
        return serverName + ".tsv";
    }

    /** The label list in BERT's order (label id = position); {@code null} for the regression task STS-B. */
    public List<String> labels() {
        return labels;
    }

    public boolean isRegression() {
        return labels == null;
    }

    public List<Metric> metrics() {
        return metrics;
    }

    /** The label id of {@code label}, or -1 when it is not one of this task's labels. */
    public int labelId(String label) {
        return labels == null ? -1 : labels.indexOf(label);
    }

    /**
     * Accepts the names people use: {@code cola}, {@code sst-2}/{@code sst2}, {@code sts-b}/{@code stsb},
     * {@code mnli}/{@code mnli-m}, {@code mnli-mm}, {@code ax}/{@code diagnostic}, case-insensitively.
     */
    public static GlueTask parse(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace("_", "-");
        switch (n) {
            case "mnli", "mnli-m", "mnli-matched": return MNLI;
            case "mnli-mm", "mnli-mismatched": return MNLI_MM;
            case "ax", "diagnostic": return AX;
            default:
        }
        String compact = n.replace("-", "");
        for (GlueTask t : values()) {
            if (t.serverName.toLowerCase(Locale.ROOT).replace("-", "").equals(compact)) return t;
        }
        throw new IllegalArgumentException("unknown GLUE task '" + name + "'; expected one of "
                + Arrays.stream(values()).map(GlueTask::serverName).toList());
    }
}
