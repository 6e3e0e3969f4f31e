package dev.mobilebert.train;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.*;

/** MLM/NSP losses and accuracies against values computed by hand. */
class PretrainingMetricsTest {
    @Test
    void weightedMlmAndPlainNspAgreeWithHandComputedValues() {
        // 2 examples, P = 2 predictions of V = 3 classes each: logits [2, 6]
        var mlmLogits = Nd4j.create(new float[]{
                2, 0, 0,   0, 1, 0,   // example 0: slot 0 predicts 0, slot 1 predicts 1
                0, 0, 3,   5, 5, 9}, // example 1: slot 0 predicts 2, slot 1 is padding (weight 0, label ignored)
                new long[]{2, 6}, DataType.FLOAT);
        var ids = Nd4j.create(new float[]{0, 2, 1, 0}, new long[]{2, 2}, DataType.FLOAT);
        var weights = Nd4j.create(new float[]{1, 1, 1, 0}, new long[]{2, 2}, DataType.FLOAT);
        var nspLogits = Nd4j.create(new float[]{1, 0, 0, 0}, new long[]{2, 2}, DataType.FLOAT);
        var nspLabels = Nd4j.create(new float[]{0, 1}, new long[]{2, 1}, DataType.FLOAT);

        PretrainingMetrics m = PretrainingMetrics.of(mlmLogits, ids, weights, nspLogits, nspLabels);

        double ce00 = Math.log(Math.exp(2) + 2) - 2;          // label 0 of logits (2,0,0)
        double ce01 = Math.log(Math.E + 2) - 0;               // label 2 of (0,1,0)
        double ce10 = Math.log(Math.exp(3) + 2) - 0;          // label 1 of (0,0,3)
        assertEquals(ce00 + ce01 + ce10, m.mlmLoss(), 1e-5);
        assertEquals(3, m.mlmWeight());
        assertEquals(1, m.mlmCorrect());                     // only slot (0,0) is right
        assertEquals(1.0 / 3, m.mlmAccuracy(), 1e-12);
        double nsp0 = Math.log(Math.E + 1) - 1, nsp1 = Math.log(2);
        assertEquals((nsp0 + nsp1) / 2, m.nspLossMean(), 1e-6);
        // example 0 right; example 1 is a tie (0, 0): arg-max takes class 0, label 1 -> wrong
        assertEquals(0.5, m.nspAccuracy(), 1e-12);
        assertEquals(2, m.examples());

        PretrainingMetrics twice = m.plus(m);
        assertEquals(m.mlmAccuracy(), twice.mlmAccuracy(), 1e-12);
        assertEquals(4, twice.examples());
    }

    @Test
    void aLabelOutsideTheVocabularyWithWeightIsAnError() {
        var logits = Nd4j.zeros(DataType.FLOAT, 1, 3);
        var ids = Nd4j.create(new float[]{7}, new long[]{1, 1}, DataType.FLOAT);
        var e = assertThrows(IllegalArgumentException.class, () -> PretrainingMetrics.of(logits, ids, null,
                Nd4j.zeros(DataType.FLOAT, 1, 2), Nd4j.zeros(DataType.FLOAT, 1, 1)));
        assertTrue(e.getMessage().contains("label 7"), e.getMessage());
    }
}
