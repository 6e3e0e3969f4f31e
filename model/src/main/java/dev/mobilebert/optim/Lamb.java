package dev.mobilebert.optim;

import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * LAMB as in the official MobileBERT/BERT {@code lamb_optimizer.py}: Adam moments without bias correction,
 * {@code update = m/(sqrt(v)+eps) + weight_decay*w}, scaled per parameter tensor by the trust ratio
 * {@code ||w|| / ||update||} (1 when either norm is 0), then by the learning rate. Defaults: beta1 0.9,
 * beta2 0.999, eps 1e-6, no bias correction.
 * <p>
 * This class is the element-wise part (see {@link AdamStyleUpdater}); weight decay and the trust ratio are
 * {@link DecoupledWeightDecay#lamb(double)}, attached per parameter by {@link OptimizerSettings#applyTo}. Using this
 * updater without that regularization gives plain Adam without bias correction.
 */
public final class Lamb extends AdamStyle {
    public static final double DEFAULT_BETA1 = 0.9;
    public static final double DEFAULT_BETA2 = 0.999;
    public static final double DEFAULT_EPSILON = 1e-6;

    private Lamb() {} // Jackson

    public Lamb(double learningRate, ISchedule schedule, double beta1, double beta2, double epsilon, boolean biasCorrection) {
        super(learningRate, schedule, beta1, beta2, epsilon, biasCorrection);
    }

    @Override
    public IUpdater clone() {
        return new Lamb(learningRate, learningRateSchedule == null ? null : learningRateSchedule.clone(), beta1, beta2, epsilon, biasCorrection);
    }
}
