package dev.mobilebert.jobs.cli;

import dev.mobilebert.io.Json;
import dev.mobilebert.jobs.bench.PretrainBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "pretrain",
        description = {"Pretraining throughput with parameter averaging (the real pretrain job): sequences/s per model config "
                + "on local[1] vs local[2] (one worker per core), averaging efficiency = 2-worker throughput / (2 x 1-worker), "
                + "and the compute / averaging / data time split. Writes JSON and a markdown table."})
public final class BenchPretrainCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, paramLabel = "SHARDS", description = "prepare-pretraining output directory.")
    String data;

    @Option(names = "--model-config", split = ",", paramLabel = "FILE",
            defaultValue = "conf/bench/pretrain_teacher_small.json,conf/bench/pretrain_teacher_L-2_H-512_B-1024.json",
            description = "Model configs to measure (relative paths: under the installation).")
    List<String> models;

    @Option(names = "--masters", split = ",", defaultValue = "local[1],local[2]", description = "Spark masters (local[N]: N workers).")
    List<String> masters;

    @Option(names = "--warmup-steps", defaultValue = "10", description = "Steps of the unmeasured first chunk (JIT, first broadcast).")
    int warmupSteps;

    @Option(names = "--steps", defaultValue = "20", description = "Measured steps (a multiple of --averaging-frequency).")
    int steps;

    @Option(names = "--batch-size-per-worker", defaultValue = "8", description = "Sequences per worker per step.")
    int batchSize;

    @Option(names = "--averaging-frequency", defaultValue = "5", description = "Steps between parameter averagings.")
    int averagingFrequency;

    @Option(names = "--training-config", paramLabel = "FILE", defaultValue = PretrainCommand.DEFAULT_TRAINING,
            description = "Training settings JSON (relative paths: under the installation).")
    String trainingConfig;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "Run directories (default: a new temporary one).")
    Path workDir;

    @Option(names = "--spark-conf", paramLabel = "KEY=VALUE", description = "Extra Spark setting for every run (repeatable).")
    Map<String, String> sparkConf = new LinkedHashMap<>();

    @Option(names = "--out", defaultValue = "bench-results/pretrain.json", paramLabel = "FILE",
            description = "Results JSON; the markdown table goes next to it (.md).")
    Path out;

    @Override
    public Integer call() throws Exception {
        Path work = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("bench-pretrain");
        var options = new PretrainBench.Options(models.stream().map(BenchPretrainCommand::installed).toList(), data, masters,
                warmupSteps, steps, batchSize, averagingFrequency, installed(trainingConfig), work, sparkConf);
        Map<String, Object> results = new PretrainBench(options).run();
        if (out.getParent() != null) Files.createDirectories(out.getParent());
        Files.writeString(out, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(results) + "\n");
        String table = PretrainBench.markdown(results);
        Path md = out.resolveSibling(out.getFileName().toString().replaceAll("\\.json$", "") + ".md");
        Files.writeString(md, table);
        System.out.println(table);
        System.out.println("results: " + out.toAbsolutePath() + ", " + md.toAbsolutePath());
        return 0;
    }

    /** A relative path that does not exist here is looked up under the installation (mobilebert.home). */
    static String installed(String file) {
        Path p = Path.of(file);
        if (p.isAbsolute() || Files.exists(p)) return file;
        Path home = Path.of(System.getProperty("mobilebert.home", "."), file);
        return Files.exists(home) ? home.toString() : file;
    }
}
