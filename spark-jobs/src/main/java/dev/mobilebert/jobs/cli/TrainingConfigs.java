package dev.mobilebert.jobs.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Where a training command's settings JSON comes from, and its option shorthands as --set overrides. */
final class TrainingConfigs {
    private TrainingConfigs() {}

    static String locate(String given, String defaultRelative) {
        if (given != null) return given;
        Path p = Path.of(System.getProperty("mobilebert.home", "."), defaultRelative);
        if (!Files.isRegularFile(p)) throw new IllegalArgumentException("no --training-config given and " + p + " does not exist");
        return p.toString();
    }

    static Map<String, String> overrides(Map<String, String> set, Integer numTrainSteps, Double learningRate, Integer workers,
                                         Integer batchSizePerWorker) {
        Map<String, String> m = new LinkedHashMap<>(set);
        if (numTrainSteps != null) m.put("optimizer.num_train_steps", numTrainSteps.toString());
        if (learningRate != null) m.put("optimizer.learning_rate", learningRate.toString());
        if (workers != null) m.put("workers", workers.toString());
        if (batchSizePerWorker != null) m.put("batch_size_per_worker", batchSizePerWorker.toString());
        return m;
    }
}
