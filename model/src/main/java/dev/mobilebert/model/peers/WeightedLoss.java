package dev.mobilebert.model.peers;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonIgnoreProperties;

import java.util.Objects;

/** Another loss times a constant (α_mlm on the model's MLM loss, α_nsp on its NSP loss): scores and gradients scaled. */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
@JsonIgnoreProperties(ignoreUnknown = true)
public final class WeightedLoss implements ILossFunction {
    private ILossFunction inner;
    private double weight;

    private WeightedLoss() {}

    public WeightedLoss(ILossFunction inner, double weight) {
        this.inner = Objects.requireNonNull(inner);
        this.weight = weight;
    }

    public ILossFunction inner() { return inner; }
    public double weight() { return weight; }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation a, INDArray mask, boolean average) {
        return weight * inner.computeScore(labels, preOutput, a, mask, average);
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation a, INDArray mask) {
        return inner.computeScoreArray(labels, preOutput, a, mask).muli(weight);
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation a, INDArray mask) {
        return inner.computeGradient(labels, preOutput, a, mask).muli(weight);
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation a, INDArray mask, boolean average) {
        return new Pair<>(computeScore(labels, preOutput, a, mask, average), computeGradient(labels, preOutput, a, mask));
    }

    @Override public String name() { return "Weighted(" + inner.name() + ")"; }
    @Override public boolean equals(Object o) { return o instanceof WeightedLoss l && l.weight == weight && l.inner.equals(inner); }
    @Override public int hashCode() { return Objects.hash(inner, weight); }
    @Override public String toString() { return weight + "·" + inner; }
}
