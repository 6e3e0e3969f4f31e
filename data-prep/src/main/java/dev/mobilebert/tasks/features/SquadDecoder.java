package dev.mobilebert.tasks.features;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.mobilebert.tasks.PyStrings;
import dev.mobilebert.tasks.SquadExample;
import dev.mobilebert.tokenization.BasicTokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * run_squad.py's {@code write_predictions}: for every example, the n-best start/end indices of each of its
 * windows, valid spans only (inside the context, on max-context positions, end ≥ start, at most
 * max_answer_length pieces), ranked by start + end logit, de-tokenized and mapped back with
 * {@link FinalText}; for v2.0 the null score (the lowest [CLS] start + end over the windows) competes and the
 * answer is "" when null score − best non-null score exceeds the threshold. Defaults: n-best 20, length 30.
 */
public final class SquadDecoder {
    public static final int DEFAULT_N_BEST_SIZE = 20;
    public static final int DEFAULT_MAX_ANSWER_LENGTH = 30;

    /** The model's output for one feature. */
    public record RawResult(long uniqueId, float[] startLogits, float[] endLogits) {}

    /** One line of nbest_predictions.json (run_squad.py's field names). */
    public record NbestEntry(@JsonProperty("text") String text, @JsonProperty("probability") double probability,
                             @JsonProperty("start_logit") double startLogit, @JsonProperty("end_logit") double endLogit) {}

    /** predictions.json, nbest_predictions.json and (v2.0) null_odds.json, keyed by question id in example order. */
    public record Output(Map<String, String> predictions, Map<String, List<NbestEntry>> nbest, Map<String, Double> nullOdds) {}

    private record Prelim(int featureIndex, int startIndex, int endIndex, double startLogit, double endLogit) {
        double score() {
            return startLogit + endLogit;
        }
    }

    private record Candidate(String text, double startLogit, double endLogit) {}

    private final int nBestSize;
    private final int maxAnswerLength;
    private final boolean withNegative;
    private final double nullScoreDiffThreshold;
    private final BasicTokenizer basic;

    public SquadDecoder(boolean doLowerCase, boolean withNegative, double nullScoreDiffThreshold) {
        this(DEFAULT_N_BEST_SIZE, DEFAULT_MAX_ANSWER_LENGTH, doLowerCase, withNegative, nullScoreDiffThreshold);
    }

    public SquadDecoder(int nBestSize, int maxAnswerLength, boolean doLowerCase, boolean withNegative,
                        double nullScoreDiffThreshold) {
        this.nBestSize = nBestSize;
        this.maxAnswerLength = maxAnswerLength;
        this.withNegative = withNegative;
        this.nullScoreDiffThreshold = nullScoreDiffThreshold;
        this.basic = new BasicTokenizer(doLowerCase);
    }

    public Output decode(List<SquadExample> examples, List<SquadFeature> features, List<RawResult> results) {
        Map<Integer, List<SquadFeature>> byExample = new HashMap<>();
        for (SquadFeature f : features) byExample.computeIfAbsent(f.exampleIndex(), k -> new ArrayList<>()).add(f);
        Map<Long, RawResult> byId = new HashMap<>();
        for (RawResult r : results) byId.put(r.uniqueId(), r);
        Map<String, String> predictions = new LinkedHashMap<>();
        Map<String, List<NbestEntry>> nbest = new LinkedHashMap<>();
        Map<String, Double> nullOdds = new LinkedHashMap<>();
        for (int e = 0; e < examples.size(); e++) {
            decode(examples.get(e), byExample.getOrDefault(e, List.of()), byId, predictions, nbest, nullOdds);
        }
        return new Output(predictions, nbest, withNegative ? nullOdds : Map.of());
    }

    private void decode(SquadExample example, List<SquadFeature> features, Map<Long, RawResult> results,
                        Map<String, String> predictions, Map<String, List<NbestEntry>> nbestOut, Map<String, Double> nullOdds) {
        List<Prelim> prelim = new ArrayList<>();
        double scoreNull = 1000000;
        int minNullFeature = 0;
        double nullStart = 0;
        double nullEnd = 0;
        for (int fi = 0; fi < features.size(); fi++) {
            SquadFeature feature = features.get(fi);
            RawResult result = results.get(feature.uniqueId());
            if (result == null) throw new IllegalArgumentException("no model output for feature " + feature.uniqueId()
                    + " of question " + example.qasId());
            if (withNegative) {
                double featureNull = (double) result.startLogits()[0] + result.endLogits()[0];
                if (featureNull < scoreNull) {
                    scoreNull = featureNull;
                    minNullFeature = fi;
                    nullStart = result.startLogits()[0];
                    nullEnd = result.endLogits()[0];
                }
            }
            int numTokens = feature.tokens().size();
            for (int start : bestIndexes(result.startLogits(), nBestSize)) {
                for (int end : bestIndexes(result.endLogits(), nBestSize)) {
                    if (start >= numTokens || end >= numTokens) continue;
                    if (feature.tokenToOrigMap()[start] < 0 || feature.tokenToOrigMap()[end] < 0) continue;
                    if (!feature.tokenIsMaxContext()[start]) continue;
                    if (end < start || end - start + 1 > maxAnswerLength) continue;
                    prelim.add(new Prelim(fi, start, end, result.startLogits()[start], result.endLogits()[end]));
                }
            }
        }
        if (withNegative) prelim.add(new Prelim(minNullFeature, 0, 0, nullStart, nullEnd));
        prelim.sort((a, b) -> a.score() > b.score() ? -1 : a.score() < b.score() ? 1 : 0); // stable, like sorted(reverse=True)

        Set<String> seen = new HashSet<>();
        List<Candidate> nbest = new ArrayList<>();
        for (Prelim p : prelim) {
            if (nbest.size() >= nBestSize) break;
            String text;
            if (p.startIndex() > 0) {
                text = answerText(example, features.get(p.featureIndex()), p);
                if (!seen.add(text)) continue;
            } else {
                text = "";
                seen.add(text);
            }
            nbest.add(new Candidate(text, p.startLogit(), p.endLogit()));
        }
        if (withNegative && !seen.contains("")) nbest.add(new Candidate("", nullStart, nullEnd));
        if (nbest.isEmpty()) nbest.add(new Candidate("empty", 0.0, 0.0)); // run_squad's nonce for a rare edge case

        List<Double> totals = new ArrayList<>();
        Candidate bestNonNull = null;
        for (Candidate c : nbest) {
            totals.add(c.startLogit() + c.endLogit());
            if (bestNonNull == null && !c.text().isEmpty()) bestNonNull = c;
        }
        double[] probs = softmax(totals);
        List<NbestEntry> entries = new ArrayList<>();
        for (int i = 0; i < nbest.size(); i++) {
            Candidate c = nbest.get(i);
            entries.add(new NbestEntry(c.text(), probs[i], c.startLogit(), c.endLogit()));
        }
        nbestOut.put(example.qasId(), entries);
        if (!withNegative) {
            predictions.put(example.qasId(), entries.get(0).text());
            return;
        }
        // run_squad.py fails when every n-best entry is empty; here the question is answered with "" instead
        double diff = bestNonNull == null ? scoreNull : scoreNull - bestNonNull.startLogit() - bestNonNull.endLogit();
        nullOdds.put(example.qasId(), diff);
        predictions.put(example.qasId(), diff > nullScoreDiffThreshold || bestNonNull == null ? "" : bestNonNull.text());
    }

    private String answerText(SquadExample example, SquadFeature feature, Prelim p) {
        List<String> tokTokens = feature.tokens().subList(p.startIndex(), p.endIndex() + 1);
        int origStart = feature.tokenToOrigMap()[p.startIndex()];
        int origEnd = feature.tokenToOrigMap()[p.endIndex()];
        String tokText = String.join(" ", tokTokens).replace(" ##", "").replace("##", "");
        tokText = String.join(" ", PyStrings.split(tokText.strip()));
        String origText = String.join(" ", example.docTokens().subList(origStart, origEnd + 1));
        return FinalText.get(tokText, origText, basic);
    }

    /**
     * _get_best_indexes: positions of the n largest logits, ties in position order (Python's stable sort). A
     * selection of n maxima, each the earliest among equals: cheaper than sorting every position.
     */
    static List<Integer> bestIndexes(float[] logits, int n) {
        int k = Math.min(n, logits.length);
        boolean[] taken = new boolean[logits.length];
        List<Integer> out = new ArrayList<>(k);
        for (int j = 0; j < k; j++) {
            int best = -1;
            for (int i = 0; i < logits.length; i++) {
                if (!taken[i] && (best < 0 || logits[i] > logits[best])) best = i;
            }
            taken[best] = true;
            out.add(best);
        }
        return out;
    }

    static double[] softmax(List<Double> scores) {
        double max = Double.NEGATIVE_INFINITY;
        for (double s : scores) max = Math.max(max, s);
        double[] exp = new double[scores.size()];
        double total = 0.0;
        for (int i = 0; i < exp.length; i++) {
            exp[i] = Math.exp(scores.get(i) - max);
            total += exp[i];
        }
        for (int i = 0; i < exp.length; i++) exp[i] /= total;
        return exp;
    }
}
