package dev.mobilebert.model.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A value in the hand-written reverse-mode computation: its array and the gradient flowing back into it.
 * Parameters carry a sink (their slice of DL4J's flattened gradient view) that gradients are added to in place.
 */
public final class Var {
    public final INDArray value;
    private INDArray grad;
    private final INDArray sink;

    private Var(INDArray value, INDArray sink) {
        this.value = value;
        this.sink = sink;
    }

    public static Var of(INDArray value) { return new Var(value, null); }

    /** A parameter whose gradient is added into {@code gradientView} (which the caller zeroes per step). */
    public static Var param(INDArray value, INDArray gradientView) { return new Var(value, gradientView); }

    /** The accumulated gradient, or null if nothing flowed back. */
    public INDArray grad() { return grad; }

    public void accumulate(INDArray g) {
        if (sink != null) {
            sink.addi(g.reshape(sink.shape()));
        } else if (grad == null) {
            grad = g;
        } else {
            grad = grad.add(g); // never in place: g may be shared with another consumer
        }
    }
}
