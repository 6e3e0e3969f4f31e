package dev.mobilebert.jobs.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import dev.mobilebert.io.AtomicOutput;
import dev.mobilebert.io.Fs;
import dev.mobilebert.io.Json;
import dev.mobilebert.model.Bench;
import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.ParamReport;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * bench: parameters, size and encoder forward latency of the run's student and teacher next to reference models
 * (BERT-base, the paper's MobileBERT) on this machine, into RUN/bench/bench.json (the report's size/latency table).
 * Latency does not depend on the weights, so the reference models are measured with random ones; the run's models
 * also get the size of their newest checkpoint (parameters + optimizer moments).
 */
public final class BenchStage implements Stage {
    public static final String NAME = "bench";
    public static final String FILE = "bench.json";
    static final Set<String> KEYS = Set.of("seq_length", "batch_size", "warmup", "repetitions", "threads", "references");

    /** One measured model. {@code checkpointBytes} is -1 when the model was not trained in this run. */
    public record Row(String model, String role, long parameters, long parametersWithHeads, double weightsMegabytes,
                      long checkpointBytes, int layers, int seqLength, int batchSize, double medianMs, double minMs, int repetitions) {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "parameters, size on disk and latency of student vs teacher vs BERT-base";
    }

    @Override
    public Map<String, Object> run(StageContext ctx) throws IOException {
        Config c = ctx.section(NAME);
        StageSettings.checkKeys(c, NAME, KEYS);
        int seq = c.getInt("seq_length"), batch = c.getInt("batch_size"), reps = c.getInt("repetitions");
        int warmup = c.hasPath("warmup") ? c.getInt("warmup") : 3;
        if (c.hasPath("threads")) Bench.pinThreads(c.getInt("threads"));

        List<Candidate> models = new ArrayList<>();
        runModel(ctx, "distill", "student").or(() -> runModel(ctx, "transfer", "student")).ifPresent(models::add);
        runModel(ctx, TeacherStage.NAME, "teacher").ifPresent(models::add);
        if (c.hasPath("references")) {
            Config refs = c.getConfig("references");
            for (String name : new java.util.TreeSet<>(refs.root().keySet())) {
                String file = StageSettings.installationFile(refs.getString(quote(name)), NAME + ".references." + name);
                models.add(new Candidate(name, "reference (random weights)", MobileBertConfig.load(file), null));
            }
        }
        if (models.isEmpty()) throw new IllegalStateException("bench: no model to measure (no trained stage and no bench.references)");

        List<Row> rows = new ArrayList<>();
        for (Candidate m : models) {
            int t = Math.min(seq, m.config().maxPositionEmbeddings);
            ctx.out().printf("[bench] %s: %d timed forward passes, batch %d x %d tokens...%n", m.name(), reps, batch, t);
            Bench.Result r = Bench.latency(m.config(), batch, t, warmup, reps);
            ParamReport p = ParamReport.of(m.config());
            long ckpt = m.checkpoint() == null ? -1 : Fs.fs(m.checkpoint()).getContentSummary(m.checkpoint()).getLength();
            Row row = new Row(m.name(), m.role(), p.withoutHeads(), p.withPretrainingHeads(), p.withoutHeads() * 4.0 / (1 << 20), ckpt,
                    m.config().numHiddenLayers, t, batch, r.medianMs(), r.minMs(), reps);
            rows.add(row);
            ctx.out().printf("[bench] %s: %,d parameters, median %.1f ms (min %.1f)%n", m.name(), row.parameters(), row.medianMs(), row.minMs());
        }
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("machine", machine());
        file.put("models", rows);
        AtomicOutput.writeJson(ctx.directory().resolve(FILE), file);

        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("bench", ctx.directory().resolve(FILE).toString());
        for (Row r : rows) {
            String key = r.role().startsWith("reference") ? r.model() : r.role();
            summary.put(key + "_parameters", r.parameters());
            summary.put(key + "_median_ms", r.medianMs());
        }
        return summary;
    }

    private record Candidate(String name, String role, MobileBertConfig config, Path checkpoint) {}

    /** The model a complete training stage produced: its summary names the model config and the checkpoint. */
    private static java.util.Optional<Candidate> runModel(StageContext ctx, String stage, String role) {
        try {
            Path summary = new Path(ctx.stageDir(stage), "summary.json");
            if (!Fs.exists(summary)) return java.util.Optional.empty();
            JsonNode s = Json.MAPPER.readTree(Fs.readString(summary));
            if (!s.hasNonNull("model")) return java.util.Optional.empty();
            MobileBertConfig config = MobileBertConfig.load(s.get("model").asText());
            Path checkpoint = s.hasNonNull("checkpoint") ? Fs.path(s.get("checkpoint").asText()) : null;
            if (checkpoint != null && !Fs.exists(checkpoint)) checkpoint = null;
            return java.util.Optional.of(new Candidate(role + " (this run, " + stage + ")", role, config, checkpoint));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String quote(String key) {
        return "\"" + key.replace("\"", "\\\"") + "\"";
    }

    /** What the latency depends on: the CPU, the thread settings and how busy the machine was. */
    static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("available_processors", Runtime.getRuntime().availableProcessors());
        m.put("load_average", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        m.put("omp_num_threads", System.getenv("OMP_NUM_THREADS"));
        m.put("os_arch", System.getProperty("os.arch"));
        m.put("java", System.getProperty("java.version"));
        return m;
    }

    /** The rows of a run's bench.json, or an empty list. */
    public static List<JsonNode> rows(Path runRoot) throws IOException {
        Path f = new Path(new Path(runRoot, NAME), FILE);
        List<JsonNode> out = new ArrayList<>();
        if (!Fs.exists(f)) return out;
        Json.MAPPER.readTree(Fs.readString(f)).path("models").forEach(out::add);
        return out;
    }
}
