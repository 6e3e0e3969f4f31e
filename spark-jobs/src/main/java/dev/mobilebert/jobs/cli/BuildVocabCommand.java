package dev.mobilebert.jobs.cli;

import dev.mobilebert.io.AtomicOutput;
import dev.mobilebert.io.Fs;
import dev.mobilebert.jobs.spark.SparkOptions;
import dev.mobilebert.jobs.spark.Sparks;
import dev.mobilebert.jobs.spark.WordCounts;
import dev.mobilebert.tokenization.VocabularyBuilder;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "build-vocab",
        description = "Learn a WordPiece vocabulary (BERT layout) from a corpus: words counted on Spark, pieces learned on the driver.")
public final class BuildVocabCommand implements Callable<Integer> {
    @Option(names = "--input", required = true, arity = "1..*", paramLabel = "PATH",
            description = "Text files, directories or globs (any Hadoop filesystem; .gz/.bz2 are read too).")
    List<String> inputs;

    @Option(names = "--size", required = true, paramLabel = "N", description = "Vocabulary size, special tokens included.")
    int size;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write vocab.txt (written atomically).")
    String out;

    @Option(names = "--cased", description = "Keep case and accents (do_lower_case=false).")
    boolean cased;

    @Option(names = "--min-frequency", defaultValue = "2", description = "Ignore words seen fewer times.")
    int minFrequency;

    @Option(names = "--max-word-types", defaultValue = "1000000", description = "Learn from at most this many word types, the most frequent.")
    int maxWordTypes;

    @Option(names = "--max-alphabet", defaultValue = "-1", description = "At most this many character pieces (-1: a quarter of the size).")
    int maxAlphabet;

    @Option(names = "--unused", defaultValue = "-1", description = "Number of [unusedK] tokens after [PAD] (-1: min(99, size/100)).")
    int unused;

    @Option(names = "--criterion", defaultValue = "FREQUENCY", description = "Merge choice: ${COMPLETION-CANDIDATES}.")
    VocabularyBuilder.Criterion criterion;

    @Mixin SparkOptions spark;

    @Override
    public Integer call() throws Exception {
        VocabularyBuilder.Options options = new VocabularyBuilder.Options(size, minFrequency, maxWordTypes, maxAlphabet, unused, criterion);
        if (size <= options.unused() + 5) throw new IllegalArgumentException("--size " + size + " leaves no room for word pieces");
        SparkSession session = Sparks.session("build-vocab", spark);
        long t0 = System.nanoTime();
        Map<String, Long> counts = new HashMap<>(WordCounts.count(Sparks.context(session), inputs, !cased, minFrequency));
        long t1 = System.nanoTime();
        if (counts.isEmpty()) throw new IllegalArgumentException("no word occurs " + minFrequency + "+ times in " + inputs);
        VocabularyBuilder.Result r = VocabularyBuilder.build(counts, options);
        long t2 = System.nanoTime();
        AtomicOutput.writeString(Fs.path(out), String.join("\n", r.tokens()) + "\n");
        System.err.printf("build-vocab: %d word types (%d kept, %d left out for rare characters), alphabet %d, %d merges: "
                        + "%d tokens written to %s (counting %.1f s, learning %.1f s)%n",
                counts.size(), r.wordTypes(), r.droppedWords(), r.alphabet(), r.merges(), r.tokens().size(), out,
                (t1 - t0) / 1e9, (t2 - t1) / 1e9);
        return 0;
    }
}
