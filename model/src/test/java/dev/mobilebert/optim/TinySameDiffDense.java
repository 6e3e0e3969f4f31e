package dev.mobilebert.optim;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Map;

/** x W + b (+ x G when {@code withGamma}, a second weight parameter named like a LayerNorm gain). */
public class TinySameDiffDense extends SameDiffLayer {
    @JsonProperty private long nIn;
    @JsonProperty private long nOut;
    @JsonProperty private boolean withGamma;

    private TinySameDiffDense() {}

    public TinySameDiffDense(long nIn, long nOut, boolean withGamma) {
        this.nIn = nIn;
        this.nOut = nOut;
        this.withGamma = withGamma;
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable x, Map<String, SDVariable> p, SDVariable mask) {
        SDVariable y = x.mmul(p.get("W")).add(p.get("b"));
        return withGamma ? y.add(x.mmul(p.get("LayerNormGamma"))) : y;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addWeightParam("W", nIn, nOut);
        params.addBiasParam("b", 1, nOut);
        if (withGamma) params.addWeightParam("LayerNormGamma", nIn, nOut);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        params.get("W").assign(0.1);
        params.get("b").assign(0);
        if (withGamma) params.get("LayerNormGamma").assign(0.05);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.feedForward(nOut);
    }
}
