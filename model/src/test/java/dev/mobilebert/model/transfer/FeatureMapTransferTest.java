package dev.mobilebert.model.transfer;

import dev.mobilebert.model.nn.Tape;
import dev.mobilebert.model.nn.Var;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FeatureMapTransferTest {
    private static final int B = 2, T = 3, H = 4;
    private static final INDArray MASK = Nd4j.createFromArray(new double[][]{{1, 1, 0}, {1, 0, 0}});

    private static INDArray random(long seed, double scale, double shift) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.DOUBLE, B, T, H).muli(scale).addi(shift);
    }

    /** The loss written out with loops over real tokens, independently of the implementation. */
    private static double[] expected(INDArray s, INDArray t, FeatureMapTransfer.Weights w) {
        double[][] sr = FiniteDifferences.rows(s, B * T, H), tr = FiniteDifferences.rows(t, B * T, H);
        double[][] m = FiniteDifferences.rows(MASK, B, T);
        double mse = 0, mean = 0, var = 0, n = 0;
        for (int r = 0; r < B * T; r++) {
            if (m[r / T][r % T] == 0) continue;
            n++;
            double[] a = moments(sr[r]), b = moments(tr[r]);
            for (int k = 0; k < H; k++) {
                double d = (sr[r][k] - a[0]) / Math.sqrt(a[1] + 1e-12) - (tr[r][k] - b[0]) / Math.sqrt(b[1] + 1e-12);
                mse += d * d;
            }
            mean += (a[0] - b[0]) * (a[0] - b[0]);
            var += Math.abs(a[1] - b[1]);
        }
        mse /= n * H;
        mean /= n;
        var /= n;
        return new double[]{w.hidden() * mse + w.mean() * mean + w.variance() * var, mse, mean, var};
    }

    private static double[] moments(double[] x) {
        double mu = 0, v = 0;
        for (double d : x) mu += d;
        mu /= x.length;
        for (double d : x) v += (d - mu) * (d - mu);
        return new double[]{mu, v / x.length};
    }

    @Test
    void matchesTheHandComputedLossOverRealTokensWithTheOfficialFactors() {
        INDArray s = random(1, 1.0, 0.0), t = random(2, 3.0, 0.5);
        FeatureMapTransfer.Result r = FeatureMapTransfer.loss(null, Var.of(s), t, MASK, FeatureMapTransfer.Weights.OFFICIAL);
        double[] e = expected(s, t, FeatureMapTransfer.Weights.OFFICIAL);
        assertEquals(e[0], r.value(), 1e-9 * e[0]);
        assertEquals(e[1], r.hiddenMse(), 1e-12);
        assertEquals(e[2], r.meanLoss(), 1e-12);
        assertEquals(e[3], r.varianceLoss(), 1e-12);
    }

    @Test
    void layerNormMakesItInvariantToScaleAndShiftButNotTheStatisticTerms() {
        INDArray s = random(3, 1.0, 0.0);
        INDArray t = s.mul(2.0).addi(1.0); // the same normalised map, other per-token means and variances
        FeatureMapTransfer.Result r = FeatureMapTransfer.loss(null, Var.of(s), t, MASK, FeatureMapTransfer.Weights.OFFICIAL);
        assertEquals(0.0, r.hiddenMse(), 1e-12);
        double[] e = expected(s, t, FeatureMapTransfer.Weights.OFFICIAL);
        assertEquals(e[2], r.meanLoss(), 1e-12);
        assertEquals(e[3], r.varianceLoss(), 1e-12);
    }

    @Test
    void paddedTokensNeitherCountNorReceiveGradient() {
        INDArray s = random(4, 1.0, 0.0), t = random(5, 2.0, -1.0);
        Tape tape = new Tape();
        Var sv = Var.of(s);
        FeatureMapTransfer.Result r = FeatureMapTransfer.loss(tape, sv, t, MASK, FeatureMapTransfer.Weights.OFFICIAL);
        tape.backward(r.loss(), Nd4j.scalar(DataType.DOUBLE, 1.0));
        INDArray s2 = s.dup();
        s2.get(org.nd4j.linalg.indexing.NDArrayIndex.point(1), org.nd4j.linalg.indexing.NDArrayIndex.point(2)).assign(99.0);
        assertEquals(r.value(), FeatureMapTransfer.loss(null, Var.of(s2), t, MASK, FeatureMapTransfer.Weights.OFFICIAL).value(), 0.0);
        INDArray g = sv.grad().reshape(B * T, H);
        assertEquals(0.0, g.getRow(2).norm2Number().doubleValue(), 0.0);
        assertEquals(0.0, g.getRow(4).norm2Number().doubleValue(), 0.0);
        assertEquals(0.0, g.getRow(5).norm2Number().doubleValue(), 0.0);
        assertEquals(true, g.getRow(0).norm2Number().doubleValue() > 0);
    }

    @Test
    void gradientMatchesFiniteDifferencesInDouble() {
        for (FeatureMapTransfer.Weights w : new FeatureMapTransfer.Weights[]{
                FeatureMapTransfer.Weights.OFFICIAL, new FeatureMapTransfer.Weights(1, 0, 0), new FeatureMapTransfer.Weights(0, 1, 0), new FeatureMapTransfer.Weights(0, 0, 1)}) {
            INDArray s = random(6, 1.0, 0.2), t = random(7, 1.5, -0.3);
            Tape tape = new Tape();
            Var sv = Var.of(s);
            tape.backward(FeatureMapTransfer.loss(tape, sv, t, MASK, w).loss(), Nd4j.scalar(DataType.DOUBLE, 1.0));
            FiniteDifferences.check(s, sv.grad(), () -> FeatureMapTransfer.loss(null, Var.of(s), t, MASK, w).value(), 1e-6, 1e-6);
        }
    }

    @Test
    void rejectsMismatchedWidths() {
        var e = assertThrows(IllegalArgumentException.class, () ->
                FeatureMapTransfer.loss(null, Var.of(Nd4j.zeros(DataType.DOUBLE, 2, 3, 4)), Nd4j.zeros(DataType.DOUBLE, 2, 3, 5), null, FeatureMapTransfer.Weights.OFFICIAL));
        assertEquals(true, e.getMessage().contains("feature map transfer"));
    }
}
