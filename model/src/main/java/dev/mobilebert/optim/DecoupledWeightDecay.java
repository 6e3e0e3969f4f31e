package dev.mobilebert.optim;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Objects;

/**
 * The per-parameter-tensor half of LAMB and AdamW. DL4J calls a {@link Regularization} once per parameter tensor
 * ({@code UpdaterBlock.applyRegularization}: per layer and parameter name, with that tensor's parameter and
 * gradient views), after the updater ({@link ApplyStep#POST_UPDATER}), passing the updater's learning rate.
 * On entry the gradient view holds {@code lr * adam} (from {@link AdamStyleUpdater}); on exit it holds the step
 * DL4J subtracts from the parameters:
 * <pre>
 *   AdamW: lr * (adam + wd * w)
 *   LAMB : lr * r * (adam + wd * w),   r = ||w|| / ||adam + wd * w||  (1 if either norm is 0)
 * </pre>
 * (For LAMB, r is computed as {@code lr * ||w|| / ||lr * (adam + wd*w)||}, the same for lr &gt; 0; with lr = 0 the
 * step is 0 either way.) Parameters excluded from weight decay get no regularization at all, which is what BERT's
 * LAMB does for them too (its {@code exclude_from_layer_adaptation} defaults to {@code exclude_from_weight_decay}).
 * The decay term is not part of the reported loss ({@link #score} is 0), as in BERT.
 */
public final class DecoupledWeightDecay implements Regularization {
    @JsonProperty private double weightDecay;
    @JsonProperty private boolean trustRatio;

    private DecoupledWeightDecay() {} // Jackson

    public DecoupledWeightDecay(double weightDecay, boolean trustRatio) {
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        this.weightDecay = weightDecay;
        this.trustRatio = trustRatio;
    }

    public static DecoupledWeightDecay lamb(double weightDecay) {
        return new DecoupledWeightDecay(weightDecay, true);
    }

    public static DecoupledWeightDecay adamW(double weightDecay) {
        return new DecoupledWeightDecay(weightDecay, false);
    }

    public double weightDecay() { return weightDecay; }
    public boolean trustRatio() { return trustRatio; }

    @Override
    public ApplyStep applyStep() {
        return ApplyStep.POST_UPDATER;
    }

    @Override
    public void apply(INDArray param, INDArray gradView, double lr, int iteration, int epoch) {
        if (weightDecay != 0) gradView.addi(param.mul(lr * weightDecay));
        if (!trustRatio || lr == 0) return;
        double wNorm = param.norm2Number().doubleValue();
        double uNorm = gradView.norm2Number().doubleValue();
        if (wNorm > 0 && uNorm > 0) gradView.muli(lr * wNorm / uNorm);
    }

    @Override
    public double score(INDArray param, int iteration, int epoch) {
        return 0.0;
    }

    @Override
    public Regularization clone() {
        return new DecoupledWeightDecay(weightDecay, trustRatio);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DecoupledWeightDecay d && d.weightDecay == weightDecay && d.trustRatio == trustRatio;
    }

    @Override
    public int hashCode() {
        return Objects.hash(weightDecay, trustRatio);
    }

    @Override
    public String toString() {
        return "DecoupledWeightDecay(" + weightDecay + (trustRatio ? ", LAMB trust ratio" : "") + ")";
    }
}
