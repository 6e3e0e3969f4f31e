package dev.mobilebert.jobs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.io.JobConfig;
import dev.mobilebert.io.Json;
import dev.mobilebert.jobs.pretrain.PretrainJob;
import dev.mobilebert.jobs.spark.SparkOptions;
import dev.mobilebert.jobs.spark.Sparks;
import dev.mobilebert.jobs.train.TrainingSettings;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pretraining throughput with parameter averaging: the real pretrain job (same data path, trainer, LAMB, probe) per
 * model config and Spark master, one worker per core. Each run has a warm-up chunk (JIT, first broadcast, data
 * layout) and a measured chunk; the measured chunk's {@code chunk} row gives sequences/s and the time split.
 * Averaging efficiency = throughput on N workers / (N x throughput on 1 worker), at the same batch per worker.
 */
public final class PretrainBench {
    /** What to measure. */
    public record Options(List<String> modelConfigs, String data, List<String> masters, int warmupSteps, int measuredSteps,
                          int batchSizePerWorker, int averagingFrequency, String trainingConfig, Path workDir,
                          Map<String, String> sparkConf) {}

    /** One measured run. */
    public record Run(String model, String master, int workers, long parameters, double sequencesPerS, long wallMs,
                      long computeMs, long averagingMs, long dataMs, double loss) {}

    private final Options o;

    public PretrainBench(Options o) {
        this.o = o;
    }

    public Map<String, Object> run() throws IOException {
        List<Run> runs = new ArrayList<>();
        for (String model : o.modelConfigs()) {
            for (String master : o.masters()) runs.add(runOne(model, master));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("settings", o);
        out.put("runs", runs);
        out.put("efficiency", efficiency(runs));
        out.put("load_average", loadAverage());
        out.put("cores", Runtime.getRuntime().availableProcessors());
        return out;
    }

    private Run runOne(String model, String master) throws IOException {
        int workers = cores(master);
        int steps = o.warmupSteps() + o.measuredSteps();
        Map<String, String> set = new LinkedHashMap<>();
        set.put("workers", String.valueOf(workers));
        set.put("batch_size_per_worker", String.valueOf(o.batchSizePerWorker()));
        set.put("averaging_frequency", String.valueOf(o.averagingFrequency()));
        set.put("checkpoint_every_steps", String.valueOf(o.measuredSteps()));
        set.put("keep_checkpoints", "1");
        set.put("log_every_steps", String.valueOf(o.measuredSteps()));
        set.put("progress", "false");
        set.put("optimizer.num_train_steps", String.valueOf(steps));
        set.put("optimizer.num_warmup_steps", String.valueOf(Math.max(1, steps / 10)));
        set.put("optimizer.learning_rate", "0.001");
        TrainingSettings settings = JobConfig.load(o.trainingConfig(), TrainingSettings.class, set);
        Path out = o.workDir().resolve(Path.of(model).getFileName().toString().replace(".json", "") + "-" + master.replaceAll("[^A-Za-z0-9]", "_"));
        SparkOptions spark = new SparkOptions();
        spark.master = master;
        spark.conf.putAll(o.sparkConf());
        SparkSession session = Sparks.session("bench pretrain " + master, spark);
        try {
            var result = PretrainJob.run(session, new PretrainJob.Options(model, o.data(), null, out.toString(), null, false, settings, 0, 32));
            JsonNode chunk = lastChunk(out.resolve("metrics.jsonl"));
            return new Run(Path.of(model).getFileName().toString(), master, workers, result.net().params().length(),
                    chunk.get("sequences_per_s").asDouble(), chunk.get("wall_ms").asLong(), chunk.path("compute_ms").asLong(),
                    chunk.path("averaging_ms").asLong(), chunk.path("data_ms").asLong(), chunk.get("loss").asDouble());
        } finally {
            session.stop();
        }
    }

    /** The measured chunk is the last one: the first is the warm-up. */
    private static JsonNode lastChunk(Path metrics) throws IOException {
        JsonNode last = null;
        for (String line : Files.readAllLines(metrics)) {
            JsonNode n = Json.MAPPER.readTree(line);
            if ("chunk".equals(n.path("stage").asText())) last = n;
        }
        if (last == null) throw new IllegalStateException("no chunk row in " + metrics);
        return last;
    }

    /** Per model: N-worker throughput / (N x 1-worker throughput), for every master with N > 1. */
    static Map<String, Map<String, Double>> efficiency(List<Run> runs) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        for (Run one : runs) {
            if (one.workers() != 1) continue;
            for (Run many : runs) {
                if (!many.model().equals(one.model()) || many.workers() <= 1) continue;
                out.computeIfAbsent(one.model(), k -> new LinkedHashMap<>())
                        .put(many.master(), many.sequencesPerS() / (many.workers() * one.sequencesPerS()));
            }
        }
        return out;
    }

    /** A markdown table of the runs and the efficiencies. */
    public static String markdown(Map<String, Object> results) {
        StringBuilder sb = new StringBuilder();
        sb.append("| model | master | workers | parameters | sequences/s | wall ms | compute ms | averaging ms | data ms | efficiency |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|\n");
        @SuppressWarnings("unchecked") List<Run> runs = (List<Run>) results.get("runs");
        @SuppressWarnings("unchecked") Map<String, Map<String, Double>> eff = (Map<String, Map<String, Double>>) results.get("efficiency");
        for (Run r : runs) {
            Double e = eff.getOrDefault(r.model(), Map.of()).get(r.master());
            sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %,d | %.2f | %d | %d | %d | %d | %s |%n", r.model(), r.master(), r.workers(),
                    r.parameters(), r.sequencesPerS(), r.wallMs(), r.computeMs(), r.averagingMs(), r.dataMs(),
                    e == null ? "" : String.format(Locale.ROOT, "%.2f", e)));
        }
        sb.append("\nLoad average during the run (1/5/15 min): ").append(results.get("load_average"))
                .append(", cores: ").append(results.get("cores")).append('\n');
        return sb.toString();
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static int cores(String master) {
        Matcher m = Pattern.compile("local\\[(\\d+)]").matcher(master);
        if (m.matches()) return Integer.parseInt(m.group(1));
        if (master.equals("local")) return 1;
        throw new IllegalArgumentException("bench pretrain needs local[N] masters (one worker per core), got " + master);
    }
}
