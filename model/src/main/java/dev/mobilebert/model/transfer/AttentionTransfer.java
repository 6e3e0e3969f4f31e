package dev.mobilebert.model.transfer;

import dev.mobilebert.model.nn.Tape;
import dev.mobilebert.model.nn.Var;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Attention transfer (AT) of one layer: KL(teacher ‖ student) of every head's attention distribution over the keys,
 * averaged over heads and real query positions:
 * <pre>
 *   loss = w · Σ_b Σ_a Σ_{q real} Σ_k p_t log(p_t / p_s) / (A · Σ mask)
 * </pre>
 * Padded queries are excluded; padded keys carry probability 0 in the teacher (its mask bias is −10000), and terms
 * with p_t = 0 contribute 0 (the limit of p log p). The official code uses the cross-entropy −Σ p_t log p_s averaged
 * over all queries including padding, factor 1 ({@code attention_distill_factor}); it differs from the KL by the
 * teacher's entropy, a constant, so the gradient is the same on real queries.
 *
 * <p>The gradient is taken with respect to the student's probabilities: ∂/∂p_s = −p_t / p_s (0 where p_t = 0). Fed
 * into the attention softmax's backward it gives the familiar p_s·Σp_t − p_t on the scores.
 */
public final class AttentionTransfer {
    /** The official {@code attention_distill_factor}. */
    public static final double OFFICIAL_WEIGHT = 1.0;

    /** The weighted loss (differentiable) and the unweighted KL, for metrics. */
    public record Result(Var loss, double kl) {
        public double value() { return loss.value.getDouble(0); }
    }

    private AttentionTransfer() {}

    /**
     * @param studentProbs [B, heads, T, T] attention probabilities of the student (rows = queries)
     * @param teacherProbs the teacher's, same shape (same number of heads)
     * @param mask [B, T] input mask (1 = real token), null = all real
     */
    public static Result loss(Tape t, Var studentProbs, INDArray teacherProbs, INDArray mask, double weight) {
        TransferMath.sameShape("attention transfer", studentProbs.value, teacherProbs);
        INDArray ps = studentProbs.value;
        DataType type = ps.dataType();
        long b = ps.size(0), heads = ps.size(1), seq = ps.size(2);
        INDArray pt = teacherProbs.castTo(type);
        INDArray queryMask = mask == null ? Nd4j.ones(type, b, seq) : mask.castTo(type).reshape('c', b, seq);
        double count = Math.max(heads * queryMask.sumNumber().doubleValue(), 1.0);

        INDArray support = pt.gt(0.0).castTo(type);             // 1 where p_t > 0
        INDArray off = support.rsub(1.0);                         // 1 where p_t = 0: log(1) = 0 there
        INDArray logT = Transforms.log(pt.add(off), false);
        // clamped so that a student probability that underflowed to 0 gives a huge but finite gradient, not NaN
        INDArray safeS = Transforms.max(ps, 1e-30, true).muli(support).addi(off);
        INDArray terms = logT.sub(Transforms.log(safeS, true)).muli(pt);
        Broadcast.mul(terms, queryMask, terms, 0, 2);           // zero the rows of padded queries
        double kl = terms.sumNumber().doubleValue() / count;

        Var o = Var.of(Nd4j.scalar(type, weight * kl));
        if (t != null) t.record(() -> {
            double g = TransferMath.seed(o.grad());
            if (g == 0) return;
            INDArray d = pt.div(safeS).muli(-g * weight / count);
            Broadcast.mul(d, queryMask, d, 0, 2);
            studentProbs.accumulate(d);
        });
        return new Result(o, kl);
    }
}
