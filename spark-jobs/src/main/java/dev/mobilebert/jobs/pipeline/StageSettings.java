package dev.mobilebert.jobs.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.mobilebert.io.Fs;
import dev.mobilebert.io.JobConfig;
import dev.mobilebert.io.Json;
import dev.mobilebert.jobs.train.TrainingSettings;
import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.tokenization.Vocab;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the training stages share when reading their config section: the model (a file or an inline object with the
 * official field names, its vocab_size following the run's vocabulary), the training settings (the job defaults of
 * the installation with the section's {@code training} block on top) and what the prepare stage produced.
 */
public final class StageSettings {
    static final String DEFAULT_TRAINING = "conf/jobs/pretrain-training.json";

    private StageSettings() {}

    /** What a complete prepare stage produced: the vocabulary used and the shard directory. */
    public record Prepared(String vocab, String data, int vocabSize, int maxSeqLength) {}

    /** Reads RUN/prepare/summary.json; the stage after prepare cannot run without it. */
    public static Prepared prepared(StageContext ctx, String stage) throws IOException {
        Path summary = new Path(ctx.stageDir(PrepareStage.NAME), "summary.json");
        if (!Fs.exists(summary)) {
            throw new IllegalStateException("stage '" + stage + "' needs a complete 'prepare' stage, but "
                    + PipelineRun.display(summary) + " does not exist (run the pipeline from 'prepare')");
        }
        JsonNode s = Json.MAPPER.readTree(Fs.readString(summary));
        String vocab = s.path("vocab").asText(), data = s.path("data").asText();
        int vocabSize = Vocab.load(vocab).size();
        int maxSeq = ctx.section(PrepareStage.NAME).getInt("max_seq_length");
        return new Prepared(vocab, data, vocabSize, maxSeq);
    }

    /** Rejects settings a stage does not know, so a misspelt key never falls back to a default silently. */
    public static void checkKeys(Config section, String stage, Set<String> known) {
        for (String key : section.root().keySet()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException("unknown setting " + stage + "." + key + " (known: " + new TreeSet<>(known) + ")");
            }
        }
    }

    /**
     * The model of {@code stage}: {@code key} is a model JSON file (relative paths: the working directory, then the
     * installation) or an inline object with the official field names. {@code vocab_size} is set to the run's
     * vocabulary, whatever the file says: the embedding table must match the ids in the shards.
     */
    public static MobileBertConfig model(Config section, String stage, String key, Prepared prepared) {
        String where = stage + "." + key;
        if (!section.hasPath(key)) throw new IllegalArgumentException("missing setting " + where + " (a model JSON file or an inline object)");
        ConfigValue v = section.getValue(key);
        MobileBertConfig config;
        if (v.valueType() == ConfigValueType.OBJECT) {
            config = MobileBertConfig.fromJson(v.render(ConfigRenderOptions.concise()), "the pipeline config's " + where);
        } else {
            config = MobileBertConfig.load(installationFile(section.getString(key), where));
        }
        config.vocabSize = prepared.vocabSize();
        if (config.maxPositionEmbeddings < prepared.maxSeqLength()) {
            throw new IllegalArgumentException(where + ": max_position_embeddings " + config.maxPositionEmbeddings
                    + " is below prepare.max_seq_length " + prepared.maxSeqLength());
        }
        return config.validate(where);
    }

    /**
     * Training settings: {@code conf/jobs/pretrain-training.json} of the installation with every key of the
     * section's {@code training} block applied on top (same names as that file: {@code workers},
     * {@code optimizer.learning_rate}, ...). {@code workers = 0} means one worker per Spark task slot.
     */
    public static TrainingSettings training(Config section, String stage, int defaultWorkers) throws IOException {
        return training(section, stage, defaultWorkers, DEFAULT_TRAINING);
    }

    /** As {@link #training(Config, String, int)} on top of another job file of the installation (e.g. conf/jobs/distill-training.json). */
    public static TrainingSettings training(Config section, String stage, int defaultWorkers, String defaultsFile) throws IOException {
        Map<String, String> overrides = new LinkedHashMap<>();
        if (section.hasPath("training")) {
            for (var e : section.getConfig("training").entrySet()) {
                overrides.put(e.getKey(), e.getValue().render(ConfigRenderOptions.concise()));
            }
        }
        if (!overrides.containsKey("workers") || "0".equals(overrides.get("workers"))) {
            overrides.put("workers", Integer.toString(defaultWorkers));
        }
        String defaults = installationFile(defaultsFile, stage + ".training");
        try {
            return JobConfig.load(defaults, TrainingSettings.class, overrides);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(stage + ".training: " + e.getMessage(), e);
        }
    }

    /** A path as given if it exists, else relative to the installation ({@code mobilebert.home}); any Hadoop URI as is. */
    static String installationFile(String location, String setting) {
        if (location.contains("://")) return location;
        java.nio.file.Path given = java.nio.file.Path.of(location);
        if (Files.exists(given)) return location;
        java.nio.file.Path home = java.nio.file.Path.of(System.getProperty("mobilebert.home", ".")).resolve(location);
        if (Files.exists(home)) return home.toString();
        throw new IllegalArgumentException(setting + ": " + location + " does not exist (looked in the working directory and in "
                + home.getParent() + ")");
    }
}
