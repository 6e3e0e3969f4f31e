package dev.mobilebert.model.peers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Objects;

/**
 * The temperature-softened soft-target loss of DistilBERT ({@code loss_ce}) and TinyBERT's prediction-layer
 * distillation: per slot (a masked position's vocabulary, or an example's labels)
 * <pre>  ℓ = f · Σ_c p_t·(log p_t − log p_s),   p_t = softmax(z_t / T), p_s = softmax(z_s / T)
 *   ∂ℓ/∂z_s = (f / T)·(p_s − p_t)</pre>
 * with {@code f = T²} when {@code squareTemperature} (DistilBERT multiplies by {@code temperature**2}) and f = 1 for
 * TinyBERT. The loss is the mean over real slots (DistilBERT: {@code KLDivLoss(reduction="batchmean")} over the
 * selected rows). TinyBERT's {@code soft_cross_entropy} is the cross-entropy −Σ p_t log p_s, which differs from the KL
 * by the teacher's entropy (a constant: same gradient), and takes {@code .mean()} over every element, i.e. divides
 * additionally by the number of classes — not reproduced (a constant factor). Labels: the teacher's logits [N, K·C].
 */
public final class TemperedKlDivergence extends SlotLoss {
    private double temperature = 1.0;
    private boolean squareTemperature = true;

    private TemperedKlDivergence() {}

    public TemperedKlDivergence(double weight, int classes, double temperature, boolean squareTemperature) {
        super(weight, classes);
        if (!(temperature > 0)) throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
        this.temperature = temperature;
        this.squareTemperature = squareTemperature;
    }

    public double temperature() { return temperature; }

    @Override
    protected INDArray[] perSlot(INDArray teacherLogits, INDArray studentLogits) {
        double f = squareTemperature ? temperature * temperature : 1.0;
        INDArray lt = logSoftmax(teacherLogits.div(temperature)), ls = logSoftmax(studentLogits.div(temperature));
        INDArray pt = Transforms.exp(lt, true), ps = Transforms.exp(ls, true);
        INDArray loss = pt.mul(lt.sub(ls)).sum(true, 1).muli(f);
        INDArray grad = ps.subi(pt).muli(f / temperature);
        return new INDArray[]{loss, grad};
    }

    /** log softmax along axis 1, stable. */
    static INDArray logSoftmax(INDArray z) {
        INDArray shifted = z.subColumnVector(z.max(true, 1));
        INDArray lse = Transforms.log(Transforms.exp(shifted, true).sum(true, 1), false);
        return shifted.subiColumnVector(lse);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TemperedKlDivergence l && l.weight == weight && l.width == width
                && l.temperature == temperature && l.squareTemperature == squareTemperature;
    }

    @Override public int hashCode() { return Objects.hash(getClass(), weight, width, temperature, squareTemperature); }
}
