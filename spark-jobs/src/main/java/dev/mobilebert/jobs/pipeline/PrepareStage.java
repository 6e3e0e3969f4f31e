package dev.mobilebert.jobs.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import dev.mobilebert.corpus.CorpusFormat;
import dev.mobilebert.io.AtomicOutput;
import dev.mobilebert.io.Fs;
import dev.mobilebert.io.Json;
import dev.mobilebert.io.RunDirectory;
import dev.mobilebert.jobs.pretraining.PreparePretrainingJob;
import dev.mobilebert.jobs.spark.Sparks;
import dev.mobilebert.jobs.spark.WordCounts;
import dev.mobilebert.pretraining.PretrainingConfig;
import dev.mobilebert.tokenization.VocabularyBuilder;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * prepare: a WordPiece vocabulary learned from the corpus when none is given ({@code RUN/prepare/vocab.txt}), then
 * prepare-pretraining ({@code RUN/prepare/data/}: Parquet shards + stats.json). Both outputs are written atomically,
 * so a resumed stage redoes only what is missing.
 */
public final class PrepareStage implements Stage {
    public static final String NAME = "prepare";
    public static final String VOCAB = "vocab.txt";
    public static final String DATA = "data";
    /** Every setting of the prepare section (all required, so a config documents them all). */
    static final java.util.Set<String> KEYS = java.util.Set.of("input", "format", "vocab", "vocab_size", "vocab_min_frequency",
            "do_lower_case", "max_seq_length", "max_predictions_per_seq", "masked_lm_prob", "short_seq_prob", "dupe_factor",
            "random_seed", "do_whole_word_mask", "shards", "partitions");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "vocabulary (built from the corpus unless given) and MLM/NSP pretraining shards";
    }

    @Override
    public Map<String, Object> run(StageContext ctx) throws IOException {
        Config c = ctx.section(NAME);
        checkKeys(c);
        List<String> inputs = PipelineConfig.strings(c, "input");
        if (inputs.isEmpty()) throw new IllegalArgumentException("prepare.input is empty: set the corpus files/directories in the config "
                + "or with --set prepare.input=PATH");
        RunDirectory dir = ctx.directory();
        SparkSession spark = ctx.spark().get();
        Map<String, Object> summary = new LinkedHashMap<>();

        String vocab = PipelineConfig.optionalString(c, "vocab");
        if (vocab == null) {
            Path built = dir.resolve(VOCAB);
            if (Fs.exists(built)) ctx.out().printf("[prepare] vocabulary %s exists, reused%n", PipelineRun.display(built));
            else buildVocabulary(ctx, c, inputs, built, spark);
            vocab = built.toString();
            summary.put("vocab_built", true);
        } else {
            summary.put("vocab_built", false);
        }
        summary.put("vocab", vocab);

        Path data = dir.resolve(DATA);
        if (Fs.exists(data)) {
            ctx.out().printf("[prepare] shards %s exist, reused%n", PipelineRun.display(data));
        } else {
            long t0 = System.nanoTime();
            PreparePretrainingJob.run(spark, options(c, inputs, vocab, data));
            dir.metrics().log("prepare-pretraining", 0, Map.of("seconds", (System.nanoTime() - t0) / 1e9));
        }
        summary.put("data", data.toString());
        JsonNode stats = Json.MAPPER.readTree(Fs.readString(new Path(data, PreparePretrainingJob.STATS)));
        for (String key : List.of("documents", "instances", "tokens", "masked_fraction_of_tokens", "nsp_positive_rate")) {
            summary.put(key, Json.MAPPER.treeToValue(stats.get(key), Object.class));
        }
        return summary;
    }

    /** A misspelt setting would otherwise be ignored silently. */
    static void checkKeys(Config c) {
        for (String key : c.root().keySet()) {
            if (!KEYS.contains(key)) throw new IllegalArgumentException("unknown setting prepare." + key + " (known: " + new java.util.TreeSet<>(KEYS) + ")");
        }
    }

    private static void buildVocabulary(StageContext ctx, Config c, List<String> inputs, Path out, SparkSession spark) throws IOException {
        int size = c.getInt("vocab_size");
        int minFrequency = c.getInt("vocab_min_frequency");
        boolean lowerCase = c.getBoolean("do_lower_case");
        long t0 = System.nanoTime();
        Map<String, Long> counts = new HashMap<>(WordCounts.count(Sparks.context(spark), inputs, lowerCase, minFrequency));
        if (counts.isEmpty()) throw new IllegalArgumentException("no word occurs " + minFrequency + "+ times in " + inputs);
        VocabularyBuilder.Result r = VocabularyBuilder.build(counts, new VocabularyBuilder.Options(size, minFrequency, 1_000_000, -1, -1));
        AtomicOutput.writeString(out, String.join("\n", r.tokens()) + "\n");
        double seconds = (System.nanoTime() - t0) / 1e9;
        ctx.directory().metrics().log("vocab", 0, Map.of("seconds", seconds, "word_types", counts.size(), "tokens", r.tokens().size()));
        ctx.out().printf("[prepare] vocabulary of %d tokens learned from %d word types in %.1f s: %s%n", r.tokens().size(), counts.size(), seconds, PipelineRun.display(out));
    }

    static PreparePretrainingJob.Options options(Config c, List<String> inputs, String vocab, Path out) {
        PretrainingConfig p = new PretrainingConfig(c.getInt("max_seq_length"), c.getInt("max_predictions_per_seq"),
                c.getDouble("masked_lm_prob"), c.getDouble("short_seq_prob"), c.getInt("dupe_factor"), c.getLong("random_seed"),
                c.getBoolean("do_lower_case"), c.getBoolean("do_whole_word_mask"));
        CorpusFormat format = CorpusFormat.valueOf(c.getString("format").toUpperCase(Locale.ROOT));
        return new PreparePretrainingJob.Options(inputs, vocab, out.toString(), c.getInt("shards"), format, p, c.getInt("partitions"));
    }
}
