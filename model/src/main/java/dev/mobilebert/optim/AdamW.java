package dev.mobilebert.optim;

import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * AdamW: Adam moments, {@code update = m/(sqrt(v)+eps) + weight_decay*w}, times the learning rate (decoupled weight
 * decay). Default: BERT's {@code AdamWeightDecayOptimizer}, which has <b>no bias correction</b>; set
 * {@code biasCorrection} for the Hugging Face / Loshchilov-Hutter variant ({@code m/(1-b1^t)}, {@code v/(1-b2^t)}).
 * The decay part is {@link DecoupledWeightDecay#adamW(double)}, attached per parameter by {@link OptimizerSettings#applyTo}.
 */
public final class AdamW extends AdamStyle {
    private AdamW() {} // Jackson

    public AdamW(double learningRate, ISchedule schedule, double beta1, double beta2, double epsilon, boolean biasCorrection) {
        super(learningRate, schedule, beta1, beta2, epsilon, biasCorrection);
    }

    @Override
    public IUpdater clone() {
        return new AdamW(learningRate, learningRateSchedule == null ? null : learningRateSchedule.clone(), beta1, beta2, epsilon, biasCorrection);
    }
}
