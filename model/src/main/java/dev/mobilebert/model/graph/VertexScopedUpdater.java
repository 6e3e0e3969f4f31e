package dev.mobilebert.model.graph;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;

import java.util.Map;
import java.util.Objects;

/**
 * The vertex's updater, unequal to every other vertex's, so that DL4J gives each vertex an updater block of its own
 * (it merges neighbouring parameters whose updater configurations are equal).
 *
 * <p>Why (measured, docs/speed.md): in DL4J M2.1 {@code DefaultGradient.gradient()} always returns a reshaped copy
 * of the view, so {@code BaseMultiLayerUpdater} always takes its "external gradient" path, where
 * {@code UpdaterBlock.applyRegularizationAllVariables} re-assigns {@code fullNetworkParamsArray = reshape(...)} inside
 * its loop over the block's parameters. Each reshape wraps the previous view's buffer, and creating or reading a
 * buffer walks the whole chain: the cost grows with the cube of the number of parameter arrays in one block. With
 * all ~1,000 MobileBERT parameter arrays in one block that was 4 s of a 10 s training step; one block per vertex
 * (≤ 40 arrays) makes it negligible.
 *
 * <p>Everything else is delegated: same state size, same GradientUpdater, same learning rate. Note: the updater
 * state layout is per block (Adam: [m, v] of each block in turn), so updater state saved before this change does not
 * map onto it; parameters do.
 */
final class VertexScopedUpdater implements IUpdater {
    private final IUpdater inner;
    private final String scope;

    VertexScopedUpdater(IUpdater inner, String scope) {
        this.inner = Objects.requireNonNull(inner);
        this.scope = scope;
    }

    IUpdater inner() { return inner; }

    @Override public long stateSize(long numParams) { return inner.stateSize(numParams); }
    @Override public GradientUpdater instantiate(INDArray viewArray, boolean initialize) { return inner.instantiate(viewArray, initialize); }
    @Override public GradientUpdater instantiate(Map<String, INDArray> state, boolean initialize) { return inner.instantiate(state, initialize); }
    @Override public IUpdater clone() { return new VertexScopedUpdater(inner.clone(), scope); }
    @Override public double getLearningRate(int iteration, int epoch) { return inner.getLearningRate(iteration, epoch); }
    @Override public boolean hasLearningRate() { return inner.hasLearningRate(); }
    @Override public void setLrAndSchedule(double lr, ISchedule schedule) { inner.setLrAndSchedule(lr, schedule); }

    @Override
    public boolean equals(Object o) {
        return o instanceof VertexScopedUpdater v && v.scope.equals(scope) && v.inner.equals(inner);
    }

    @Override public int hashCode() { return Objects.hash(scope, inner); }
    @Override public String toString() { return inner + " (block " + scope + ")"; }
}
