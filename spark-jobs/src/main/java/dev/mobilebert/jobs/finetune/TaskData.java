package dev.mobilebert.jobs.finetune;

import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * A task's featurised data on the driver: training minibatches, dev evaluation with the official metric code, and
 * test-set prediction files. Featurisation is BERT's (data-prep {@code tasks.features}); inference runs the
 * fine-tuning graph in batches on the driver (dev and test sets are small next to training).
 */
interface TaskData {
    /** Training examples (features) after any subsetting. */
    int trainSize();

    /** Training minibatches of exactly {@code batchSize} features: the first {@code count} batches of a seeded shuffle. */
    List<MultiDataSet> trainBatches(int batchSize, int count, long seed);

    /** Dev metrics (official keys) of {@code net}; writes the dev predictions under {@code predictionsDir}. */
    Map<String, Object> evaluate(ComputationGraph net, Path predictionsDir) throws IOException;

    /** Test-set prediction files under {@code dir} (GLUE submission files / SQuAD predictions.json); false if no test data. */
    boolean predictTest(ComputationGraph net, Path dir, Map<String, Object> devMetrics) throws IOException;

    /** Examples per inference batch. */
    int EVAL_BATCH = 64;
}
