package dev.mobilebert.jobs.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.io.AtomicOutput;
import dev.mobilebert.io.CodeVersion;
import dev.mobilebert.io.Fs;
import dev.mobilebert.io.Json;
import org.apache.hadoop.fs.Path;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code RUN/report.html}: one self-contained page (inline SVG charts and CSS, no scripts, nothing fetched) built
 * from whatever a run directory holds — every stage's summary.json and metrics.jsonl, prepare's stats.json, and
 * the run's provenance. Works on any run directory, complete or not.
 */
public final class RunReport {
    public static final String FILE = "report.html";
    /** MobileBERT's published results (Sun et al., 2020, tables 4 and 5), shown beside this run's. */
    static final List<List<Object>> PAPER = List.of(
            List.of("GLUE score (test)", "glue_score", "77.7"),
            List.of("SQuAD v1.1 dev F1", "squad1_f1", "90.0"),
            List.of("SQuAD v2.0 dev F1", "squad2_f1", "79.2"));
    /** At most this many curves per stage (a stage logging many metrics keeps the page readable). */
    static final int MAX_CHARTS_PER_STAGE = 16;

    /** A stage as the report sees it: its name, what it does, and whether this build implements it. */
    public record StageInfo(String name, String description, boolean implemented) {}

    private RunReport() {}

    /** Writes RUN/report.html (atomically) and returns how many charts it holds. */
    public static int write(Path run, List<StageInfo> stages) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Html h = new Html();
        Counter charts = new Counter();
        h.raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>MobileBERT run report</title>\n<style>")
                .raw("body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:.5em 0 1em}"
                        + "td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;font-size:90%}th{background:#f0f0f0}"
                        + "pre{background:#f7f7f7;padding:.6em;overflow:auto;font-size:85%}.chart{display:inline-block;margin:4px}"
                        + ".missing{color:#a00}.note{color:#555}</style></head><body>\n");
        h.tag("h1", "MobileBERT run report");
        h.tag("p", "note", "Run directory " + display(run) + ", report written " + Instant.now() + " by code version " + CodeVersion.current().shortCommit() + ".");
        stageTable(h, run, stages);
        results(h, run);
        sizeAndLatency(h, run);
        lossCurves(h, run, stages, charts);
        for (StageInfo s : stages) stageSection(h, run, s, charts);
        provenance(h, run);
        h.raw("</body></html>\n");
        AtomicOutput.writeString(new Path(run, FILE), h.toString());
        return charts.n;
    }

    private static void stageTable(Html h, Path run, List<StageInfo> stages) throws IOException {
        h.tag("h2", "Stages");
        List<List<Object>> rows = new ArrayList<>();
        for (StageInfo s : stages) {
            Path dir = new Path(run, s.name());
            JsonNode summary = readJson(new Path(dir, "summary.json"));
            String status = !s.implemented() ? "not implemented in this build"
                    : s.name().equals("report") ? "this page"
                    : summary != null ? "complete" : Fs.exists(dir) ? "partial (resumes on rerun)" : "not run";
            Object seconds = summary != null && summary.has("seconds_this_attempt") ? summary.get("seconds_this_attempt").asDouble() : "";
            rows.add(List.of(s.name(), s.description(), status, seconds));
        }
        h.table("stages", List.of("stage", "what", "status", "seconds (last attempt)"), rows);
    }

    private static void results(Html h, Path run) throws IOException {
        h.tag("h2", "Results next to the paper");
        JsonNode finetune = readJson(new Path(run, "finetune/summary.json"));
        List<List<Object>> rows = new ArrayList<>();
        for (List<Object> p : PAPER) {
            JsonNode v = finetune == null ? null : finetune.get((String) p.get(1));
            rows.add(List.of(p.get(0), p.get(2), v == null ? "not evaluated" : String.format("%.1f (dev%s)", v.asDouble(),
                    p.get(1).equals("glue_score") && finetune.has("glue_tasks") ? ", mean of " + String.join(", ",
                            Json.MAPPER.convertValue(finetune.get("glue_tasks"), String[].class)) : "")));
        }
        h.table("results", List.of("metric", "MobileBERT (paper)", "this run"), rows);
        JsonNode stats = readJson(new Path(run, "prepare/data/stats.json"));
        String scale = stats == null ? "no pretraining data yet"
                : String.format("%,d pretraining instances from %,d documents (%.1f MB of text)", stats.path("instances").asLong(),
                stats.path("documents").asLong(), stats.path("text_bytes").asLong() / 1e6);
        for (String stage : List.of("teacher", "distill")) {
            JsonNode t = readJson(new Path(run, stage + "/summary.json"));
            if (t != null && t.has("steps")) {
                scale += String.format("; %s: %,d steps%s, %,d parameters", stage, t.path("steps").asLong(),
                        t.has("global_batch") ? String.format(" at a global batch of %d (%,d sequences)", t.path("global_batch").asInt(),
                                t.path("sequences_seen").asLong()) : "", t.path("parameters").asLong());
            }
        }
        h.tag("p", "note", "Scale of this run: " + scale + ". The paper pretrains on BooksCorpus and English Wikipedia "
                + "(about 3.3 billion words) for 500k steps at batch 4096 on 256 TPU v3 chips; numbers from a laptop-scale run "
                + "are not comparable to it.");
    }

    /** MobileBERT paper, table 4: parameters and latency on a Pixel 4 phone (TFLite, sequence length 128). */
    static final Map<String, List<String>> PAPER_SIZE = Map.of(
            "BERT-base", List.of("109M", "342 ms"),
            "MobileBERT (paper)", List.of("25.3M", "62 ms"));

    /** RUN/bench/bench.json as the size/latency table (teacher vs student vs the references). */
    private static void sizeAndLatency(Html h, Path run) throws IOException {
        h.tag("h2", "Size and latency");
        JsonNode bench = readJson(new Path(run, "bench/bench.json"));
        if (bench == null) {
            h.tag("p", "missing", "Not measured: the bench stage has not run.");
            return;
        }
        List<List<Object>> rows = new ArrayList<>();
        for (JsonNode m : bench.path("models")) {
            List<String> paper = PAPER_SIZE.getOrDefault(m.path("model").asText(), List.of("", ""));
            long ckpt = m.path("checkpoint_bytes").asLong(-1);
            rows.add(List.of(m.path("model").asText(), m.path("role").asText(), m.path("layers").asInt(),
                    String.format("%,d", m.path("parameters").asLong()), String.format("%,d", m.path("parameters_with_heads").asLong()),
                    String.format("%.1f", m.path("weights_megabytes").asDouble()), ckpt < 0 ? "" : String.format("%.1f", ckpt / 1048576.0),
                    m.path("batch_size").asInt() + " x " + m.path("seq_length").asInt(),
                    String.format("%.1f", m.path("median_ms").asDouble()), String.format("%.1f", m.path("min_ms").asDouble()),
                    paper.get(0), paper.get(1)));
        }
        h.table("latency", List.of("model", "role", "layers", "parameters (no heads)", "with MLM+NSP heads", "weights MB (float32)",
                "checkpoint MB (with optimizer moments)", "batch x tokens", "median ms", "min ms", "paper: parameters", "paper: Pixel 4 latency"), rows);
        JsonNode machine = bench.path("machine");
        h.tag("p", "note", String.format("Encoder forward pass (embeddings + all layers, no heads), float32, DL4J on this machine's CPU: "
                + "%d processors, load average %.2f when measured. Only rows measured together are comparable; the paper's "
                + "latencies are TensorFlow Lite on a Pixel 4 phone.", machine.path("available_processors").asInt(),
                machine.path("load_average").asDouble()));
    }

    /** Metric names drawn in the loss-curves section: losses and the transfer objectives. */
    static boolean isLossMetric(String name) {
        String n = name.toLowerCase(java.util.Locale.ROOT);
        return n.endsWith("loss") || n.contains("loss_") || n.equals("fmt") || n.equals("at") || n.startsWith("fmt_") || n.startsWith("at_")
                || n.endsWith("_fmt") || n.endsWith("_at") || n.contains("kl");
    }

    /**
     * One chart per stage and event with every loss-like metric of it overlaid (teacher, each PKT stage, PD,
     * fine-tuning). A stage that runs sub-stages with their own run directories (transfer: one per layer) has their
     * metrics.jsonl below its directory; each gets its charts, labelled with its path.
     */
    private static void lossCurves(Html h, Path run, List<StageInfo> stages, Counter charts) throws IOException {
        h.tag("h2", "Loss curves");
        int drawn = 0;
        for (StageInfo s : stages) {
            Path stageDir = new Path(run, s.name());
            java.util.Set<String> ownEvents = readCurves(new Path(stageDir, "metrics.jsonl"), s.name()).keySet();
            for (Path file : metricsFiles(stageDir)) {
                // a job that copies its sub-stages' rows into its own metrics.jsonl (transfer: event = PKT stage name)
                if (!file.getParent().equals(stageDir) && ownEvents.contains(file.getParent().getName())) continue;
                String where = s.name() + relative(stageDir, file.getParent());
                Map<String, Map<String, List<double[]>>> curves = readCurves(file, s.name());
                for (var ev : curves.entrySet()) {
                    if (ev.getKey().equals("chunk")) continue; // the last train step's loss again, per checkpoint interval
                    Map<String, List<double[]>> losses = new LinkedHashMap<>();
                    ev.getValue().forEach((metric, points) -> {
                        if (isLossMetric(metric) && points.size() >= 2) losses.put(metric, points);
                    });
                    if (losses.isEmpty()) continue;
                    chart(h, Charts.lines(where + " / " + ev.getKey(), "step", "loss", losses), charts);
                    drawn++;
                }
            }
        }
        if (drawn == 0) h.tag("p", "missing", "No stage has logged a loss curve yet.");
    }

    /** metrics.jsonl of a stage directory and of run directories up to three levels below it (not checkpoints), sorted. */
    static List<Path> metricsFiles(Path stageDir) throws IOException {
        List<Path> out = new ArrayList<>();
        collectMetrics(stageDir, 0, out);
        return out;
    }

    private static void collectMetrics(Path dir, int depth, List<Path> out) throws IOException {
        if (!Fs.exists(dir)) return;
        Path own = new Path(dir, "metrics.jsonl");
        if (Fs.exists(own)) out.add(own);
        if (depth == 3) return;
        var statuses = Fs.fs(dir).listStatus(dir);
        java.util.Arrays.sort(statuses);
        for (var st : statuses) {
            String name = st.getPath().getName();
            if (st.isDirectory() && !List.of("checkpoints", "config", "logs", "data", "export").contains(name) && !name.startsWith("_tmp")) {
                collectMetrics(st.getPath(), depth + 1, out);
            }
        }
    }

    private static String relative(Path base, Path dir) {
        String b = base.toUri().getPath(), d = dir.toUri().getPath();
        return d.length() > b.length() ? d.substring(b.length()) : "";
    }

    private static void stageSection(Html h, Path run, StageInfo s, Counter charts) throws IOException {
        Path dir = new Path(run, s.name());
        if (!Fs.exists(dir) || s.name().equals("report")) return;
        h.tag("h2", "Stage " + s.name());
        JsonNode summary = readJson(new Path(dir, "summary.json"));
        if (summary != null) h.keyValues("summary", flatten(summary));
        else h.tag("p", "missing", "No summary.json: the stage has not completed.");
        if (s.name().equals("prepare")) prepareStats(h, new Path(dir, "data/stats.json"), charts);
        metrics(h, new Path(dir, "metrics.jsonl"), s.name(), charts);
    }

    private static void prepareStats(Html h, Path statsFile, Counter charts) throws IOException {
        JsonNode stats = readJson(statsFile);
        if (stats == null) return;
        h.tag("h3", "Pretraining data (stats.json)");
        Map<String, Object> m = new LinkedHashMap<>();
        for (String k : List.of("files", "text_bytes", "documents", "sentences", "corpus_tokens", "instances", "tokens", "masked",
                "masked_fraction_of_tokens", "masked_fraction_of_eligible_tokens", "nsp_positive_rate", "nsp_random_rate_where_drawn")) {
            if (stats.has(k)) m.put(k, value(stats.get(k)));
        }
        JsonNode split = stats.path("masked_split");
        for (String k : List.of("mask", "original", "random")) if (split.has(k)) m.put("masked_as_" + k, split.get(k).asDouble());
        h.keyValues("stats", m);
        JsonNode hist = stats.path("length_histogram");
        if (hist.isObject() && hist.size() > 0) {
            Map<Integer, Long> counts = new TreeMap<>();
            hist.fields().forEachRemaining(e -> counts.put(Integer.parseInt(e.getKey()), e.getValue().asLong()));
            chart(h, Charts.histogram("instance length (tokens)", "length", counts), charts);
        }
    }

    /** One curve per (event, metric) with at least two steps; single-point events become a table. */
    private static void metrics(Html h, Path file, String stage, Counter charts) throws IOException {
        if (!Fs.exists(file)) return;
        Map<String, Map<String, List<double[]>>> curves = readCurves(file, stage);
        List<List<Object>> points = new ArrayList<>();
        h.tag("h3", "Metrics (metrics.jsonl)");
        int drawn = 0;
        for (var ev : curves.entrySet()) {
            for (var m : ev.getValue().entrySet()) {
                if (m.getValue().size() < 2) {
                    points.add(List.of(ev.getKey(), m.getKey(), m.getValue().get(0)[0], m.getValue().get(0)[1]));
                } else if (drawn++ < MAX_CHARTS_PER_STAGE) {
                    chart(h, Charts.lines(ev.getKey() + ": " + m.getKey(), "step", m.getKey(), Map.of(m.getKey(), m.getValue())), charts);
                }
            }
        }
        if (drawn > MAX_CHARTS_PER_STAGE) h.tag("p", "note", (drawn - MAX_CHARTS_PER_STAGE) + " more curves are in " + file);
        if (!points.isEmpty()) h.table("points", List.of("event", "metric", "step", "value"), points);
    }

    /** event -> metric -> (step, value) points of a metrics.jsonl (empty when the file does not exist). */
    static Map<String, Map<String, List<double[]>>> readCurves(Path file, String stage) throws IOException {
        Map<String, Map<String, List<double[]>>> curves = new LinkedHashMap<>();
        if (!Fs.exists(file)) return curves;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Fs.open(file), StandardCharsets.UTF_8))) {
            int lineNo = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNo++;
                if (line.isBlank()) continue;
                JsonNode e;
                try {
                    e = Json.MAPPER.readTree(line);
                } catch (IOException bad) {
                    throw new IOException(file + " line " + lineNo + " is not JSON: " + bad.getMessage(), bad);
                }
                String event = e.path("stage").asText(stage);
                double step = e.path("step").asDouble();
                for (Iterator<Map.Entry<String, JsonNode>> it = e.fields(); it.hasNext(); ) {
                    var f = it.next();
                    if (List.of("stage", "step", "time").contains(f.getKey()) || !f.getValue().isNumber()) continue;
                    curves.computeIfAbsent(event, k -> new LinkedHashMap<>())
                            .computeIfAbsent(f.getKey(), k -> new ArrayList<>()).add(new double[]{step, f.getValue().asDouble()});
                }
            }
        }
        return curves;
    }

    private static void provenance(Html h, Path run) throws IOException {
        h.tag("h2", "Provenance");
        JsonNode runJson = readJson(new Path(run, "config/run.json"));
        if (runJson != null) h.keyValues("provenance", flatten(runJson));
        else h.tag("p", "missing", "No config/run.json in this run directory.");
        Path conf = new Path(run, "config/pipeline.conf");
        if (Fs.exists(conf)) {
            h.tag("h3", "Pipeline config (resolved)");
            h.tag("pre", Fs.readString(conf));
        }
    }

    private static void chart(Html h, String svg, Counter charts) {
        h.raw("<div class=\"chart\">").raw(svg).raw("</div>\n");
        charts.n++;
    }

    static Map<String, Object> flatten(JsonNode node) {
        Map<String, Object> out = new LinkedHashMap<>();
        flatten("", node, out);
        return out;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, Object> out) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out));
        } else {
            out.put(prefix, value(node));
        }
    }

    private static Object value(JsonNode n) {
        if (n.isIntegralNumber()) return n.asLong();
        if (n.isNumber()) return n.asDouble();
        if (n.isTextual()) return n.asText();
        return n.toString();
    }

    static String display(Path p) {
        return "file".equals(p.toUri().getScheme()) ? p.toUri().getPath() : p.toString();
    }

    static JsonNode readJson(Path p) throws IOException {
        if (!Fs.exists(p)) return null;
        try {
            return Json.MAPPER.readTree(Fs.readString(p));
        } catch (IOException e) {
            throw new IOException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    private static final class Counter {
        int n;
    }
}
