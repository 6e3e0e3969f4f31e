package dev.mobilebert.jobs.cli;

import dev.mobilebert.corpus.CorpusFormat;
import dev.mobilebert.io.Json;
import dev.mobilebert.jobs.bench.InstancesBench;
import dev.mobilebert.jobs.spark.SparkOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "instances",
        description = {"Pretraining-instance creation speed: the library on one thread (CPU time), the Spark job per master "
                + "(wall time), and the project's Python re-implementation of create_pretraining_data.py, on the same corpus "
                + "exported in BERT's format."})
public final class BenchInstancesCommand implements Callable<Integer> {
    @Option(names = "--input", required = true, arity = "1..*", paramLabel = "PATH", description = "Corpus files, directories or globs.")
    List<String> inputs;

    @Option(names = "--vocab", required = true, paramLabel = "FILE", description = "BERT vocabulary file.")
    String vocab;

    @Option(names = "--format", defaultValue = "auto", description = "Input layout (${COMPLETION-CANDIDATES}).")
    CorpusFormat format;

    @Option(names = "--dupe-factor", defaultValue = "2", description = "dupe_factor of every measured run.")
    int dupeFactor;

    @Option(names = "--masters", split = ",", defaultValue = "local[1],local[2]", description = "Spark masters to time the job on.")
    List<String> masters;

    @Option(names = "--python", paramLabel = "SCRIPT",
            description = "Python create_pretraining_data.py to compare with (default: the project's re-implementation; 'none' to skip).")
    String python;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "Scratch directory (default: a new temporary one).")
    Path workDir;

    @Option(names = "--out", defaultValue = "bench-instances.json", paramLabel = "FILE", description = "Results JSON file.")
    Path out;

    @Mixin SparkOptions spark;

    @Override
    public Integer call() throws Exception {
        Path work = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("bench-instances");
        String script = python;
        if (script == null) {
            String home = System.getProperty("mobilebert.home", ".");
            script = Path.of(home, "data-prep/src/test/oracle/reference_create_pretraining_data.py").toString();
        }
        if ("none".equals(script)) script = null;
        Map<String, Object> results = new InstancesBench(inputs, vocab, format, dupeFactor, work, spark.conf).run(masters, script);
        Files.writeString(out, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(results) + "\n");
        System.out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(results.get("summary")));
        System.out.println("results: " + out.toAbsolutePath());
        return 0;
    }
}
