package dev.mobilebert.model.peers;

import dev.mobilebert.model.graph.SparseSoftmaxCrossEntropy;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The peer losses against values worked out by hand, and their gradients against central differences. */
class PeerLossesTest {

    private static INDArray d(double[][] v) { return Nd4j.create(v).castTo(DataType.DOUBLE); }

    private static double[] row(INDArray a) { return a.reshape(a.length()).toDoubleVector(); }

    @Test
    void cosineEmbeddingLossByHand() {
        // one example, 3 tokens of width 2; token 2 is padding
        INDArray student = d(new double[][]{{1, 0, 3, 4, 1, 0}});
        INDArray teacher = d(new double[][]{{0, 1, 4, 3, -1, 0}});
        INDArray mask = d(new double[][]{{1, 1, 0}});
        // token 0: orthogonal, 1 − 0 = 1; token 1: cos = 24/25, 1 − 0.96 = 0.04; mean over the 2 real tokens
        assertEquals(0.52, new CosineEmbeddingLoss(1, 2).value(teacher, student, mask), 1e-12);
        assertEquals(1.04, new CosineEmbeddingLoss(2, 2).value(teacher, student, mask), 1e-12);
        // token 2 (opposite, 1 − (−1) = 2) counts without the mask
        assertEquals((1 + 0.04 + 2) / 3, new CosineEmbeddingLoss(1, 2).value(teacher, student, null), 1e-12);
        // d(1 − cos)/ds for token 1 = −(t/(|s||t|) − cos·s/|s|²) = −([4,3] − 0.96·[3,4])/25 = [−0.0448, 0.0336], halved (mean)
        INDArray g = new CosineEmbeddingLoss(1, 2).computeGradient(teacher, student, null, mask);
        assertArrayEquals(new double[]{0, -0.5, -0.0224, 0.0168, 0, 0}, row(g), 1e-12);
    }

    @Test
    void temperedKlByHand() {
        // teacher probabilities softmax([0, ln 3]) = [1/4, 3/4]; student uniform
        double kl = 0.25 * Math.log(0.25 / 0.5) + 0.75 * Math.log(0.75 / 0.5); // 0.130812...
        INDArray student = d(new double[][]{{0, 0}});
        assertEquals(kl, new TemperedKlDivergence(1, 2, 1, true).value(d(new double[][]{{0, Math.log(3)}}), student, null), 1e-12);
        // T = 2: teacher logits [0, 2 ln 3] give the same distribution at T; DistilBERT multiplies by T² = 4
        INDArray teacherT2 = d(new double[][]{{0, 2 * Math.log(3)}});
        assertEquals(4 * kl, new TemperedKlDivergence(1, 2, 2, true).value(teacherT2, student, null), 1e-12);
        assertEquals(kl, new TemperedKlDivergence(1, 2, 2, false).value(teacherT2, student, null), 1e-12);
        assertEquals(5 * 4 * kl, new TemperedKlDivergence(5, 2, 2, true).value(teacherT2, student, null), 1e-12);
        // gradient (T²/T)·(p_s − p_t) = 2·([1/2, 1/2] − [1/4, 3/4])
        assertArrayEquals(new double[]{0.5, -0.5},
                row(new TemperedKlDivergence(1, 2, 2, true).computeGradient(teacherT2, student, null, null)), 1e-12);
        // identical distributions: zero loss
        assertEquals(0, new TemperedKlDivergence(1, 2, 2, true).value(teacherT2, teacherT2, null), 1e-12);
    }

    @Test
    void temperedKlIgnoresPaddedSlotsAndAveragesOverRealOnes() {
        // two slots per example (masked positions); the second slot of example 1 is padding
        INDArray teacher = d(new double[][]{{0, Math.log(3), 5, -5}, {0, Math.log(3), 9, 9}});
        INDArray student = d(new double[][]{{0, 0, 0, 0}, {0, 0, 0, 0}});
        INDArray mask = d(new double[][]{{1, 0}, {1, 0}});
        double kl = 0.25 * Math.log(0.5) + 0.75 * Math.log(1.5);
        assertEquals(kl, new TemperedKlDivergence(1, 2, 1, true).value(teacher, student, mask), 1e-12);
    }

    @Test
    void meanSquaredErrorByHandWithTinyBertsScoreMasking() {
        assertEquals(2.5, new MeanSquaredError(1, 2, false).value(d(new double[][]{{0, 0}}), d(new double[][]{{1, 2}}), null), 1e-12);
        // padded token excluded by a mask: mean over the real token's elements only
        assertEquals(2.5, new MeanSquaredError(1, 2, false).value(d(new double[][]{{0, 0, 7, 7}}), d(new double[][]{{1, 2, 0, 0}}),
                d(new double[][]{{1, 0}})), 1e-12);
        // scores at or below −100 (padded keys carry −10000) are zeroed on both sides, and still count in the mean
        INDArray teacher = d(new double[][]{{-10000, 3}}), student = d(new double[][]{{-10001, 1}});
        MeanSquaredError scores = new MeanSquaredError(1, 2, true);
        assertEquals((0 + 4) / 2.0, scores.value(teacher, student, null), 1e-12);
        assertArrayEquals(new double[]{0, -2}, row(scores.computeGradient(teacher, student, null, null)), 1e-12);
        assertEquals(0.5 * 3, new MeanSquaredError(3, 2, true).value(d(new double[][]{{-200, 1}}), d(new double[][]{{0, 0}}), null), 1e-12);
    }

    @Test
    void weightedLossScalesScoreAndGradient() {
        INDArray logits = d(new double[][]{{1, 2, 3}, {0, 0, 1}});
        INDArray labels = d(new double[][]{{2}, {0}});
        ILossFunction plain = new SparseSoftmaxCrossEntropy();
        WeightedLoss twice = new WeightedLoss(plain, 2);
        assertEquals(2 * plain.computeScore(labels, logits, null, null, true), twice.computeScore(labels, logits, null, null, true), 1e-12);
        assertArrayEquals(row(plain.computeGradient(labels, logits, null, null).mul(2)), row(twice.computeGradient(labels, logits, null, null)), 1e-12);
    }

    @Test
    void gradientsMatchCentralDifferences() {
        Random rng = new Random(7);
        int n = 2, k = 2, c = 3;
        INDArray mask = d(new double[][]{{1, 0}, {1, 1}});
        SlotLoss[] losses = {new CosineEmbeddingLoss(1.5, c), new TemperedKlDivergence(5, c, 2, true),
                new TemperedKlDivergence(1, c, 3, false), new MeanSquaredError(2, c, false), new MeanSquaredError(1, c, true)};
        for (SlotLoss loss : losses) {
            for (INDArray m : new INDArray[]{mask, null}) {
                INDArray teacher = Nd4j.create(DataType.DOUBLE, n, (long) k * c), student = Nd4j.create(DataType.DOUBLE, n, (long) k * c);
                for (int i = 0; i < n * k * c; i++) {
                    teacher.putScalar(i, rng.nextGaussian());
                    student.putScalar(i, rng.nextGaussian());
                }
                if (loss == losses[4]) { // padded keys' scores in the score-masking MSE
                    teacher.putScalar(1, -10000);
                    student.putScalar(5, -10000);
                }
                INDArray g = loss.computeGradient(teacher, student, null, m);
                final INDArray mm = m;
                FiniteDifferences.check(student, g, () -> loss.computeScore(teacher, student, null, mm, false), 1e-6, 1e-6, loss + " mask " + (m != null));
            }
        }
    }

    @Test
    void scoreArrayIsTheMeanLossTimesTheMinibatch() {
        INDArray teacher = d(new double[][]{{0, 1, 4, 3}, {1, 1, 2, 0}, {3, 0, 0, 1}});
        INDArray student = d(new double[][]{{1, 0, 3, 4}, {1, 2, 0, 2}, {1, 1, 1, 1}});
        CosineEmbeddingLoss loss = new CosineEmbeddingLoss(1, 2);
        INDArray perExample = loss.computeScoreArray(teacher, student, null, null);
        assertEquals(3, perExample.length());
        assertEquals(loss.value(teacher, student, null) * 3, perExample.sumNumber().doubleValue(), 1e-12);
    }

    @Test
    void badShapesAreNamed() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new CosineEmbeddingLoss(1, 3).value(d(new double[][]{{1, 2, 3, 4}}), d(new double[][]{{1, 2, 3, 4}}), null));
        assertEquals("CosineEmbeddingLoss: 4 columns per example are not a multiple of the slot width 3", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TemperedKlDivergence(1, 2, 0, true));
    }

    @Test
    void lossesSurviveDl4jsJsonRoundTrip() throws Exception {
        ObjectMapper json = org.deeplearning4j.nn.conf.NeuralNetConfiguration.mapper();
        ILossFunction[] losses = {new CosineEmbeddingLoss(1.5, 8), new TemperedKlDivergence(5, 30, 2, true),
                new MeanSquaredError(2, 4, true), new WeightedLoss(new SparseSoftmaxCrossEntropy(), 2)};
        for (ILossFunction l : losses) {
            String s = json.writeValueAsString(l);
            assertEquals(l, json.readValue(s, ILossFunction.class), s);
        }
    }
}
