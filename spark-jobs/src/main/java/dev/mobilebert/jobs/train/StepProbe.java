package dev.mobilebert.jobs.train;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Something model-specific measured on the worker's network at every step, from the activations of the training
 * forward pass (DL4J's {@code onForwardPass}; the output layers drop their inputs and labels before
 * {@code onGradientCalculation}), so it costs no extra forward pass.
 */
@FunctionalInterface
public interface StepProbe extends Serializable {
    Map<String, Double> measure(ComputationGraph net, Map<String, INDArray> activations);

    /** One worker's values for one step (0-based iteration). */
    record Record(int iteration, Map<String, Double> values) implements Serializable {}

    /** Receives the records on whichever JVM the step ran (in Spark: an accumulator). */
    @FunctionalInterface
    interface Sink extends Serializable {
        void accept(Record r);
    }

    /** Runs the probe on the workers: dl4j-spark installs the training master's listeners on every worker. */
    final class Listener extends BaseTrainingListener implements Serializable {
        private final StepProbe probe;
        private final Sink sink;

        public Listener(StepProbe probe, Sink sink) {
            this.probe = probe;
            this.sink = sink;
        }

        @Override
        public void onForwardPass(Model model, Map<String, INDArray> activations) {
            if (model instanceof ComputationGraph g) sink.accept(new Record(g.getIterationCount(), probe.measure(g, activations)));
        }
    }

    /** Mean of every value over the workers that ran each iteration. */
    static Map<Integer, Map<String, Double>> meanPerIteration(List<Record> records) {
        Map<Integer, List<Record>> byIteration = new TreeMap<>();
        for (Record r : records) byIteration.computeIfAbsent(r.iteration(), k -> new ArrayList<>()).add(r);
        Map<Integer, Map<String, Double>> out = new TreeMap<>();
        byIteration.forEach((it, rs) -> {
            Map<String, Double> mean = new LinkedHashMap<>();
            for (Record r : rs) r.values().forEach((k, v) -> mean.merge(k, v / rs.size(), Double::sum));
            out.put(it, mean);
        });
        return out;
    }
}
