package dev.mobilebert.optim;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Objects;

/**
 * BERT's learning rate ({@code optimization.create_optimizer}, reused by MobileBERT): for update number {@code t}
 * (0-based, DL4J's iteration count):
 * <pre>
 *   decayed(t) = (initLr - endLr) * (1 - min(t, numTrainSteps) / numTrainSteps)^power + endLr
 *   lr(t)      = t &lt; numWarmupSteps ? initLr * t / numWarmupSteps : decayed(t)
 * </pre>
 * As in BERT the decay is not re-based at the end of warmup (lr jumps from {@code initLr*(W-1)/W} to
 * {@code initLr*(1-W/N)}), and step 0 has lr 0. {@code power = 1} is BERT's linear decay.
 * The value depends only on the iteration count, which DL4J stores in the graph configuration (and so in every
 * checkpoint), so resuming continues the schedule exactly.
 */
public final class WarmupPolynomialDecay implements ISchedule {
    @JsonProperty private double initLr;
    @JsonProperty private int numWarmupSteps;
    @JsonProperty private int numTrainSteps;
    @JsonProperty private double power;
    @JsonProperty private double endLr;

    private WarmupPolynomialDecay() {} // Jackson

    public WarmupPolynomialDecay(double initLr, int numWarmupSteps, int numTrainSteps, double power, double endLr) {
        if (!(initLr >= 0)) throw new IllegalArgumentException("learning rate must be >= 0, got " + initLr);
        if (numTrainSteps <= 0) throw new IllegalArgumentException("num_train_steps must be > 0, got " + numTrainSteps);
        if (numWarmupSteps < 0) throw new IllegalArgumentException("num_warmup_steps must be >= 0, got " + numWarmupSteps);
        if (!(power > 0)) throw new IllegalArgumentException("power must be > 0, got " + power);
        this.initLr = initLr;
        this.numWarmupSteps = numWarmupSteps;
        this.numTrainSteps = numTrainSteps;
        this.power = power;
        this.endLr = endLr;
    }

    /** BERT's defaults: linear decay to 0. */
    public static WarmupPolynomialDecay linear(double initLr, int numWarmupSteps, int numTrainSteps) {
        return new WarmupPolynomialDecay(initLr, numWarmupSteps, numTrainSteps, 1.0, 0.0);
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        if (iteration < numWarmupSteps) {
            return initLr * iteration / numWarmupSteps;
        }
        double done = Math.min(iteration, numTrainSteps) / (double) numTrainSteps;
        return (initLr - endLr) * Math.pow(1.0 - done, power) + endLr;
    }

    public double initLr() { return initLr; }
    public int numWarmupSteps() { return numWarmupSteps; }
    public int numTrainSteps() { return numTrainSteps; }
    public double power() { return power; }
    public double endLr() { return endLr; }

    @Override
    public ISchedule clone() {
        return new WarmupPolynomialDecay(initLr, numWarmupSteps, numTrainSteps, power, endLr);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WarmupPolynomialDecay s && s.initLr == initLr && s.numWarmupSteps == numWarmupSteps
                && s.numTrainSteps == numTrainSteps && s.power == power && s.endLr == endLr;
    }

    @Override
    public int hashCode() {
        return Objects.hash(initLr, numWarmupSteps, numTrainSteps, power, endLr);
    }

    @Override
    public String toString() {
        return "WarmupPolynomialDecay(initLr=" + initLr + ", warmup=" + numWarmupSteps + ", steps=" + numTrainSteps
                + ", power=" + power + ", endLr=" + endLr + ")";
    }
}
