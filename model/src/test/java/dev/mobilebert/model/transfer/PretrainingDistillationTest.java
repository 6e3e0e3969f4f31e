package dev.mobilebert.model.transfer;

import dev.mobilebert.model.nn.Tape;
import dev.mobilebert.model.nn.Var;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PretrainingDistillationTest {
    private static final int B = 2, P = 2, V = 5;
    private static final INDArray IDS = Nd4j.createFromArray(new double[][]{{3, 1}, {4, 0}});
    private static final INDArray WEIGHTS = Nd4j.createFromArray(new double[][]{{1, 1}, {1, 0}}); // last slot padding
    private static final INDArray NSP_LABELS = Nd4j.createFromArray(new double[][]{{0}, {1}});

    private static INDArray logits(long seed, long rows, long cols) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.DOUBLE, rows, cols).muli(2.0);
    }

    private static double[] softmax(double[] z, double temperature) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (double v : z) max = Math.max(max, v / temperature);
        double[] p = new double[z.length];
        for (int i = 0; i < z.length; i++) sum += p[i] = Math.exp(z[i] / temperature - max);
        for (int i = 0; i < z.length; i++) p[i] /= sum;
        return p;
    }

    /** KD and NSP written out with loops. */
    private static double[] expected(INDArray s, INDArray t, INDArray nsp, double alpha, double temperature) {
        double[][] sr = FiniteDifferences.rows(s, B * P, V), tr = FiniteDifferences.rows(t, B * P, V);
        double[][] w = FiniteDifferences.rows(WEIGHTS, B, P), ids = FiniteDifferences.rows(IDS, B, P);
        double kd = 0, den = 0;
        for (int r = 0; r < B * P; r++) {
            double wr = w[r / P][r % P];
            if (wr == 0) continue;
            double[] ps = softmax(sr[r], 1.0), pt = softmax(tr[r], temperature);
            for (int v = 0; v < V; v++) {
                double target = alpha * pt[v] + (1 - alpha) * (v == (int) ids[r / P][r % P] ? 1 : 0);
                kd -= wr * target * Math.log(ps[v]);
            }
            den += wr;
        }
        double[][] nr = FiniteDifferences.rows(nsp, B, 2), labels = FiniteDifferences.rows(NSP_LABELS, B, 1);
        double ce = 0;
        for (int b = 0; b < B; b++) ce -= Math.log(softmax(nr[b], 1.0)[(int) labels[b][0]]);
        return new double[]{kd / den, ce / B};
    }

    @Test
    void matchesTheHandComputedMixtureCrossEntropyAndNsp() {
        INDArray s = logits(1, B * P, V), t = logits(2, B * P, V), nsp = logits(3, B, 2);
        for (var settings : new PretrainingDistillation.Settings[]{PretrainingDistillation.Settings.OFFICIAL,
                new PretrainingDistillation.Settings(0.8, 2.0)}) {
            var r = PretrainingDistillation.loss(null, Var.of(s), t, IDS, WEIGHTS, Var.of(nsp), NSP_LABELS, settings);
            double[] e = expected(s, t, nsp, settings.alpha(), settings.temperature());
            assertEquals(e[0], r.kd(), 1e-12);
            assertEquals(e[1], r.nsp(), 1e-12);
            assertEquals(e[0] + e[1], r.value(), 1e-12);
        }
        var pureMlm = PretrainingDistillation.loss(null, Var.of(s), t, IDS, WEIGHTS, Var.of(nsp), NSP_LABELS, new PretrainingDistillation.Settings(0, 1));
        assertEquals(pureMlm.mlm(), pureMlm.kd(), 1e-12);
        assertEquals(expected(s, t, nsp, 0, 1)[0], pureMlm.mlm(), 1e-12);
    }

    @Test
    void accuraciesCountRealPredictionsOnly() {
        INDArray s = Nd4j.zeros(DataType.DOUBLE, B * P, V);
        s.putScalar(0, 3, 5.0);  // right
        s.putScalar(1, 2, 5.0);  // wrong (label 1)
        s.putScalar(2, 4, 5.0);  // right
        s.putScalar(3, 0, -5.0); // padding slot: ignored whatever it predicts
        INDArray nsp = Nd4j.createFromArray(new double[][]{{1, 0}, {1, 0}}); // predicts 0, 0: labels 0, 1
        var r = PretrainingDistillation.loss(null, Var.of(s), s.dup(), IDS, WEIGHTS, Var.of(nsp), NSP_LABELS, PretrainingDistillation.Settings.OFFICIAL);
        assertEquals(2.0 / 3.0, r.mlmAccuracy(), 1e-12);
        assertEquals(0.5, r.nspAccuracy(), 1e-12);
    }

    @Test
    void gradientsMatchFiniteDifferencesInDouble() {
        INDArray s = logits(4, B * P, V), t = logits(5, B * P, V), nsp = logits(6, B, 2);
        var settings = new PretrainingDistillation.Settings(0.5, 1.5);
        Tape tape = new Tape();
        Var sv = Var.of(s), nv = Var.of(nsp);
        tape.backward(PretrainingDistillation.loss(tape, sv, t, IDS, WEIGHTS, nv, NSP_LABELS, settings).loss(), Nd4j.scalar(DataType.DOUBLE, 1.0));
        FiniteDifferences.check(s, sv.grad(), () -> PretrainingDistillation.loss(null, Var.of(s), t, IDS, WEIGHTS, Var.of(nsp), NSP_LABELS, settings).value(), 1e-6, 1e-7);
        FiniteDifferences.check(nsp, nv.grad(), () -> PretrainingDistillation.loss(null, Var.of(s), t, IDS, WEIGHTS, Var.of(nsp), NSP_LABELS, settings).value(), 1e-6, 1e-7);
        assertEquals(0.0, sv.grad().getRow(3).norm2Number().doubleValue(), 0.0, "padding slot gets no gradient");
    }

    @Test
    void rejectsBadSettingsAndLabels() {
        assertThrows(IllegalArgumentException.class, () -> new PretrainingDistillation.Settings(1.5, 1));
        assertThrows(IllegalArgumentException.class, () -> new PretrainingDistillation.Settings(0.5, 0));
        INDArray bad = Nd4j.createFromArray(new double[][]{{3, 9}, {4, 0}});
        assertThrows(IllegalArgumentException.class, () -> PretrainingDistillation.loss(null, Var.of(logits(1, 4, V)), logits(2, 4, V), bad, WEIGHTS,
                Var.of(logits(3, B, 2)), NSP_LABELS, PretrainingDistillation.Settings.OFFICIAL));
    }
}
