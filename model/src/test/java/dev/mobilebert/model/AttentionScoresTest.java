package dev.mobilebert.model;

import dev.mobilebert.model.nn.F;
import dev.mobilebert.model.nn.Tape;
import dev.mobilebert.model.nn.Var;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The pre-softmax attention scores F.attention exposes for TinyBERT's attention distillation: their values are
 * q·kᵀ/√d per head plus the −10000 bias of padded keys, and a loss gradient on them reaches q and k as
 * ∂/∂q_i = Σ_j G_ij k_j / √d, ∂/∂k_j = Σ_i G_ij q_i / √d — both computed by hand here with plain loops.
 */
class AttentionScoresTest {
    private static final int B = 2, T = 3, A = 2, D = 2;

    @Test
    void scoresAreScaledDotProductsPlusTheMaskBiasAndTheirGradientReachesQueryAndKey() {
        Nd4j.getRandom().setSeed(7);
        INDArray q = Nd4j.randn(DataType.DOUBLE, B * T, A * D), k = Nd4j.randn(DataType.DOUBLE, B * T, A * D),
                v = Nd4j.randn(DataType.DOUBLE, B * T, A * D);
        INDArray mask = Nd4j.ones(DataType.DOUBLE, B, T);
        mask.putScalar(1, 2, 0); // sequence 1: its last token is padding
        Var qv = Var.of(q), kv = Var.of(k), vv = Var.of(v);
        Tape tape = new Tape();
        F.Attention att = F.attention(tape, qv, kv, vv, B, T, A, F.maskBias(mask, DataType.DOUBLE), 0, true);
        INDArray scores = att.scores().value;
        assertArrayEquals(new long[]{B, A, T, T}, scores.shape());

        double scale = 1 / Math.sqrt(D);
        INDArray g = Nd4j.randn(DataType.DOUBLE, B, A, T, T);
        double[][] dq = new double[B * T][A * D], dk = new double[B * T][A * D];
        for (int b = 0; b < B; b++) for (int a = 0; a < A; a++) for (int i = 0; i < T; i++) for (int j = 0; j < T; j++) {
            double dot = 0;
            for (int c = a * D; c < (a + 1) * D; c++) dot += q.getDouble(b * T + i, c) * k.getDouble(b * T + j, c);
            double expected = dot * scale + (mask.getDouble(b, j) == 0 ? -10000 : 0);
            assertEquals(expected, scores.getDouble(b, a, i, j), 1e-9, "score b" + b + " a" + a + " " + i + "→" + j);
            double gij = g.getDouble(b, a, i, j);
            for (int c = a * D; c < (a + 1) * D; c++) {
                dq[b * T + i][c] += gij * k.getDouble(b * T + j, c) * scale;
                dk[b * T + j][c] += gij * q.getDouble(b * T + i, c) * scale;
            }
        }
        // probabilities are the softmax of the scores: the scores are kept before the in-place softmax
        assertEquals(1.0, att.probs().sum(3).getDouble(1, 0, 0), 1e-12);
        assertEquals(0.0, att.probs().getDouble(1, 1, 0, 2), 1e-12);

        tape.backward(att.scores(), g); // a loss Σ G ⊙ scores: nothing flows through the context or the probabilities
        for (int r = 0; r < B * T; r++) {
            assertArrayEquals(dq[r], qv.grad().getRow(r).toDoubleVector(), 1e-9);
            assertArrayEquals(dk[r], kv.grad().getRow(r).toDoubleVector(), 1e-9);
        }
        assertEquals(0.0, vv.grad() == null ? 0.0 : vv.grad().norm2Number().doubleValue(), 1e-12, "no gradient to the values");
    }
}
