package dev.mobilebert.jobs.train;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.Serializable;
import java.util.Map;

/**
 * One optimizer step of a worker's network on one batch, for training whose loss DL4J's {@code fit()} cannot compute
 * (see {@link ParameterAveragingTrainer#stepWith}). The network arrives with the round's parameters, updater state and
 * iteration count; the step updates parameters and updater state in place (the trainer sets the iteration count).
 */
@FunctionalInterface
public interface WorkerStep extends Serializable {
    Outcome step(ComputationGraph net, MultiDataSet batch);

    /**
     * The minibatch loss, the gradient norm before clipping and named values for the {@code train} rows (losses,
     * accuracies, milliseconds per phase). A plain class: Spark's Kryo 4 cannot serialize records.
     */
    final class Outcome implements Serializable {
        private final double loss, gradNorm;
        private final java.util.LinkedHashMap<String, Double> values;

        public Outcome(double loss, double gradNorm, Map<String, Double> values) {
            this.loss = loss;
            this.gradNorm = gradNorm;
            this.values = new java.util.LinkedHashMap<>(values);
        }

        public double loss() { return loss; }
        public double gradNorm() { return gradNorm; }
        public Map<String, Double> values() { return values; }
    }
}
