package dev.mobilebert.optim;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.Serializable;

/**
 * BERT's {@code tf.clip_by_global_norm(grads, clip_norm)} over all parameters, which DL4J lacks (its
 * GradientNormalization is per layer or per parameter).
 * <p>
 * Where it runs: DL4J's {@code BaseOptimizer.gradientAndScore} calls every listener's
 * {@link #onGradientCalculation} right after {@code computeGradientAndScore} and before the updater; the network's
 * flattened gradient view is what the updater then reads, so scaling it in place clips the step. dl4j-spark's
 * parameter-averaging workers install the training master's listeners on their copy of the network, so the same
 * listener clips on the workers.
 * <p>
 * A DL4J subtlety: at this point the gradient is the gradient of the loss <i>summed</i> over the minibatch;
 * {@code BaseMultiLayerUpdater} divides it by the minibatch size afterwards (for {@code miniBatch=true}, DL4J's
 * default). BERT clips the gradient of the <i>mean</i> loss, so the norm here is {@code ||g_sum|| / B}. Scaling
 * commutes with the later division, so the step is exactly BERT's.
 * <p>
 * Every step's (iteration, norm before clipping, loss) goes to a {@link Sink}, for metrics and the NaN guard.
 */
public final class GlobalNormClipping extends BaseTrainingListener implements Serializable {
    /** Receives one record per optimizer step (on whichever JVM the step ran). */
    @FunctionalInterface
    public interface Sink extends Serializable {
        void accept(StepRecord record);
    }

    /** @param gradNorm global norm of the mean-loss gradient before clipping; {@code loss} the minibatch loss */
    public record StepRecord(int iteration, double gradNorm, double loss, int batchSize) implements Serializable {}

    private final double clipNorm;
    private final Sink sink;

    /** @param clipNorm threshold; 0 only measures the norm */
    public GlobalNormClipping(double clipNorm, Sink sink) {
        if (!(clipNorm >= 0)) throw new IllegalArgumentException("clip norm must be >= 0, got " + clipNorm);
        this.clipNorm = clipNorm;
        this.sink = sink;
    }

    public double clipNorm() {
        return clipNorm;
    }

    @Override
    public void onGradientCalculation(Model model) {
        INDArray flat = flattenedGradient(model);
        int batchSize = Math.max(1, model.batchSize());
        double norm = flat.norm2Number().doubleValue() / batchSize;
        if (clipNorm > 0 && norm > clipNorm && Double.isFinite(norm)) {
            flat.muli(clipNorm / norm);
        }
        if (sink != null) {
            int iteration = model instanceof ComputationGraph g ? g.getIterationCount() : -1;
            sink.accept(new StepRecord(iteration, norm, model.score(), batchSize));
        }
    }

    private static INDArray flattenedGradient(Model model) {
        if (model instanceof ComputationGraph g && g.getFlattenedGradients() != null) return g.getFlattenedGradients();
        Gradient gradient = model.gradient();
        if (gradient == null || gradient.gradient() == null) {
            throw new IllegalStateException("no flattened gradient on " + model.getClass().getSimpleName());
        }
        return gradient.gradient();
    }
}
