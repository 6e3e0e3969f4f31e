package dev.mobilebert.tasks.eval;

import dev.mobilebert.io.Fs;
import dev.mobilebert.tasks.GlueDataset;
import dev.mobilebert.tasks.GlueReader;
import dev.mobilebert.tasks.GlueTask;
import dev.mobilebert.tasks.Split;
import dev.mobilebert.tasks.SquadDataset;
import dev.mobilebert.tasks.SquadReader;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One entry point for {@code evaluate}: a task name (a GLUE task, {@code squad1} or {@code squad2}), the labelled
 * file, the predictions and, for SQuAD v2.0, the optional no-answer probabilities.
 */
public final class Evaluation {
    private Evaluation() {}

    public static boolean isSquad1(String task) {
        return switch (task.toLowerCase(Locale.ROOT)) {
            case "squad1", "squad1.1", "squad-v1.1", "squad-1.1", "squad" -> true;
            default -> false;
        };
    }

    public static boolean isSquad2(String task) {
        return switch (task.toLowerCase(Locale.ROOT)) {
            case "squad2", "squad2.0", "squad-v2.0", "squad-2.0" -> true;
            default -> false;
        };
    }

    /** Answers not at their answer_start do not matter to the scores (only texts are compared), but are worth a note. */
    private static Report withPositionNote(Report report, SquadDataset dataset) {
        if (dataset.misalignedAnswers().isEmpty()) return report;
        List<String> messages = new ArrayList<>(report.messages());
        messages.add(0, dataset.misalignedAnswers().size() + " question(s) of " + dataset.file()
                + " have an answer whose text is not at its answer_start (the scores use only the texts), e.g. "
                + SquadV2Evaluator.head(dataset.misalignedAnswers()));
        return new Report(report.metrics(), report.missing(), report.unknown(), messages);
    }

    public static Report evaluate(String task, String data, String predictions, String naProbs, double naProbThresh)
            throws IOException {
        Path dataPath = Fs.path(data);
        Path predPath = Fs.path(predictions);
        if (isSquad1(task) || isSquad2(task)) {
            SquadDataset dataset = SquadReader.read(dataPath);
            Map<String, String> preds = SquadPredictions.readAnswers(predPath);
            Report report;
            if (isSquad1(task)) {
                if (naProbs != null) throw new IllegalArgumentException("--na-probs applies to squad2 only");
                report = SquadV1Evaluator.evaluate(dataset, preds);
            } else {
                Map<String, Double> probs = naProbs == null ? null : SquadPredictions.readNaProbs(Fs.path(naProbs));
                report = SquadV2Evaluator.evaluate(dataset, preds, probs, naProbThresh);
            }
            return withPositionNote(report, dataset);
        }
        if (naProbs != null) throw new IllegalArgumentException("--na-probs applies to squad2 only");
        GlueTask glue = GlueTask.parse(task);
        String name = dataPath.getName().toLowerCase(Locale.ROOT);
        if (name.startsWith("test") || name.equals("diagnostic.tsv")) {
            throw new IllegalArgumentException(data + " is a test file without labels; evaluate on a labelled file"
                    + (glue == GlueTask.AX ? " (diagnostic-full.tsv)" : " (dev*.tsv)"));
        }
        // the labelled layout: dev/train files, and AX's diagnostic-full.tsv
        GlueDataset gold = GlueReader.read(glue, Split.DEV, dataPath);
        return GlueEvaluator.evaluate(gold, GluePredictions.read(glue, predPath), predPath.toString());
    }
}
