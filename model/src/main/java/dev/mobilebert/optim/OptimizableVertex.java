package dev.mobilebert.optim;

import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.util.List;
import java.util.Map;

/**
 * A custom DL4J graph vertex configuration whose parameters the optimizer can configure one tensor at a time
 * (DL4J's layers only take one regularization list for all their weights; a vertex answers
 * {@code getRegularizationByParam} itself, so it can exclude LayerNorm/NoNorm/bias tensors individually).
 * {@link OptimizerSettings#applyTo} uses it.
 */
public interface OptimizableVertex {
    /** The vertex's parameter keys, as DL4J names them (without the vertex name). */
    List<String> parameterKeys();

    /** True for bias-like parameters, which never get weight decay or a trust ratio. */
    boolean isBiasParameter(String key);

    /** Sets the updater of every parameter and the regularization of each (missing keys: none). */
    void configureOptimizer(IUpdater updater, Map<String, List<Regularization>> regularizationByParam);
}
