package dev.mobilebert.tasks.eval;

import dev.mobilebert.tasks.BadInputException;
import dev.mobilebert.tasks.SquadDataset;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code evaluate-v1.1.py}: exact match and token F1 of each question's prediction against every gold answer,
 * the maximum over gold answers, averaged over all questions of the dataset and ×100. A question without a
 * prediction scores 0 ("Unanswered question ... will receive score 0."); predictions for ids not in the dataset are
 * ignored. Both are counted in the {@link Report}.
 */
public final class SquadV1Evaluator {
    public static final String EXPECTED_VERSION = "1.1";

    private SquadV1Evaluator() {}

    public static boolean exactMatch(String prediction, String groundTruth) {
        return SquadNormalizer.normalize(prediction).equals(SquadNormalizer.normalize(groundTruth));
    }

    /** v1.1's f1_score: 0 when nothing is shared (including when both normalise to nothing). */
    public static double f1(String prediction, String groundTruth) {
        List<String> p = SquadNormalizer.tokens(prediction);
        List<String> g = SquadNormalizer.tokens(groundTruth);
        int same = SquadNormalizer.commonCount(p, g);
        if (same == 0) return 0;
        return SquadNormalizer.f1(same, p.size(), g.size());
    }

    public static Report evaluate(SquadDataset dataset, Map<String, String> predictions) {
        double exactMatch = 0;
        double f1 = 0;
        int total = 0;
        List<String> unanswered = new ArrayList<>();
        java.util.Set<String> known = new java.util.HashSet<>();
        for (SquadDataset.Question qa : dataset.questions()) {
            total++;
            known.add(qa.id());
            String prediction = predictions.get(qa.id());
            if (prediction == null) {
                unanswered.add(qa.id());
                continue;
            }
            if (qa.answers().isEmpty()) {
                throw new BadInputException(dataset.file() + ": question " + qa.id()
                        + " has no gold answers; evaluate-v1.1.py cannot score it (is this a v2.0 file?)");
            }
            // integer exact-match counts and float F1 sums, accumulated in file order as the script does
            double em = 0;
            double best = Double.NEGATIVE_INFINITY;
            for (SquadDataset.Answer gold : qa.answers()) {
                em = Math.max(em, exactMatch(prediction, gold.text()) ? 1 : 0);
                best = Math.max(best, f1(prediction, gold.text()));
            }
            exactMatch += em;
            f1 += best;
        }
        if (total == 0) throw new BadInputException(dataset.file() + ": no questions");
        int unknown = 0;
        for (String id : predictions.keySet()) if (!known.contains(id)) unknown++;
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("exact_match", 100.0 * exactMatch / total);
        metrics.put("f1", 100.0 * f1 / total);
        return new Report(metrics, unanswered, unknown, messages(dataset, unanswered, unknown));
    }

    private static List<String> messages(SquadDataset dataset, List<String> unanswered, int unknown) {
        List<String> m = new ArrayList<>();
        if (!EXPECTED_VERSION.equals(dataset.version())) {
            m.add("Evaluation expects v-" + EXPECTED_VERSION + ", but got dataset with v-" + dataset.version());
        }
        if (unknown > 0) m.add(unknown + " prediction(s) for ids not in the dataset were ignored");
        for (String id : unanswered) m.add("Unanswered question " + id + " will receive score 0.");
        return m;
    }
}
