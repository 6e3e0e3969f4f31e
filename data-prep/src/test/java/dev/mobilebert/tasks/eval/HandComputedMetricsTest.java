package dev.mobilebert.tasks.eval;

import dev.mobilebert.tasks.SquadDataset;
import dev.mobilebert.tasks.SquadDataset.Answer;
import dev.mobilebert.tasks.SquadDataset.Question;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Small cases whose expected values were worked out by hand (the arithmetic is in the comments). */
class HandComputedMetricsTest {

    @Test
    void normalizeAnswer() {
        // lower -> "the cat's  hat!" ; no punctuation -> "the cats  hat" ; articles -> " cats  hat" ; spaces
        assertEquals("cats hat", SquadNormalizer.normalize("The Cat's  hat!"));
        assertEquals("apple day", SquadNormalizer.normalize("An apple a day"));
        assertEquals("theatre", SquadNormalizer.normalize("theatre"), "articles only as whole words");
        assertEquals("b", SquadNormalizer.normalize("a\u00a0b"), "U+00A0 is a word boundary and Python whitespace");
        assertEquals("", SquadNormalizer.normalize("_the_"), "'_' is punctuation, so 'the' becomes a word");
        assertEquals("athe", SquadNormalizer.normalize("a-the"), "punctuation goes before articles");
    }

    @Test
    void squadV11ExactF1AndMissing() {
        SquadDataset d = dataset(
                q("q1", "Denver Broncos", "The Denver Broncos"),
                q("q2", "Santa Clara, California"),
                q("q3", "Levi's Stadium"));
        Map<String, String> preds = new LinkedHashMap<>();
        preds.put("q1", "denver broncos!"); // EM 1, F1 1
        preds.put("q2", "Santa Clara");     // p = 2/2, r = 2/3 -> F1 = 2*(2/3)/(5/3) = 0.8; EM 0
        preds.put("zz", "ignored");         // unknown id: ignored
        Report r = SquadV1Evaluator.evaluate(d, preds); // q3 missing: scores 0 but counts in the total
        assertEquals(100.0 / 3, (double) r.metrics().get("exact_match"), 1e-12);
        assertEquals(100.0 * 1.8 / 3, (double) r.metrics().get("f1"), 1e-12);
        assertEquals(List.of("q3"), r.missing());
        assertEquals(1, r.unknown());
        assertTrue(r.messages().contains("Unanswered question q3 will receive score 0."));
        assertEquals(0.0, SquadV1Evaluator.f1("the", "a"), "v1.1: nothing shared -> 0 even when both are empty");
    }

    @Test
    void squadV20WithAndWithoutNullOdds() {
        SquadDataset d = dataset(q("q1", "Paris"), q("q2"), q("q3", "the big cat"), q("q4"));
        Map<String, String> preds = new LinkedHashMap<>();
        preds.put("q1", "Paris");     // EM 1, F1 1
        preds.put("q2", "");          // no answer, predicted none: EM 1, F1 1
        preds.put("q3", "big dog");   // gold "big cat": 1 shared of 2 and 2 -> F1 0.5, EM 0
        preds.put("q4", "something"); // no answer but answered: 0, 0
        Map<String, Object> m = SquadV2Evaluator.evaluate(d, preds, null, 1.0).metrics();
        assertEquals(List.of("exact", "f1", "total", "HasAns_exact", "HasAns_f1", "HasAns_total",
                "NoAns_exact", "NoAns_f1", "NoAns_total"), List.copyOf(m.keySet()));
        assertEquals(50.0, (double) m.get("exact"), 1e-12);      // (1+1+0+0)/4
        assertEquals(62.5, (double) m.get("f1"), 1e-12);         // (1+1+0.5+0)/4
        assertEquals(4, m.get("total"));
        assertEquals(75.0, (double) m.get("HasAns_f1"), 1e-12);  // (1+0.5)/2
        assertEquals(50.0, (double) m.get("NoAns_exact"), 1e-12);

        Map<String, Double> odds = new LinkedHashMap<>();
        odds.put("q1", 0.1);
        odds.put("q2", 0.9);
        odds.put("q3", 0.4);
        odds.put("q4", 0.8);
        // start at 2 (the no-answer questions); by increasing odds: q1 +1 -> 3 (best, 0.1); q3 +0 (EM) / +0.5 (F1,
        // best 3.5 at 0.4); q4 answered wrongly -1; q2 empty 0
        Map<String, Object> best = SquadV2Evaluator.evaluate(d, preds, odds, 1.0).metrics();
        assertEquals(75.0, (double) best.get("best_exact"), 1e-12);
        assertEquals(0.1, (double) best.get("best_exact_thresh"), 0);
        assertEquals(87.5, (double) best.get("best_f1"), 1e-12);
        assertEquals(0.4, (double) best.get("best_f1_thresh"), 0);
        // threshold 0.5: q2 (0.9) and q4 (0.8) count as "no answer", both right: EM (1+1+0+1)/4, F1 (1+1+.5+1)/4
        Map<String, Object> t = SquadV2Evaluator.evaluate(d, preds, odds, 0.5).metrics();
        assertEquals(75.0, (double) t.get("exact"), 1e-12);
        assertEquals(87.5, (double) t.get("f1"), 1e-12);

        preds.remove("q4");
        assertThrows(dev.mobilebert.tasks.BadInputException.class, () -> SquadV2Evaluator.evaluate(d, preds, null, 1.0),
                "evaluate-v2.0.py fails on a missing prediction; so do we, with the ids");
    }

    @Test
    void glueClassificationMetrics() {
        int[] gold = {1, 1, 1, 0, 0, 0, 1, 0};
        int[] pred = {1, 0, 1, 0, 1, 0, 1, 1};
        // tp 3 (0,2,6), fp 2 (4,7), fn 1 (1), tn 2 (3,5)
        assertEquals(5 / 8.0, GlueMetrics.accuracy(gold, pred), 1e-15);
        assertEquals(6 / 9.0, GlueMetrics.f1(gold, pred), 1e-15);
        // (tp*tn - fp*fn) / sqrt((tp+fp)(tp+fn)(tn+fp)(tn+fn)) = (6-2)/sqrt(5*4*4*3)
        assertEquals(4 / Math.sqrt(240), GlueMetrics.matthews(gold, pred, 2), 1e-15);
        // three classes: t_sum [2,1,1], p_sum [2,0,2], 3 correct of 4: (12-6)/sqrt((16-8)(16-6))
        assertEquals(6 / Math.sqrt(80), GlueMetrics.matthews(new int[]{0, 1, 2, 0}, new int[]{0, 2, 2, 0}, 3), 1e-15);
        assertEquals(0.0, GlueMetrics.matthews(gold, new int[8], 2), "constant predictions: 0, as sklearn");
        assertEquals(0.0, GlueMetrics.f1(new int[]{0, 0}, new int[]{0, 0}), "no positives: 0, as sklearn");
    }

    @Test
    void glueCorrelations() {
        // centred x [-1.5,-.5,.5,1.5], y [-3,-1,0,4]: sxy 11, sxx 5, syy 26
        assertEquals(11 / Math.sqrt(130), GlueMetrics.pearson(new double[]{1, 2, 3, 4}, new double[]{2, 4, 5, 9}), 1e-15);
        assertArrayEquals(new double[]{1, 2.5, 2.5, 4}, GlueMetrics.averageRanks(new double[]{1, 2, 2, 3}));
        assertArrayEquals(new double[]{3, 1.5, 1.5}, GlueMetrics.averageRanks(new double[]{5, 0, 0}));
        // ranks [1,2.5,2.5,4] vs [1,2,3,4]: sxy 4.5, sxx 4.5, syy 5
        assertEquals(4.5 / Math.sqrt(22.5),
                GlueMetrics.spearman(new double[]{1, 2, 2, 3}, new double[]{10, 20, 30, 40}), 1e-15);
    }

    static Question q(String id, String... answers) {
        List<Answer> a = java.util.Arrays.stream(answers).map(t -> new Answer(t, 0)).toList();
        return new Question(id, "?", a, a.isEmpty(), List.of());
    }

    static SquadDataset dataset(Question... qs) {
        return new SquadDataset("hand.json", "1.1",
                List.of(new SquadDataset.Article("t", List.of(new SquadDataset.Paragraph("ctx", List.of(qs))))), List.of());
    }
}
