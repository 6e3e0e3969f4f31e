package dev.mobilebert.jobs.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.mobilebert.io.Fs;
import dev.mobilebert.io.Json;
import dev.mobilebert.optim.OptimizerSettings;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.spark.api.RDDTrainingApproach;

import java.io.IOException;
import java.io.InputStream;

/**
 * How a parameter-averaging training run is distributed, checkpointed and logged; read from a job config
 * (e.g. {@code conf/jobs/pretrain-training.json}). Reasons for the defaults are in docs/training.md.
 *
 * @param workers               parallel training tasks (executors x cores); one batch per worker per step
 * @param batchSizePerWorker    examples per worker minibatch; the global batch is workers x this
 * @param averagingFrequency    minibatches each worker fits between parameter averagings
 * @param rddTrainingApproach   {@code direct} (train from the RDD) or {@code export} (dl4j-spark writes batches to
 *                              {@code exportDirectory} first; that directory must be shared by all executors)
 * @param exportDirectory       for {@code export}; null = dl4j-spark's default under hadoop.tmp.dir
 * @param storageLevel          Spark storage level dl4j-spark persists the chunk's RDD with (NONE = no persist)
 * @param checkpointEverySteps  steps per chunk; a checkpoint after each chunk and at the end
 * @param keepCheckpoints       newest checkpoints kept (0 = all)
 * @param logEverySteps         a metrics line every this many steps
 * @param seed                  run seed: data order, Spark splits, worker RNG
 * @param collectTrainingStats  dl4j-spark timing stats (compute vs averaging vs data in metrics)
 * @param progress              one-line progress bar with ETA on the console
 * @param optimizer             see {@link OptimizerSettings}; its num_train_steps is the length of the run
 */
public record TrainingSettings(
        @JsonProperty("workers") int workers,
        @JsonProperty("batch_size_per_worker") int batchSizePerWorker,
        @JsonProperty("averaging_frequency") int averagingFrequency,
        @JsonProperty("rdd_training_approach") String rddTrainingApproach,
        @JsonProperty("export_directory") String exportDirectory,
        @JsonProperty("storage_level") String storageLevel,
        @JsonProperty("checkpoint_every_steps") int checkpointEverySteps,
        @JsonProperty("keep_checkpoints") int keepCheckpoints,
        @JsonProperty("log_every_steps") int logEverySteps,
        @JsonProperty("seed") long seed,
        @JsonProperty("collect_training_stats") boolean collectTrainingStats,
        @JsonProperty("progress") boolean progress,
        @JsonProperty("optimizer") OptimizerSettings optimizer) {

    public TrainingSettings {
        require(workers > 0, "workers must be > 0");
        require(batchSizePerWorker > 0, "batch_size_per_worker must be > 0");
        require(averagingFrequency > 0, "averaging_frequency must be > 0");
        require(optimizer != null, "optimizer is required");
        require(checkpointEverySteps > 0 && checkpointEverySteps % averagingFrequency == 0,
                "checkpoint_every_steps (" + checkpointEverySteps + ") must be a positive multiple of averaging_frequency ("
                        + averagingFrequency + "): dl4j-spark advances the step count by averaging_frequency per averaging round");
        require(optimizer.numTrainSteps() % averagingFrequency == 0,
                "optimizer.num_train_steps (" + optimizer.numTrainSteps() + ") must be a multiple of averaging_frequency (" + averagingFrequency + ")");
        require(logEverySteps > 0, "log_every_steps must be > 0");
        approach(rddTrainingApproach);
        sparkStorageLevel(storageLevel);
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }

    public static TrainingSettings load(String location) throws IOException {
        try (InputStream in = Fs.open(Fs.path(location))) {
            return Json.MAPPER.readValue(in, TrainingSettings.class);
        } catch (IOException | RuntimeException e) {
            throw new IOException("bad training settings in " + location + ": " + e.getMessage(), e);
        }
    }

    public int numTrainSteps() {
        return optimizer.numTrainSteps();
    }

    /** Batches consumed per optimizer step (one per worker). */
    public int batchesPerStep() {
        return workers;
    }

    public RDDTrainingApproach approach() {
        return approach(rddTrainingApproach);
    }

    public StorageLevel sparkStorageLevel() {
        return sparkStorageLevel(storageLevel);
    }

    private static RDDTrainingApproach approach(String s) {
        if ("direct".equalsIgnoreCase(s)) return RDDTrainingApproach.Direct;
        if ("export".equalsIgnoreCase(s)) return RDDTrainingApproach.Export;
        throw new IllegalArgumentException("rdd_training_approach must be 'direct' or 'export', got " + s);
    }

    private static StorageLevel sparkStorageLevel(String s) {
        if (s == null || s.equalsIgnoreCase("NONE")) return null;
        try {
            return StorageLevel.fromString(s.toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("storage_level must be a Spark storage level (e.g. MEMORY_ONLY_SER, MEMORY_AND_DISK_SER) or NONE, got " + s);
        }
    }
}
