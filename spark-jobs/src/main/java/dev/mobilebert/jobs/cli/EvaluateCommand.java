package dev.mobilebert.jobs.cli;

import com.fasterxml.jackson.databind.ObjectWriter;
import dev.mobilebert.io.AtomicOutput;
import dev.mobilebert.io.Fs;
import dev.mobilebert.io.Json;
import dev.mobilebert.tasks.eval.Evaluation;
import dev.mobilebert.tasks.eval.Report;
import dev.mobilebert.tasks.eval.SquadV2Evaluator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code evaluate}: the official GLUE / SQuAD metrics of a prediction file (no Spark, no model). */
@Command(name = "evaluate",
        description = {"Score a prediction file with the official metrics: SQuAD v1.1/v2.0 exactly as evaluate-v1.1.py / "
                + "evaluate-v2.0.py, GLUE as the benchmark defines them. Prints the metrics as JSON.",
                "Examples:",
                "  bin/mobilebert evaluate --task squad1 --data dev-v1.1.json --predictions predictions.json",
                "  bin/mobilebert evaluate --task squad2 --data dev-v2.0.json --predictions predictions.json --na-probs null_odds.json",
                "  bin/mobilebert evaluate --task MRPC --data glue/MRPC/dev.tsv --predictions MRPC.tsv --out mrpc-dev.json"})
public final class EvaluateCommand implements Callable<Integer> {
    private static final int MAX_MESSAGES = 20;
    private static final ObjectWriter PRETTY = Json.COMPACT.writerWithDefaultPrettyPrinter();

    @Option(names = "--task", required = true,
            description = "squad1, squad2, or a GLUE task: CoLA, SST-2, MRPC, STS-B, QQP, MNLI (matched), MNLI-mm, QNLI, RTE, WNLI, AX.")
    String task;

    @Option(names = "--data", required = true, paramLabel = "FILE",
            description = "The labelled file: SQuAD dev JSON, a GLUE dev TSV, or AX's diagnostic-full.tsv.")
    String data;

    @Option(names = "--predictions", required = true, paramLabel = "FILE",
            description = "SQuAD: {id: answer} JSON. GLUE: TSV with the header index<TAB>prediction.")
    String predictions;

    @Option(names = "--na-probs", paramLabel = "FILE",
            description = "SQuAD v2.0 only: {id: no-answer probability} JSON; adds best_exact/best_f1 and their thresholds.")
    String naProbs;

    @Option(names = "--na-prob-thresh", paramLabel = "P",
            description = "SQuAD v2.0: a question whose no-answer probability exceeds this counts as answered with \"\".")
    double naProbThresh = SquadV2Evaluator.DEFAULT_NA_PROB_THRESH;

    @Option(names = "--out", paramLabel = "FILE", description = "Also write the metrics JSON here (any Hadoop path).")
    String out;

    @Override
    public Integer call() throws Exception {
        Report report = Evaluation.evaluate(task, data, predictions, naProbs, naProbThresh);
        int shown = 0;
        for (String m : report.messages()) {
            if (shown++ == MAX_MESSAGES) {
                System.err.println("... " + (report.messages().size() - MAX_MESSAGES) + " more message(s)");
                break;
            }
            System.err.println(m);
        }
        if (!report.missing().isEmpty()) {
            System.err.println(report.missing().size() + " question(s) without a prediction scored 0");
        }
        String json = PRETTY.writeValueAsString(report.metrics());
        System.out.println(json);
        if (out != null) {
            AtomicOutput.writeString(Fs.path(out), json + "\n");
            System.err.println("wrote " + Fs.path(out));
        }
        return 0;
    }
}
