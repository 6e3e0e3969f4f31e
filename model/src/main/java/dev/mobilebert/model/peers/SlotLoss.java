package dev.mobilebert.model.peers;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonIgnoreProperties;

/**
 * The conventions every peer-distillation loss shares, as a DL4J {@link ILossFunction} usable on a graph output (so
 * {@code ComputationGraph.fit()}, hence the parameter-averaging trainer, trains it):
 * <ul>
 *   <li>labels and pre-output are [N, K·C]: K <em>slots</em> per example (tokens, masked positions, heads×queries)
 *       of width C ({@link #width}); the label mask, when present, is [N, K] (1 = real slot, 0 = padding), absent
 *       = every slot real;</li>
 *   <li>the loss is {@code weight · Σ_slots w·ℓ / (Σ w · perSlotDenominator())}: the mean over real slots (or over
 *       their elements for the MSE), like BERT's {@code Σ w·CE / Σ w};</li>
 *   <li>example i's score is N × its share, and the gradient returned is that of the sum of the scores (DL4J divides
 *       by the minibatch size in the updater) — the same as the model's {@code SparseSoftmaxCrossEntropy}.</li>
 * </ul>
 * Subclasses give the per-slot loss ℓ and its gradient. Fields serialise through DL4J's shaded Jackson, so the graph
 * configuration (checkpoints, Spark's broadcast) carries them.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
@JsonIgnoreProperties(ignoreUnknown = true)
public abstract class SlotLoss implements ILossFunction {
    /** Multiplies the loss (α of the recipe). */
    protected double weight = 1.0;
    /** Slot width C: hidden size, vocabulary size, number of keys. */
    protected int width = 1;

    protected SlotLoss() {}

    protected SlotLoss(double weight, int width) {
        if (width <= 0) throw new IllegalArgumentException(getClass().getSimpleName() + ": slot width must be > 0, got " + width);
        this.weight = weight;
        this.width = width;
    }

    public double weight() { return weight; }
    public int width() { return width; }

    /** Per-slot loss [M, 1] and its gradient [M, C] for labels and pre-output reshaped to [M, C] (never modify them). */
    protected abstract INDArray[] perSlot(INDArray labels, INDArray preOutput);

    /** What one real slot counts for in the denominator: 1 = mean over slots, C = mean over elements. */
    protected long perSlotDenominator() { return 1; }

    private record Parts(INDArray loss, INDArray grad, INDArray w, double scale, long n, long k) {}

    private Parts parts(INDArray labels, INDArray preOutput, INDArray mask) {
        long n = preOutput.size(0), cols = preOutput.length() / n;
        if (cols % width != 0) {
            throw new IllegalArgumentException(name() + ": " + cols + " columns per example are not a multiple of the slot width " + width);
        }
        if (labels.length() != preOutput.length()) {
            throw new IllegalArgumentException(name() + ": labels have " + labels.length() + " values, the output " + preOutput.length());
        }
        long k = cols / width;
        INDArray z = preOutput.reshape('c', n * k, width);
        INDArray y = labels.castTo(preOutput.dataType()).reshape('c', n * k, width);
        INDArray w;
        if (mask == null) {
            w = Nd4j.ones(preOutput.dataType(), n * k, 1);
        } else {
            if (mask.length() != n * k) {
                throw new IllegalArgumentException(name() + ": label mask has " + mask.length() + " entries, expected N·K = " + n * k);
            }
            w = mask.castTo(preOutput.dataType()).reshape('c', n * k, 1);
        }
        INDArray[] s = perSlot(y, z);
        double denominator = Math.max(w.sumNumber().doubleValue() * perSlotDenominator(), 1e-5);
        return new Parts(s[0], s[1], w, weight * n / denominator, n, k);
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        Parts p = parts(labels, preOutput, mask);
        return p.loss().mul(p.w()).reshape('c', p.n(), p.k()).sum(1).muli(p.scale());
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask, boolean average) {
        double total = computeScoreArray(labels, preOutput, activationFn, mask).sumNumber().doubleValue();
        return average ? total / preOutput.size(0) : total;
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        Parts p = parts(labels, preOutput, mask);
        return p.grad().mulColumnVector(p.w()).muli(p.scale()).reshape('c', preOutput.shape());
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn,
                                                          INDArray mask, boolean average) {
        return new Pair<>(computeScore(labels, preOutput, activationFn, mask, average),
                computeGradient(labels, preOutput, activationFn, mask));
    }

    /** The mean loss of a batch (what {@code computeScore(average = true)} gives), for tests and metrics. */
    public double value(INDArray labels, INDArray preOutput, INDArray mask) {
        return computeScore(labels, preOutput, null, mask, true);
    }

    @Override public String name() { return getClass().getSimpleName(); }
    @Override public String toString() { return name() + "(weight " + weight + ", width " + width + ")"; }
}
