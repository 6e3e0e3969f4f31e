package dev.mobilebert.jobs.peers;

import dev.mobilebert.io.AtomicOutput;
import dev.mobilebert.io.Fs;
import dev.mobilebert.io.Json;
import dev.mobilebert.jobs.pretrain.PretrainJob;
import dev.mobilebert.jobs.pretrain.PretrainingData;
import dev.mobilebert.jobs.pretrain.PretrainingEvaluator;
import dev.mobilebert.jobs.spark.Sparks;
import dev.mobilebert.model.Bench;
import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.model.io.Checkpoint;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.learning.config.NoOp;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The comparison table of issue 10 for models trained on the same data: parameters (all, and embeddings + encoder as
 * the papers count), encoder latency (the {@code bench latency} measurement, {@link Bench#latency}) and held-out
 * MLM/NSP accuracy (the pretraining evaluator, on the executors). Writes {@code OUT/comparison.json} and
 * {@code OUT/comparison.md} with the load average next to the latencies; and GLUE dev scores, read from the
 * {@code finetune} / {@code distill-task} run of each (model, task) given (the best dev metrics of its summary.json).
 */
public final class PeerComparison {
    private PeerComparison() {}

    /**
     * @param models    name → a model checkpoint directory (config.json + model.zip: distill-peer's student/, import-hf)
     *                  or a pretrain run directory (config/model.json + newest checkpoint)
     * @param heldOut   prepare-pretraining output to measure MLM/NSP accuracy on (null: no accuracy columns)
     * @param out       where comparison.json and comparison.md go
     * @param seqLen    latency: sequence length (batch 1)
     * @param threads   latency: ND4J/BLAS threads (0: leave as configured)
     * @param runs      latency: timed repetitions (after 3 warm-up runs)
     * @param glue      model name → GLUE task → the finetune or distill-task run directory of that model on that task
     */
    public record Options(Map<String, String> models, String heldOut, String out, int seqLen, int threads, int runs, int evalBatchSize,
                          Map<String, Map<String, String>> glue) {
        public Options(Map<String, String> models, String heldOut, String out, int seqLen, int threads, int runs, int evalBatchSize) {
            this(models, heldOut, out, seqLen, threads, runs, evalBatchSize, Map.of());
        }
    }

    public record Row(String name, String checkpoint, long parameters, long encoderParameters, int layers, int hiddenSize,
                      double latencyMedianMs, double latencyMinMs, Double heldoutMlmAccuracy, Double heldoutMlmLoss,
                      Double heldoutNspAccuracy, Double heldoutMlmMajorityBaseline, Map<String, GlueScore> glue) {}

    /**
     * A model's best dev result on a GLUE task: the task's score (GLUE's: the mean of its official metrics, ×100), its
     * official metrics, and the constant-prediction baseline of the dev set (majority-class accuracy; 0 correlation).
     */
    public record GlueScore(String run, double score, Map<String, Object> metrics, Double baseline) {}

    public static List<Row> run(SparkSession spark, Options o) throws IOException {
        Bench.pinThreads(o.threads());
        JavaRDD<MultiDataSet> heldOut = o.heldOut() == null ? null
                : PretrainingData.allBatches(spark, o.heldOut(), o.evalBatchSize()).persist(StorageLevel.MEMORY_AND_DISK_SER());
        List<Row> rows = new ArrayList<>();
        try {
            for (Map.Entry<String, String> e : o.models().entrySet()) rows.add(row(spark, e.getKey(), e.getValue(), heldOut, o));
        } finally {
            if (heldOut != null) heldOut.unpersist(false);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("measured_at", Instant.now().toString());
        doc.put("load_average", loadAverage());
        doc.put("latency", Map.of("batch", 1, "seq_len", o.seqLen(), "threads", o.threads(), "runs", o.runs()));
        doc.put("held_out", o.heldOut());
        doc.put("rows", rows);
        AtomicOutput.writeString(new Path(o.out(), "comparison.json"), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(doc));
        AtomicOutput.writeString(new Path(o.out(), "comparison.md"), markdown(rows, doc));
        return rows;
    }

    private static Row row(SparkSession spark, String name, String location, JavaRDD<MultiDataSet> heldOut, Options o) throws IOException {
        MobileBertModel m = load(location);
        MobileBertConfig c = m.config();
        long encoder = m.paramCountsByModule().entrySet().stream()
                .filter(e -> e.getKey().equals("mobilebert.embeddings") || e.getKey().equals("mobilebert.encoder"))
                .mapToLong(Map.Entry::getValue).sum();
        Bench.Result lat = Bench.latency(c, 1, o.seqLen(), 3, o.runs());
        Map<String, Object> acc = Map.of();
        if (heldOut != null) {
            PretrainingData.checkFits(spark, o.heldOut(), c);
            acc = new PretrainingEvaluator(heldOut).evaluate(Sparks.context(spark), m.graph());
        }
        Map<String, GlueScore> glue = new LinkedHashMap<>();
        for (var e : o.glue().getOrDefault(name, Map.of()).entrySet()) glue.put(e.getKey(), glueScore(e.getValue()));
        return new Row(name, location, m.numParams(), encoder, c.numHiddenLayers, c.hiddenSize, lat.medianMs(), lat.minMs(),
                num(acc, "heldout_mlm_accuracy"), num(acc, "heldout_mlm_loss"), num(acc, "heldout_nsp_accuracy"),
                num(acc, "heldout_mlm_majority_baseline"), glue);
    }

    /** The best dev metrics in a finetune / distill-task run's summary.json. */
    static GlueScore glueScore(String run) throws IOException {
        Path summary = new Path(Fs.path(run), "summary.json");
        if (!Fs.exists(summary)) throw new IllegalArgumentException("--glue " + run + ": no summary.json (not a finished finetune or distill-task run)");
        Map<String, Object> best = Json.MAPPER.convertValue(Json.MAPPER.readTree(Fs.readString(summary)).get("best"),
                new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {});
        if (best == null || !(best.get("glue_score") instanceof Number score)) {
            throw new IllegalArgumentException("--glue " + run + ": its summary.json has no best GLUE dev score");
        }
        Double baseline = best.get("majority_baseline_accuracy") instanceof Number n ? n.doubleValue()
                : best.containsKey("constant_baseline_pearson") ? 0.0 : null;
        return new GlueScore(run, score.doubleValue(), best, baseline);
    }

    private static Double num(Map<String, Object> m, String k) {
        return m.get(k) instanceof Number n ? n.doubleValue() : null;
    }

    /** A model checkpoint (config.json + model.zip) or a pretrain/distill run directory (config/model.json + newest checkpoint). */
    static MobileBertModel load(String location) throws IOException {
        if (Fs.exists(new Path(location, Checkpoint.CONFIG))) return Checkpoint.load(location, false).model();
        Path config = new Path(new Path(location, "config"), "model.json");
        if (!Fs.exists(config)) {
            throw new IllegalArgumentException(location + ": neither a model checkpoint (" + Checkpoint.CONFIG + ") nor a run directory (config/model.json)");
        }
        MobileBertConfig c = MobileBertConfig.fromJson(Fs.readString(config), config.toString());
        MobileBertModel m = MobileBertModel.pretraining(c, new NoOp(), 0);
        PretrainJob.copyParameters(PretrainJob.loadInit(location), m.graph(), location);
        return m;
    }

    private static String loadAverage() {
        try {
            return Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    static String markdown(List<Row> rows, Map<String, Object> doc) {
        List<String> tasks = rows.stream().flatMap(r -> r.glue().keySet().stream()).distinct().toList();
        StringBuilder sb = new StringBuilder("| model | layers | hidden | parameters | embeddings + encoder | latency median (min) ms | held-out MLM acc | MLM loss | NSP acc |");
        for (String t : tasks) sb.append(' ').append(t).append(" dev |");
        sb.append("\n|---|---|---|---|---|---|---|---|---|").append("---|".repeat(tasks.size())).append('\n');
        for (Row r : rows) {
            sb.append(String.format("| %s | %d | %d | %,d | %,d | %.1f (%.1f) | %s | %s | %s |", r.name(), r.layers(), r.hiddenSize(),
                    r.parameters(), r.encoderParameters(), r.latencyMedianMs(), r.latencyMinMs(), fmt(r.heldoutMlmAccuracy()),
                    fmt(r.heldoutMlmLoss()), fmt(r.heldoutNspAccuracy())));
            for (String t : tasks) sb.append(' ').append(r.glue().containsKey(t) ? officialMetrics(r.glue().get(t)) : "–").append(" |");
            sb.append('\n');
        }
        Double base = rows.isEmpty() ? null : rows.get(0).heldoutMlmMajorityBaseline();
        sb.append("\nMeasured ").append(doc.get("measured_at")).append(", load average ").append(doc.get("load_average"))
                .append("; latency ").append(doc.get("latency")).append("; held-out ").append(doc.get("held_out"));
        if (base != null) sb.append(String.format(" (most-frequent-token MLM baseline %.4f)", base));
        sb.append('\n');
        if (!tasks.isEmpty()) {
            sb.append("\nGLUE dev: the task's official metrics ×100 in GLUE's order (e.g. MRPC F1/accuracy, STS-B Pearson/Spearman) "
                    + "of the best epoch; constant-prediction baselines (majority-class accuracy; correlation 0):");
            for (String t : tasks) {
                rows.stream().map(r -> r.glue().get(t)).filter(g -> g != null && g.baseline() != null).findFirst()
                        .ifPresent(g -> sb.append(String.format(" %s %.1f;", t, 100 * g.baseline())));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * The metrics GLUE reports for a task, ×100, in the evaluator's (the task's official) order: the entries before
     * {@code glue_score} (e.g. "81.2/68.4" for MRPC's F1/accuracy, Pearson/Spearman for STS-B).
     */
    static String officialMetrics(GlueScore g) {
        List<String> parts = new ArrayList<>();
        for (var e : g.metrics().entrySet()) {
            if (e.getKey().equals("glue_score")) break;
            if (e.getValue() instanceof Number n) parts.add(String.format("%.1f", 100 * n.doubleValue()));
        }
        return parts.isEmpty() ? String.format("%.1f", g.score()) : String.join("/", parts);
    }

    private static String fmt(Double d) { return d == null ? "–" : String.format("%.4f", d); }
}
