package dev.mobilebert.optim;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Map;
import java.util.Objects;

/**
 * Configuration shared by {@link Lamb} and {@link AdamW}: learning rate (or schedule), betas, epsilon and whether
 * the moments are bias-corrected. Serialized into the graph configuration JSON (and so into checkpoints) by
 * DL4J's Jackson mapper; fields are annotated for it.
 */
public abstract class AdamStyle implements IUpdater {
    @JsonProperty protected double learningRate;
    @JsonProperty protected ISchedule learningRateSchedule;
    @JsonProperty protected double beta1;
    @JsonProperty protected double beta2;
    @JsonProperty protected double epsilon;
    @JsonProperty protected boolean biasCorrection;

    protected AdamStyle() {} // Jackson

    protected AdamStyle(double learningRate, ISchedule schedule, double beta1, double beta2, double epsilon,
                        boolean biasCorrection) {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("betas must lie in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (!(epsilon > 0)) throw new IllegalArgumentException("epsilon must be > 0, got " + epsilon);
        this.learningRate = learningRate;
        this.learningRateSchedule = schedule;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.biasCorrection = biasCorrection;
    }

    public double getBeta1() { return beta1; }
    public double getBeta2() { return beta2; }
    public double getEpsilon() { return epsilon; }
    public boolean isBiasCorrection() { return biasCorrection; }
    public ISchedule getLearningRateSchedule() { return learningRateSchedule; }

    @Override
    public abstract IUpdater clone();

    @Override
    public long stateSize(long numParams) {
        return 2 * numParams;
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        AdamStyleUpdater u = new AdamStyleUpdater(this);
        // The state view is [m | v] for one block of the flattened gradient (1-d or a [1, 2n] row, by DL4J version).
        long[] gradientShape = viewArray.shape().clone();
        gradientShape[gradientShape.length - 1] /= 2;
        u.setStateViewArray(viewArray, gradientShape, viewArray.ordering(), initializeViewArray);
        return u;
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        AdamStyleUpdater u = new AdamStyleUpdater(this);
        u.setState(updaterState, initializeStateArrays);
        return u;
    }

    @Override
    public double getLearningRate(int iteration, int epoch) {
        return learningRateSchedule != null ? learningRateSchedule.valueAt(iteration, epoch) : learningRate;
    }

    @Override
    public boolean hasLearningRate() {
        return true;
    }

    @Override
    public void setLrAndSchedule(double lr, ISchedule lrSchedule) {
        this.learningRate = lr;
        this.learningRateSchedule = lrSchedule;
    }

    @Override
    public boolean equals(Object o) {
        if (o == null || o.getClass() != getClass()) return false;
        AdamStyle a = (AdamStyle) o;
        return a.learningRate == learningRate && Objects.equals(a.learningRateSchedule, learningRateSchedule)
                && a.beta1 == beta1 && a.beta2 == beta2 && a.epsilon == epsilon && a.biasCorrection == biasCorrection;
    }

    @Override
    public int hashCode() {
        return Objects.hash(getClass(), learningRate, learningRateSchedule, beta1, beta2, epsilon, biasCorrection);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(lr=" + (learningRateSchedule != null ? learningRateSchedule : learningRate)
                + ", beta1=" + beta1 + ", beta2=" + beta2 + ", epsilon=" + epsilon + ", biasCorrection=" + biasCorrection + ")";
    }
}
