package dev.mobilebert.pretraining;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;

import java.io.Serializable;

/**
 * The options of google-research/bert create_pretraining_data.py, with its defaults. do_whole_word_mask defaults to
 * false there (the flag's default) and here.
 */
@DefaultSerializer(JavaSerializer.class) // Kryo 4 cannot serialize records
public record PretrainingConfig(
        int maxSeqLength,
        int maxPredictionsPerSeq,
        double maskedLmProb,
        double shortSeqProb,
        int dupeFactor,
        long randomSeed,
        boolean doLowerCase,
        boolean doWholeWordMask,
        boolean balancedNsp) implements Serializable {

    /**
     * create_pretraining_data.py's options; {@code balancedNsp} is this project's addition (off = the reference):
     * a chunk of a single sentence takes the document's next sentence as its B candidate instead of always becoming
     * a random-next example. The reference draws the target length once per document, so on book-length documents a
     * short target turns most chunks of that (book, duplicate) into single sentences, all random-next, and the
     * positive rate drops to ~43% (30 Gutenberg books, dupe 2); with this option the coin decides almost everywhere.
     */
    public PretrainingConfig(int maxSeqLength, int maxPredictionsPerSeq, double maskedLmProb, double shortSeqProb,
                             int dupeFactor, long randomSeed, boolean doLowerCase, boolean doWholeWordMask) {
        this(maxSeqLength, maxPredictionsPerSeq, maskedLmProb, shortSeqProb, dupeFactor, randomSeed, doLowerCase,
                doWholeWordMask, false);
    }

    public static PretrainingConfig defaults() {
        return new PretrainingConfig(128, 20, 0.15, 0.1, 10, 12345, true, false);
    }

    public PretrainingConfig {
        if (maxSeqLength < 5) throw new IllegalArgumentException("max_seq_length must be at least 5 (got " + maxSeqLength + ")");
        if (maxPredictionsPerSeq < 1) throw new IllegalArgumentException("max_predictions_per_seq must be at least 1 (got " + maxPredictionsPerSeq + ")");
        if (!(maskedLmProb > 0 && maskedLmProb <= 1)) throw new IllegalArgumentException("masked_lm_prob must be in (0, 1] (got " + maskedLmProb + ")");
        if (!(shortSeqProb >= 0 && shortSeqProb <= 1)) throw new IllegalArgumentException("short_seq_prob must be in [0, 1] (got " + shortSeqProb + ")");
        if (dupeFactor < 1) throw new IllegalArgumentException("dupe_factor must be at least 1 (got " + dupeFactor + ")");
    }

    /** Room for tokens: max_seq_length minus [CLS], [SEP], [SEP]. */
    public int maxNumTokens() {
        return maxSeqLength - 3;
    }

    public PretrainingConfig withDupeFactor(int n) {
        return new PretrainingConfig(maxSeqLength, maxPredictionsPerSeq, maskedLmProb, shortSeqProb, n, randomSeed, doLowerCase, doWholeWordMask, balancedNsp);
    }

    public PretrainingConfig withWholeWordMask(boolean b) {
        return new PretrainingConfig(maxSeqLength, maxPredictionsPerSeq, maskedLmProb, shortSeqProb, dupeFactor, randomSeed, doLowerCase, b, balancedNsp);
    }

    public PretrainingConfig withBalancedNsp(boolean b) {
        return new PretrainingConfig(maxSeqLength, maxPredictionsPerSeq, maskedLmProb, shortSeqProb, dupeFactor, randomSeed, doLowerCase, doWholeWordMask, b);
    }
}
