package dev.mobilebert.io;

import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The layout every job that produces something writes:
 * <pre>
 *   RUN/config/         every resolved config, plus run.json (command, code version, machine, start time)
 *   RUN/metrics.jsonl   one JSON object per logged event: stage, step, time, then that stage's metrics
 *   RUN/checkpoints/    checkpoints, each written atomically
 *   RUN/logs/           logs
 *   RUN/summary.json    written last, atomically: its presence means the run completed
 * </pre>
 */
public final class RunDirectory {
    private final Path root;
    private final MetricsLog metrics;

    private RunDirectory(Path root) {
        this.root = root;
        this.metrics = new MetricsLog(new Path(root, "metrics.jsonl"));
    }

    /** Opens (creating if needed) the run directory at {@code location}; removes temporaries of crashed attempts. */
    public static RunDirectory open(String location) throws IOException {
        return open(Fs.path(location));
    }

    public static RunDirectory open(Path root) throws IOException {
        RunDirectory run = new RunDirectory(root);
        for (Path p : List.of(root, run.configDir(), run.checkpointsDir(), run.logsDir())) {
            if (!Fs.exists(p)) Fs.mkdirs(p);
            AtomicOutput.cleanStale(p);
        }
        return run;
    }

    public Path root() { return root; }
    public Path configDir() { return new Path(root, "config"); }
    public Path checkpointsDir() { return new Path(root, "checkpoints"); }
    public Path logsDir() { return new Path(root, "logs"); }
    public Path summaryFile() { return new Path(root, "summary.json"); }
    public MetricsLog metrics() { return metrics; }

    public Path resolve(String relative) {
        return new Path(root, relative);
    }

    /** Records a resolved config as {@code config/<name>.json}. */
    public void saveConfig(String name, Object config) throws IOException {
        AtomicOutput.writeJson(new Path(configDir(), name + ".json"), config);
    }

    /** Records how this run was made: the command line, code version, Java and host, start time. */
    public void saveProvenance(String command, List<String> args) throws IOException {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("command", command);
        p.put("args", args);
        p.put("code_version", CodeVersion.current());
        p.put("java", System.getProperty("java.version"));
        p.put("host", hostName());
        p.put("user", System.getProperty("user.name"));
        p.put("started", Instant.now().toString());
        AtomicOutput.writeJson(new Path(configDir(), "run.json"), p);
    }

    public void writeSummary(Map<String, ?> summary) throws IOException {
        AtomicOutput.writeJson(summaryFile(), summary);
    }

    public boolean isComplete() {
        return Fs.exists(summaryFile());
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
