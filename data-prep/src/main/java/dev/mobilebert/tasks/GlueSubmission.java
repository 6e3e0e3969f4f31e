package dev.mobilebert.tasks;

import dev.mobilebert.io.AtomicOutput;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes predictions in the GLUE server's submission format: {@code <dir>/<Task>.tsv} (CoLA.tsv, SST-2.tsv,
 * MRPC.tsv, STS-B.tsv, QQP.tsv, MNLI-m.tsv, MNLI-mm.tsv, QNLI.tsv, RTE.tsv, WNLI.tsv, AX.tsv) with the header
 * {@code index\tprediction} and labels spelled as the server expects. Each file is written atomically.
 */
public final class GlueSubmission {
    /** One row: the example's index and its predicted label (STS-B: the score as text). */
    public record Prediction(String index, String label) {
        public static Prediction ofLabelId(GlueTask task, String index, int labelId) {
            return new Prediction(index, task.labels().get(labelId));
        }

        /** STS-B: the shortest decimal that reads back as {@code score}, never in exponent notation. */
        public static Prediction ofScore(String index, double score) {
            return new Prediction(index, BigDecimal.valueOf(score).stripTrailingZeros().toPlainString());
        }
    }

    private GlueSubmission() {}

    /** Predicted label ids for every example of {@code data} (in order), written under the examples' indices. */
    public static Path writeLabelIds(Path dir, GlueDataset data, int[] labelIds) throws IOException {
        checkSize(data, labelIds.length);
        List<Prediction> rows = new java.util.ArrayList<>(labelIds.length);
        for (int i = 0; i < labelIds.length; i++) {
            rows.add(Prediction.ofLabelId(data.task(), data.examples().get(i).index(), labelIds[i]));
        }
        return write(dir, data.task(), rows);
    }

    /** STS-B: predicted scores for every example of {@code data} (in order). */
    public static Path writeScores(Path dir, GlueDataset data, double[] scores) throws IOException {
        checkSize(data, scores.length);
        List<Prediction> rows = new java.util.ArrayList<>(scores.length);
        for (int i = 0; i < scores.length; i++) rows.add(Prediction.ofScore(data.examples().get(i).index(), scores[i]));
        return write(dir, data.task(), rows);
    }

    private static void checkSize(GlueDataset data, int predictions) {
        if (predictions != data.size()) {
            throw new IllegalArgumentException(predictions + " predictions for the " + data.size() + " examples of " + data.file());
        }
    }

    public static Path file(Path dir, GlueTask task) {
        return new Path(dir, task.submissionFileName());
    }

    /** Checks every label against the task and writes {@code dir/<Task>.tsv}; returns the file. */
    public static Path write(Path dir, GlueTask task, List<Prediction> predictions) throws IOException {
        Path target = file(dir, task);
        for (Prediction p : predictions) GlueReader.checkLabel(task, p.label(), target.toString(), 0);
        AtomicOutput.writeFile(target, out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            w.write("index\tprediction\n");
            for (Prediction p : predictions) w.write(p.index() + "\t" + p.label() + "\n");
            w.flush();
        });
        return target;
    }
}
