package dev.mobilebert.optim;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The element-wise half of LAMB and AdamW: Adam moments and {@code lr * m / (sqrt(v) + eps)} (with optional bias
 * correction, HF-style: {@code m/(1-b1^t)} and {@code v/(1-b2^t)} before the division, eps not corrected).
 * Weight decay and LAMB's per-tensor trust ratio need the parameter values, which DL4J does not give a
 * {@link GradientUpdater}; they run afterwards, per parameter tensor, in {@link DecoupledWeightDecay}.
 * Because this half is element-wise, it does not matter how DL4J groups parameters into updater blocks.
 */
public final class AdamStyleUpdater implements GradientUpdater<AdamStyle> {
    public static final String M_STATE = "M";
    public static final String V_STATE = "V";

    private final AdamStyle config;
    private INDArray m;
    private INDArray v;

    public AdamStyleUpdater(AdamStyle config) {
        this.config = config;
    }

    @Override
    public AdamStyle getConfig() {
        return config;
    }

    @Override
    public void setState(Map<String, INDArray> stateMap, boolean initialize) {
        if (!stateMap.containsKey(M_STATE) || !stateMap.containsKey(V_STATE) || stateMap.size() != 2) {
            throw new IllegalStateException("state map must hold exactly " + M_STATE + " and " + V_STATE + ", got " + stateMap.keySet());
        }
        m = stateMap.get(M_STATE);
        v = stateMap.get(V_STATE);
        if (initialize) {
            m.assign(0);
            v.assign(0);
        }
    }

    @Override
    public Map<String, INDArray> getState() {
        Map<String, INDArray> state = new LinkedHashMap<>();
        state.put(M_STATE, m);
        state.put(V_STATE, v);
        return state;
    }

    @Override
    public void setStateViewArray(INDArray viewArray, long[] gradientShape, char gradientOrder, boolean initialize) {
        if (!viewArray.isVectorOrScalar()) throw new IllegalArgumentException("invalid state view: not a vector");
        if (initialize) viewArray.assign(0);
        long n = viewArray.length() / 2;
        INDArray flat = viewArray.reshape(viewArray.length());
        this.m = flat.get(NDArrayIndex.interval(0, n)).reshape(gradientOrder, gradientShape);
        this.v = flat.get(NDArrayIndex.interval(n, 2 * n)).reshape(gradientOrder, gradientShape);
    }

    /** Replaces {@code gradient} (in place) by {@code lr * m / (sqrt(v) + eps)}, after updating the moments. */
    @Override
    public void applyUpdater(INDArray gradient, int iteration, int epoch) {
        if (m == null || v == null) throw new IllegalStateException("updater state not set");
        double lr = config.getLearningRate(iteration, epoch);
        double b1 = config.getBeta1();
        double b2 = config.getBeta2();
        INDArray m = sameShape(this.m, gradient);
        INDArray v = sameShape(this.v, gradient);
        // m = b1*m + (1-b1)*g ; v = b2*v + (1-b2)*g^2
        m.muli(b1).addi(gradient.mul(1.0 - b1));
        v.muli(b2).addi(gradient.mul(gradient).muli(1.0 - b2));
        INDArray mHat = m;
        INDArray vHat = v;
        if (config.isBiasCorrection()) {
            int t = iteration + 1;
            mHat = m.div(1.0 - Math.pow(b1, t));
            vHat = v.div(1.0 - Math.pow(b2, t));
        }
        INDArray denom = Transforms.sqrt(vHat, true).addi(config.getEpsilon());
        gradient.assign(mHat.div(denom).muli(lr));
    }

    /** The state as a view with the gradient's shape (both are contiguous, so this never copies). */
    private static INDArray sameShape(INDArray state, INDArray gradient) {
        return java.util.Arrays.equals(state.shape(), gradient.shape()) ? state : state.reshape(gradient.ordering(), gradient.shape());
    }
}
