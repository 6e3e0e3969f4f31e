package dev.mobilebert.jobs.cli;

import dev.mobilebert.io.Json;
import dev.mobilebert.jobs.peers.PeerComparison;
import dev.mobilebert.jobs.spark.SparkOptions;
import dev.mobilebert.jobs.spark.Sparks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "compare-peers",
        description = {"Comparison table of models trained on the same data (MobileBERT, DistilBERT, TinyBERT, from scratch): "
                + "parameters, encoder latency (as bench latency), held-out MLM/NSP accuracy. Writes OUT/comparison.json and "
                + "OUT/comparison.md. See docs/peers.md."})
public final class ComparePeersCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "NAME=DIR",
            description = "A model to compare: a checkpoint directory (config.json + model.zip) or a pretrain run directory (repeatable, in table order).")
    Map<String, String> models = new LinkedHashMap<>();

    @Option(names = "--held-out", paramLabel = "SHARDS", description = "prepare-pretraining output for MLM/NSP accuracy (none: no accuracy columns).")
    String heldOut;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where comparison.json and comparison.md are written.")
    String out;

    @Option(names = "--seq-len", defaultValue = "128", description = "Latency: sequence length (batch 1).")
    int seqLen;

    @Option(names = "--threads", defaultValue = "1", description = "Latency: ND4J/BLAS threads (0: as configured).")
    int threads;

    @Option(names = "--runs", defaultValue = "10", description = "Latency: timed repetitions after 3 warm-up runs (median reported).")
    int runs;

    @Option(names = "--eval-batch-size", defaultValue = "32", description = "Examples per held-out evaluation batch.")
    int evalBatchSize;

    @Option(names = "--glue", paramLabel = "NAME:TASK=RUN",
            description = "GLUE dev column: the finetune or distill-task run directory of model NAME on TASK, e.g. --glue tinybert:rte=/runs/tb-rte (repeatable).")
    Map<String, String> glue = new LinkedHashMap<>();

    @Mixin SparkOptions spark;

    /** --glue NAME:TASK=RUN options → NAME → TASK → RUN; the names must be --model names. */
    public static Map<String, Map<String, String>> glueRuns(Map<String, String> glue, java.util.Set<String> models) {
        Map<String, Map<String, String>> m = new LinkedHashMap<>();
        for (var e : glue.entrySet()) {
            int colon = e.getKey().lastIndexOf(':');
            if (colon <= 0 || colon == e.getKey().length() - 1) {
                throw new IllegalArgumentException("--glue " + e.getKey() + "=" + e.getValue() + ": expected NAME:TASK=RUN");
            }
            String name = e.getKey().substring(0, colon), task = e.getKey().substring(colon + 1);
            if (!models.contains(name)) throw new IllegalArgumentException("--glue " + e.getKey() + ": no --model named " + name);
            m.computeIfAbsent(name, k -> new LinkedHashMap<>()).put(task, e.getValue());
        }
        return m;
    }

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(Path.of(out).toAbsolutePath());
        var rows = PeerComparison.run(Sparks.session("compare-peers", spark),
                new PeerComparison.Options(models, heldOut, out, seqLen, threads, runs, evalBatchSize, glueRuns(glue, models.keySet())));
        System.out.println(Json.MAPPER.writeValueAsString(rows));
        return 0;
    }
}
