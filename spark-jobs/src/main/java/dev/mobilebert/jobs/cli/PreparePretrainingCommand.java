package dev.mobilebert.jobs.cli;

import dev.mobilebert.corpus.CorpusFormat;
import dev.mobilebert.io.Json;
import dev.mobilebert.jobs.pretraining.PreparePretrainingJob;
import dev.mobilebert.jobs.spark.SparkOptions;
import dev.mobilebert.jobs.spark.Sparks;
import dev.mobilebert.pretraining.PretrainingConfig;
import dev.mobilebert.pretraining.PretrainingStats;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "prepare-pretraining",
        description = {"Corpus → MLM/NSP pretraining instances (google-research/bert create_pretraining_data.py semantics) "
                + "as Parquet shards plus stats.json, on Spark. The output directory appears only when complete."})
public final class PreparePretrainingCommand implements Callable<Integer> {
    @Option(names = "--input", required = true, arity = "1..*", paramLabel = "PATH",
            description = "Corpus files, directories or globs on any Hadoop filesystem (repeatable; .gz/.bz2 decompressed).")
    List<String> inputs;

    @Option(names = "--vocab", required = true, paramLabel = "FILE", description = "BERT vocabulary file (one token per line).")
    String vocab;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (replaced atomically if it exists).")
    String out;

    @Option(names = "--shards", defaultValue = "10", description = "Number of Parquet shards.")
    int shards;

    @Option(names = "--format", defaultValue = "auto",
            description = "Input layout: bert (sentence per line, blank line between documents), prose, gutenberg, auto (${COMPLETION-CANDIDATES}).")
    CorpusFormat format;

    @Option(names = "--max-seq-length", defaultValue = "128", description = "max_seq_length: tokens per instance, [CLS]/[SEP] included.")
    int maxSeqLength;

    @Option(names = "--max-predictions-per-seq", defaultValue = "20", description = "max_predictions_per_seq: masked positions per instance at most.")
    int maxPredictions;

    @Option(names = "--masked-lm-prob", defaultValue = "0.15", description = "masked_lm_prob: share of tokens masked.")
    double maskedLmProb;

    @Option(names = "--short-seq-prob", defaultValue = "0.1", description = "short_seq_prob: chance that a document targets a shorter length.")
    double shortSeqProb;

    @Option(names = "--dupe-factor", defaultValue = "10", description = "dupe_factor: passes over the corpus with different masks.")
    int dupeFactor;

    @Option(names = "--random-seed", defaultValue = "12345", description = "random_seed.")
    long randomSeed;

    @Option(names = "--do-lower-case", defaultValue = "true", negatable = true, fallbackValue = "true",
            description = "do_lower_case: uncased tokenization (--no-do-lower-case for a cased vocabulary).")
    boolean doLowerCase;

    @Option(names = "--do-whole-word-mask", defaultValue = "false", description = "do_whole_word_mask: mask all pieces of a word together.")
    boolean doWholeWordMask;

    @Option(names = "--balanced-nsp", defaultValue = "false",
            description = "Not in the reference: a one-sentence chunk takes the next sentence as its B candidate, so the NSP coin "
                    + "decides (about 50% IsNext) even on book-length documents, where the reference gives ~43%.")
    boolean balancedNsp;

    @Option(names = "--partitions", defaultValue = "0", description = "Spark partitions of the document set (0: the default parallelism).")
    int partitions;

    @Mixin SparkOptions spark;

    @Override
    public Integer call() throws Exception {
        PretrainingConfig config = new PretrainingConfig(maxSeqLength, maxPredictions, maskedLmProb, shortSeqProb, dupeFactor,
                randomSeed, doLowerCase, doWholeWordMask, balancedNsp);
        var options = new PreparePretrainingJob.Options(inputs, vocab, out, shards, format, config, partitions);
        SparkSession session = Sparks.session("prepare-pretraining", spark);
        PretrainingStats stats = PreparePretrainingJob.run(session, options);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("out", out);
        summary.put("documents", stats.documents());
        summary.put("instances", stats.instances());
        summary.put("masked_fraction_of_tokens", stats.maskedFractionOfTokens());
        summary.put("nsp_positive_rate", stats.nspPositiveRate());
        summary.put("repairs", stats.repairs().counts());
        System.out.println(Json.MAPPER.writeValueAsString(summary));
        return 0;
    }
}
