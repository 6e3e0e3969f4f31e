package dev.mobilebert.jobs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.corpus.CorpusFormat;
import dev.mobilebert.corpus.CorpusReader;
import dev.mobilebert.corpus.Document;
import dev.mobilebert.corpus.Repairs;
import dev.mobilebert.io.Fs;
import dev.mobilebert.io.Json;
import dev.mobilebert.jobs.pretraining.InputFiles;
import dev.mobilebert.jobs.pretraining.PreparePretrainingJob;
import dev.mobilebert.jobs.spark.SparkOptions;
import dev.mobilebert.jobs.spark.Sparks;
import dev.mobilebert.pretraining.CreatedInstance;
import dev.mobilebert.pretraining.DocumentEncoder;
import dev.mobilebert.pretraining.InstanceCreator;
import dev.mobilebert.pretraining.LocalPretrainingData;
import dev.mobilebert.pretraining.PretrainingConfig;
import dev.mobilebert.pretraining.PretrainingStats;
import dev.mobilebert.pretraining.TokenIds;
import dev.mobilebert.tokenization.FullTokenizer;
import dev.mobilebert.tokenization.Vocab;
import org.apache.spark.sql.SparkSession;

import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * bench instances: the corpus is first exported in BERT's format (sentence per line, blank line between documents)
 * so that every contender reads the same bytes; then (1) the library on one thread — read + tokenize + create
 * instances, timed by the thread's CPU time, after a warm-up pass; (2) the Spark job per master, wall time from
 * session start-up done to output renamed; (3) the Python re-implementation of create_pretraining_data.py.
 * The machine may be shared: CPU times and the load average are recorded beside wall times.
 */
public final class InstancesBench {
    private final List<String> inputs;
    private final String vocab;
    private final CorpusFormat format;
    private final int dupeFactor;
    private final Path work;
    private final Map<String, String> sparkConf;

    public InstancesBench(List<String> inputs, String vocab, CorpusFormat format, int dupeFactor, Path work, Map<String, String> sparkConf) {
        this.inputs = inputs;
        this.vocab = vocab;
        this.format = format;
        this.dupeFactor = dupeFactor;
        this.work = work;
        this.sparkConf = sparkConf;
    }

    public Map<String, Object> run(List<String> masters, String pythonScript) throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("started", Instant.now().toString());
        r.put("machine", machine());
        r.put("dupe_factor", dupeFactor);
        Path corpus = Files.createDirectories(work.resolve("corpus-bert-format"));
        r.put("export", export(corpus));
        long bytes = 0;
        try (var files = Files.list(corpus)) {
            for (Path f : files.toList()) bytes += Files.size(f);
        }
        r.put("corpus_bytes", bytes);

        Map<String, Object> lib = library(corpus, bytes);
        r.put("library_one_thread", lib);
        Map<String, Object> spark = new LinkedHashMap<>();
        for (String master : masters) spark.put(master, sparkRun(master, corpus, bytes));
        r.put("spark", spark);
        Map<String, Object> py = pythonScript == null ? Map.of("skipped", "no script") : python(pythonScript, corpus, bytes);
        r.put("python_reference", py);
        r.put("finished", Instant.now().toString());
        r.put("load_average_end", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        r.put("summary", summary(lib, spark, py));
        return r;
    }

    /**
     * Reads the inputs in their format (sentence splitting for prose/books) and writes them in BERT's format, one
     * output file per input file (a file is the unit of read parallelism of the job).
     */
    private Map<String, Object> export(Path targetDir) throws IOException {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long c0 = mx.getCurrentThreadCpuTime(), t0 = System.nanoTime();
        long inBytes = 0, docs = 0;
        Repairs repairs = new Repairs();
        List<String> inputFiles = InputFiles.expand(inputs);
        for (int i = 0; i < inputFiles.size(); i++) {
            List<Document> ds = new ArrayList<>();
            inBytes += CorpusReader.read(Fs.path(inputFiles.get(i)), format, repairs, ds::add);
            try (BufferedWriter w = Files.newBufferedWriter(targetDir.resolve(String.format("part-%05d.txt", i)), StandardCharsets.UTF_8)) {
                for (Document d : ds) {
                    for (String s : d.sentences()) w.write(s.replace('\n', ' ') + "\n");
                    w.write("\n");
                    docs++;
                }
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("input_bytes", inBytes);
        m.put("documents", docs);
        m.put("cpu_seconds", (mx.getCurrentThreadCpuTime() - c0) / 1e9);
        m.put("wall_seconds", (System.nanoTime() - t0) / 1e9);
        m.put("read_and_split_mb_per_cpu_second", inBytes / 1e6 / ((mx.getCurrentThreadCpuTime() - c0) / 1e9));
        return m;
    }

    private Map<String, Object> library(Path corpus, long bytes) throws IOException {
        Vocab v = Vocab.load(vocab);
        FullTokenizer tok = new FullTokenizer(v, true);
        InstanceCreator creator = new InstanceCreator(PretrainingConfig.defaults().withDupeFactor(dupeFactor), TokenIds.of(v));
        libraryPass(corpus, bytes, tok, creator); // warm-up: JIT
        return libraryPass(corpus, bytes, tok, creator);
    }

    private Map<String, Object> libraryPass(Path corpus, long bytes, FullTokenizer tok, InstanceCreator creator) throws IOException {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long c0 = mx.getCurrentThreadCpuTime(), t0 = System.nanoTime();
        Repairs repairs = new Repairs();
        DocumentEncoder enc = new DocumentEncoder(tok);
        List<int[][]> docs = new ArrayList<>();
        for (Path f : exported(corpus)) {
            CorpusReader.read(Fs.path(f.toString()), CorpusFormat.BERT, repairs, d -> {
                int[][] e = enc.encode(d, repairs);
                if (e != null) docs.add(e);
            });
        }
        long c1 = mx.getCurrentThreadCpuTime();
        List<CreatedInstance> out = LocalPretrainingData.create(docs, creator);
        long c2 = mx.getCurrentThreadCpuTime(), t2 = System.nanoTime();
        double cpu = (c2 - c0) / 1e9;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("instances", out.size());
        m.put("cpu_seconds", cpu);
        m.put("wall_seconds", (t2 - t0) / 1e9);
        m.put("read_tokenize_cpu_seconds", (c1 - c0) / 1e9);
        m.put("create_instances_cpu_seconds", (c2 - c1) / 1e9);
        m.put("instances_per_cpu_second", out.size() / cpu);
        m.put("mb_per_cpu_second", bytes / 1e6 / cpu);
        return m;
    }

    private Map<String, Object> sparkRun(String master, Path corpus, long bytes) throws IOException {
        SparkOptions o = new SparkOptions();
        o.master = master;
        o.conf.putAll(sparkConf);
        SparkSession spark = Sparks.session("bench instances " + master, o);
        try {
            int cores = cores(master);
            String out = work.resolve("spark-" + master.replaceAll("[^A-Za-z0-9]", "_")).toString();
            var options = new PreparePretrainingJob.Options(List.of(corpus.toString()), vocab, out, 10, CorpusFormat.BERT,
                    PretrainingConfig.defaults().withDupeFactor(dupeFactor), 0);
            double load0 = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            TaskCpu cpu = new TaskCpu();
            spark.sparkContext().addSparkListener(cpu);
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            long d0 = mx.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            PretrainingStats stats = PreparePretrainingJob.run(spark, options);
            double wall = (System.nanoTime() - t0) / 1e9;
            double driverCpu = (mx.getCurrentThreadCpuTime() - d0) / 1e9;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("cores", cores);
            m.put("instances", stats.instances());
            m.put("wall_seconds", wall);
            m.put("instances_per_second", stats.instances() / wall);
            m.put("instances_per_second_per_core", stats.instances() / wall / cores);
            m.put("mb_per_second_per_core", bytes / 1e6 / wall / cores);
            m.put("task_cpu_seconds", cpu.seconds());
            m.put("driver_thread_cpu_seconds", driverCpu);
            m.put("instances_per_cpu_second", stats.instances() / (cpu.seconds() + driverCpu));
            m.put("mb_per_cpu_second", bytes / 1e6 / (cpu.seconds() + driverCpu));
            m.put("load_average_before", load0);
            return m;
        } finally {
            spark.stop();
        }
    }

    private Map<String, Object> python(String script, Path corpus, long bytes) throws Exception {
        if (!Files.isRegularFile(Path.of(script))) return Map.of("skipped", "not found: " + script);
        Path out = work.resolve("python-instances.jsonl");
        String files = String.join(",", exported(corpus).stream().map(Path::toString).toList());
        ProcessBuilder pb = new ProcessBuilder("python3", script, "--input_file", files, "--vocab_file",
                Fs.path(vocab).toUri().getPath(), "--output_file", out.toString(), "--dupe_factor", String.valueOf(dupeFactor))
                .redirectErrorStream(true);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        if (code != 0) return Map.of("failed", "exit " + code + ": " + output);
        JsonNode j = Json.MAPPER.readTree(output.lines().reduce((a, b) -> b).orElse("{}"));
        double wall = j.get("seconds").asDouble(), cpu = j.get("cpu_seconds").asDouble();
        long instances = j.get("instances").asLong();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("script", script);
        m.put("instances", instances);
        m.put("wall_seconds", wall);
        m.put("cpu_seconds", cpu);
        m.put("instances_per_cpu_second", instances / cpu);
        m.put("mb_per_cpu_second", bytes / 1e6 / cpu);
        return m;
    }

    private static List<Path> exported(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }

    private static Map<String, Object> summary(Map<String, Object> lib, Map<String, Object> spark, Map<String, Object> py) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("library_instances_per_cpu_second", lib.get("instances_per_cpu_second"));
        s.put("library_mb_per_cpu_second", lib.get("mb_per_cpu_second"));
        spark.forEach((master, m) -> {
            @SuppressWarnings("unchecked") Map<String, Object> mm = (Map<String, Object>) m;
            s.put("spark_" + master + "_instances_per_second_per_core", mm.get("instances_per_second_per_core"));
            s.put("spark_" + master + "_instances_per_cpu_second", mm.get("instances_per_cpu_second"));
        });
        if (py.containsKey("instances_per_cpu_second")) {
            s.put("python_instances_per_cpu_second", py.get("instances_per_cpu_second"));
            s.put("python_mb_per_cpu_second", py.get("mb_per_cpu_second"));
            s.put("library_vs_python_per_core", (Double) lib.get("instances_per_cpu_second") / (Double) py.get("instances_per_cpu_second"));
        }
        return s;
    }

    private static Map<String, Object> machine() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("load_average_start", os.getSystemLoadAverage());
        m.put("java", System.getProperty("java.version"));
        m.put("os", os.getName() + " " + os.getVersion() + " " + os.getArch());
        return m;
    }

    /** Sums the CPU time of every task (what the executors spent, whatever else the machine runs). */
    static final class TaskCpu extends org.apache.spark.scheduler.SparkListener {
        private final java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();

        @Override
        public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd end) {
            if (end.taskMetrics() != null) {
                nanos.addAndGet(end.taskMetrics().executorCpuTime() + end.taskMetrics().executorDeserializeCpuTime());
            }
        }

        double seconds() {
            return nanos.get() / 1e9;
        }
    }

    static int cores(String master) {
        Matcher m = Pattern.compile("local\\[(\\d+)]").matcher(master);
        if (m.matches()) return Integer.parseInt(m.group(1));
        if (master.equals("local")) return 1;
        return Runtime.getRuntime().availableProcessors();
    }
}
