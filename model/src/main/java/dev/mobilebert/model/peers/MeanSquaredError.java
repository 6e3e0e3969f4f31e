package dev.mobilebert.model.peers;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Objects;

/**
 * TinyBERT's MSE for embeddings, hidden states (after the learnable projection W_h, see {@link PeerVertex}) and
 * attention scores: {@code weight · Σ (s − t)² / (elements)}, the mean over every element of the real slots
 * (PyTorch's {@code MSELoss()}). TinyBERT's code averages over <em>every</em> position, padding included: give no
 * label mask for that (the default of {@link PeerBatches}); with a mask [N, K] only real slots count.
 *
 * <p>{@code zeroMaskedScores} reproduces TinyBERT's attention-score handling: {@code torch.where(att <= -1e2, 0, att)}
 * on the student's and the teacher's pre-softmax scores, so scores of padded keys (which carry the −10000 mask bias)
 * contribute 0 to the sum, yet still count in the denominator; the student gets no gradient there.
 */
public final class MeanSquaredError extends SlotLoss {
    /** TinyBERT's threshold: scores at or below it are mask-biased (padded keys). */
    public static final double MASKED_SCORE = -100.0;

    private boolean zeroMaskedScores;

    private MeanSquaredError() {}

    public MeanSquaredError(double weight, int width, boolean zeroMaskedScores) {
        super(weight, width);
        this.zeroMaskedScores = zeroMaskedScores;
    }

    @Override
    protected INDArray[] perSlot(INDArray teacher, INDArray student) {
        INDArray s = student, t = teacher, keep = null;
        if (zeroMaskedScores) {
            keep = student.gt(MASKED_SCORE).castTo(student.dataType());
            s = student.mul(keep);
            t = teacher.mul(teacher.gt(MASKED_SCORE).castTo(teacher.dataType()));
        }
        INDArray d = s.sub(t);
        INDArray loss = d.mul(d).sum(true, 1);
        INDArray grad = d.muli(2.0);
        if (keep != null) grad.muli(keep);
        return new INDArray[]{loss, grad};
    }

    @Override protected long perSlotDenominator() { return width; }

    @Override
    public boolean equals(Object o) {
        return o instanceof MeanSquaredError l && l.weight == weight && l.width == width && l.zeroMaskedScores == zeroMaskedScores;
    }

    @Override public int hashCode() { return Objects.hash(getClass(), weight, width, zeroMaskedScores); }
}
