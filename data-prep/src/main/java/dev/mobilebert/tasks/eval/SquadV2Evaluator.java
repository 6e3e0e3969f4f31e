package dev.mobilebert.tasks.eval;

import dev.mobilebert.tasks.BadInputException;
import dev.mobilebert.tasks.SquadDataset;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code evaluate-v2.0.py}. Gold answers that normalise to nothing are dropped and a question left without any
 * is scored against {@code ['']}; F1 is 1 when both sides are empty. A question whose no-answer probability
 * exceeds the threshold (default 1.0) counts as answered with "". With a no-answer probability file it also
 * reports {@code best_exact}/{@code best_f1} and their thresholds ({@code find_all_best_thresh}).
 * The official script fails (KeyError) when a prediction or a no-answer probability is missing; here that is an
 * error listing the missing ids. Predictions for unknown ids are ignored and counted.
 */
public final class SquadV2Evaluator {
    public static final double DEFAULT_NA_PROB_THRESH = 1.0;

    private SquadV2Evaluator() {}

    /** compute_exact. */
    public static int exact(String gold, String prediction) {
        return SquadNormalizer.normalize(gold).equals(SquadNormalizer.normalize(prediction)) ? 1 : 0;
    }

    /** get_tokens: {@code []} for the empty string, else the normalised tokens. */
    static List<String> tokens(String s) {
        return s.isEmpty() ? List.of() : SquadNormalizer.tokens(s);
    }

    /** compute_f1. */
    public static double f1(String gold, String prediction) {
        List<String> g = tokens(gold);
        List<String> p = tokens(prediction);
        int same = SquadNormalizer.commonCount(g, p);
        if (g.isEmpty() || p.isEmpty()) return g.equals(p) ? 1 : 0;
        if (same == 0) return 0;
        return SquadNormalizer.f1(same, p.size(), g.size());
    }

    /**
     * @param naProbs no-answer probabilities by id, in file order (ties in find_best_thresh keep that order), or
     *                {@code null}: then every prediction gets 0.0 and no best thresholds are computed
     */
    public static Report evaluate(SquadDataset dataset, Map<String, String> predictions, Map<String, Double> naProbs,
                                  double naProbThresh) {
        Map<String, Boolean> hasAns = new LinkedHashMap<>();
        for (SquadDataset.Question qa : dataset.questions()) hasAns.put(qa.id(), !qa.answers().isEmpty());
        Map<String, Double> exactRaw = new LinkedHashMap<>();
        Map<String, Double> f1Raw = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (SquadDataset.Question qa : dataset.questions()) {
            String pred = predictions.get(qa.id());
            if (pred == null) {
                missing.add(qa.id());
                continue;
            }
            List<String> golds = new ArrayList<>();
            for (SquadDataset.Answer a : qa.answers()) if (!SquadNormalizer.normalize(a.text()).isEmpty()) golds.add(a.text());
            if (golds.isEmpty()) golds.add("");
            double em = Double.NEGATIVE_INFINITY;
            double f = Double.NEGATIVE_INFINITY;
            for (String g : golds) {
                em = Math.max(em, exact(g, pred));
                f = Math.max(f, f1(g, pred));
            }
            exactRaw.put(qa.id(), em);
            f1Raw.put(qa.id(), f);
        }
        if (!missing.isEmpty()) {
            throw new BadInputException(missing.size() + " question(s) of " + dataset.file()
                    + " have no prediction (evaluate-v2.0.py fails on them), e.g. " + head(missing));
        }
        Map<String, Double> probs = naProbs;
        if (probs == null) {
            probs = new LinkedHashMap<>();
            for (String k : predictions.keySet()) probs.put(k, 0.0);
        } else {
            List<String> noProb = new ArrayList<>();
            for (String k : exactRaw.keySet()) if (!naProbs.containsKey(k)) noProb.add(k);
            if (!noProb.isEmpty()) {
                throw new BadInputException(noProb.size() + " question(s) have no no-answer probability, e.g. " + head(noProb));
            }
        }
        Map<String, Double> exactThresh = applyNoAnsThreshold(exactRaw, probs, hasAns, naProbThresh);
        Map<String, Double> f1Thresh = applyNoAnsThreshold(f1Raw, probs, hasAns, naProbThresh);
        Map<String, Object> out = evalDict(exactThresh, f1Thresh, null);
        List<String> hasAnsIds = hasAns.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).toList();
        List<String> noAnsIds = hasAns.entrySet().stream().filter(e -> !e.getValue()).map(Map.Entry::getKey).toList();
        if (!hasAnsIds.isEmpty()) merge(out, evalDict(exactThresh, f1Thresh, hasAnsIds), "HasAns");
        if (!noAnsIds.isEmpty()) merge(out, evalDict(exactThresh, f1Thresh, noAnsIds), "NoAns");
        if (naProbs != null) {
            double[] bestExact = findBestThresh(predictions, exactRaw, naProbs, hasAns);
            double[] bestF1 = findBestThresh(predictions, f1Raw, naProbs, hasAns);
            out.put("best_exact", bestExact[0]);
            out.put("best_exact_thresh", bestExact[1]);
            out.put("best_f1", bestF1[0]);
            out.put("best_f1_thresh", bestF1[1]);
        }
        int unknown = 0;
        for (String id : predictions.keySet()) if (!hasAns.containsKey(id)) unknown++;
        List<String> messages = new ArrayList<>();
        if (unknown > 0) messages.add(unknown + " prediction(s) for ids not in the dataset were ignored");
        return new Report(out, List.of(), unknown, messages);
    }

    static Map<String, Double> applyNoAnsThreshold(Map<String, Double> scores, Map<String, Double> naProbs,
                                                   Map<String, Boolean> hasAns, double thresh) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<String, Double> e : scores.entrySet()) {
            boolean predNa = naProbs.get(e.getKey()) > thresh;
            out.put(e.getKey(), predNa ? (hasAns.get(e.getKey()) ? 0.0 : 1.0) : e.getValue());
        }
        return out;
    }

    /** make_eval_dict: sums in insertion order, then {@code 100.0 * sum / total}. */
    static Map<String, Object> evalDict(Map<String, Double> exact, Map<String, Double> f1, List<String> ids) {
        Iterable<String> keys = ids == null ? exact.keySet() : ids;
        int total = ids == null ? exact.size() : ids.size();
        double e = 0;
        double f = 0;
        for (String k : keys) {
            e += exact.get(k);
            f += f1.get(k);
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("exact", 100.0 * e / total);
        d.put("f1", 100.0 * f / total);
        d.put("total", total);
        return d;
    }

    private static void merge(Map<String, Object> main, Map<String, Object> add, String prefix) {
        for (Map.Entry<String, Object> e : add.entrySet()) main.put(prefix + "_" + e.getKey(), e.getValue());
    }

    /**
     * find_best_thresh: walk the questions by increasing no-answer probability (a stable sort, so ties keep the
     * file's order), as if every question up to here were answered and the rest abstained; keep the best score.
     * Returns {best score ×100 / number of scored questions, the probability where it was reached}.
     */
    static double[] findBestThresh(Map<String, String> preds, Map<String, Double> scores, Map<String, Double> naProbs,
                                   Map<String, Boolean> hasAns) {
        long numNoAns = hasAns.values().stream().filter(v -> !v).count();
        double curScore = numNoAns;
        double bestScore = curScore;
        double bestThresh = 0.0;
        List<String> qids = new ArrayList<>(naProbs.keySet());
        // Python's < on floats: -0.0 equals 0.0 (Double.compare would order them)
        qids.sort((a, b) -> {
            double x = naProbs.get(a);
            double y = naProbs.get(b);
            return x < y ? -1 : x > y ? 1 : 0;
        });
        for (String qid : qids) {
            if (!scores.containsKey(qid)) continue;
            double diff;
            if (hasAns.get(qid)) diff = scores.get(qid);
            else diff = preds.get(qid).isEmpty() ? 0 : -1;
            curScore += diff;
            if (curScore > bestScore) {
                bestScore = curScore;
                bestThresh = naProbs.get(qid);
            }
        }
        return new double[]{100.0 * bestScore / scores.size(), bestThresh};
    }

    static String head(List<String> ids) {
        return ids.size() <= 5 ? String.join(", ", ids) : String.join(", ", ids.subList(0, 5)) + ", ...";
    }
}
