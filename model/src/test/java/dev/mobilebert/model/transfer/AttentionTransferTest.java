package dev.mobilebert.model.transfer;

import dev.mobilebert.model.nn.Tape;
import dev.mobilebert.model.nn.Var;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AttentionTransferTest {
    private static final int B = 2, A = 2, T = 3;
    private static final double[][] MASK = {{1, 1, 0}, {1, 0, 0}};

    /** Softmax over keys of random scores with BERT's −10000 bias on padded keys, in double loops. */
    private static INDArray probs(long seed) {
        java.util.Random rnd = new java.util.Random(seed);
        INDArray p = Nd4j.zeros(DataType.DOUBLE, B, A, T, T);
        for (int b = 0; b < B; b++) for (int a = 0; a < A; a++) for (int q = 0; q < T; q++) {
            double[] z = new double[T];
            double sum = 0;
            for (int k = 0; k < T; k++) z[k] = Math.exp(2 * rnd.nextGaussian() + (1 - MASK[b][k]) * -10000.0);
            for (double v : z) sum += v;
            for (int k = 0; k < T; k++) p.putScalar(new long[]{b, a, q, k}, z[k] / sum);
        }
        return p;
    }

    private static double expectedKl(INDArray ps, INDArray pt) {
        double total = 0, n = 0;
        for (int b = 0; b < B; b++) for (int a = 0; a < A; a++) for (int q = 0; q < T; q++) {
            if (MASK[b][q] == 0) continue;
            n++;
            for (int k = 0; k < T; k++) {
                double t = pt.getDouble(b, a, q, k), s = ps.getDouble(b, a, q, k);
                if (t > 0) total += t * Math.log(t / s);
            }
        }
        return total / n;
    }

    @Test
    void isTheKlOverRealQueriesAveragedOverHeads() {
        INDArray ps = probs(1), pt = probs(2);
        assertEquals(0.0, pt.getDouble(1, 0, 0, 2), 0.0, "padded keys have probability 0");
        AttentionTransfer.Result r = AttentionTransfer.loss(null, Var.of(ps), pt, Nd4j.createFromArray(MASK), 3.0);
        double e = expectedKl(ps, pt);
        assertTrue(e > 0);
        assertEquals(e, r.kl(), 1e-12);
        assertEquals(3.0 * e, r.value(), 1e-12);
        assertEquals(0.0, AttentionTransfer.loss(null, Var.of(pt), pt, Nd4j.createFromArray(MASK), 1.0).value(), 1e-15);
    }

    @Test
    void paddedQueriesAreIgnored() {
        INDArray ps = probs(3), pt = probs(4);
        INDArray changed = ps.dup();
        changed.putScalar(new long[]{0, 1, 2, 0}, 0.9); // query 2 of example 0 is padding
        changed.putScalar(new long[]{1, 0, 1, 0}, 0.1); // query 1 of example 1 is padding
        INDArray mask = Nd4j.createFromArray(MASK);
        assertEquals(AttentionTransfer.loss(null, Var.of(ps), pt, mask, 1).value(),
                AttentionTransfer.loss(null, Var.of(changed), pt, mask, 1).value(), 0.0);
    }

    @Test
    void gradientMatchesFiniteDifferencesInDouble() {
        INDArray ps = probs(5), pt = probs(6), mask = Nd4j.createFromArray(MASK);
        Tape tape = new Tape();
        Var sv = Var.of(ps);
        tape.backward(AttentionTransfer.loss(tape, sv, pt, mask, 2.0).loss(), Nd4j.scalar(DataType.DOUBLE, 1.0));
        FiniteDifferences.check(ps, sv.grad(), () -> AttentionTransfer.loss(null, Var.of(ps), pt, mask, 2.0).value(), 1e-7, 1e-5);
        assertEquals(0.0, sv.grad().getDouble(1, 0, 0, 2), 0.0, "no gradient into a padded key");
    }
}
