package dev.mobilebert.jobs.train;

import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.io.IOException;
import java.util.Map;

/**
 * Held-out evaluation run by the trainer every {@code eval_every_steps} and at the end; its values go to
 * {@code metrics.jsonl} (stage {@code eval}) and {@code summary.json}. {@link HeldOutLoss} is the model-independent
 * one; pretraining adds MLM/NSP accuracies.
 */
@FunctionalInterface
public interface Evaluator {
    Map<String, Object> evaluate(JavaSparkContext sc, ComputationGraph net) throws IOException;
}
