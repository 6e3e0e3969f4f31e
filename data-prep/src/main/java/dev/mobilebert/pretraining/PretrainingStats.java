package dev.mobilebert.pretraining;

import dev.mobilebert.corpus.Repairs;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** What stats.json reports; mergeable so Spark can aggregate it per partition. */
public final class PretrainingStats implements Serializable {
    private static final long serialVersionUID = 1L;

    long files;
    long documents;
    long sentences;
    long corpusTokens;
    long textBytes;
    long instances;
    long tokens;
    long eligibleTokens;
    long masked;
    long maskedAsMask;
    long maskedKept;
    long maskedRandom;
    long randomNext;
    long forcedRandomNext;
    final TreeMap<Integer, Long> lengthHistogram = new TreeMap<>();
    Repairs repairs = new Repairs();

    /** Counts a tokenized document (after empty sentences were dropped). */
    public PretrainingStats addDocument(int[][] sentences) {
        documents++;
        this.sentences += sentences.length;
        for (int[] s : sentences) corpusTokens += s.length;
        return this;
    }

    public PretrainingStats addFile(long bytes) {
        files++;
        textBytes += bytes;
        return this;
    }

    public PretrainingStats addInstance(CreatedInstance c) {
        PretrainingInstance p = c.instance();
        instances++;
        tokens += p.length();
        eligibleTokens += p.length() - 3;
        masked += p.numPredictions();
        maskedAsMask += c.maskedAsMask();
        maskedKept += c.maskedKept();
        maskedRandom += c.maskedRandom();
        if (p.nextSentenceLabel() == 1) randomNext++;
        if (c.forcedRandom()) forcedRandomNext++;
        lengthHistogram.merge(p.length(), 1L, Long::sum);
        return this;
    }

    public PretrainingStats addRepairs(Repairs r) {
        repairs.merge(r);
        return this;
    }

    public PretrainingStats merge(PretrainingStats o) {
        files += o.files;
        documents += o.documents;
        sentences += o.sentences;
        corpusTokens += o.corpusTokens;
        textBytes += o.textBytes;
        instances += o.instances;
        tokens += o.tokens;
        eligibleTokens += o.eligibleTokens;
        masked += o.masked;
        maskedAsMask += o.maskedAsMask;
        maskedKept += o.maskedKept;
        maskedRandom += o.maskedRandom;
        randomNext += o.randomNext;
        forcedRandomNext += o.forcedRandomNext;
        o.lengthHistogram.forEach((k, v) -> lengthHistogram.merge(k, v, Long::sum));
        repairs.merge(o.repairs);
        return this;
    }

    public long documents() { return documents; }
    public long sentences() { return sentences; }
    public long instances() { return instances; }
    public long tokens() { return tokens; }
    public long masked() { return masked; }
    public long textBytes() { return textBytes; }
    public Repairs repairs() { return repairs; }

    public double maskedFractionOfTokens() { return ratio(masked, tokens); }
    public double maskedFractionOfEligible() { return ratio(masked, eligibleTokens); }
    public double maskShare() { return ratio(maskedAsMask, masked); }
    public double keptShare() { return ratio(maskedKept, masked); }
    public double randomShare() { return ratio(maskedRandom, masked); }
    /** Share of instances whose B is the actual continuation (label 0, "IsNext"). */
    public double nspPositiveRate() { return ratio(instances - randomNext, instances); }
    /** Share of random-next among instances whose chunk had two or more segments (where a coin was tossed). */
    public double nspRandomRateWhereDrawn() { return ratio(randomNext - forcedRandomNext, instances - forcedRandomNext); }
    public double forcedRandomShare() { return ratio(forcedRandomNext, instances); }

    private static double ratio(long a, long b) {
        return b == 0 ? 0 : (double) a / b;
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("files", files);
        m.put("text_bytes", textBytes);
        m.put("documents", documents);
        m.put("sentences", sentences);
        m.put("corpus_tokens", corpusTokens);
        m.put("instances", instances);
        m.put("tokens", tokens);
        m.put("eligible_tokens", eligibleTokens);
        m.put("masked", masked);
        m.put("masked_fraction_of_tokens", maskedFractionOfTokens());
        m.put("masked_fraction_of_eligible_tokens", maskedFractionOfEligible());
        m.put("masked_split", Map.of(
                "mask", maskShare(), "original", keptShare(), "random", randomShare(),
                "counts", Map.of("mask", maskedAsMask, "original", maskedKept, "random", maskedRandom)));
        m.put("nsp_positive_rate", nspPositiveRate());
        m.put("nsp_random_next", randomNext);
        m.put("nsp_forced_random_next", forcedRandomNext);
        m.put("nsp_random_rate_where_drawn", nspRandomRateWhereDrawn());
        m.put("length_histogram", new TreeMap<>(lengthHistogram));
        m.put("repairs", repairs.toJson());
        return m;
    }
}
