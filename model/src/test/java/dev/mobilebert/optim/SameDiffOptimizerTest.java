package dev.mobilebert.optim;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.samediff.AbstractSameDiffLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The optimizer set on SameDiff layers (how the MobileBERT blocks are likely built). */
class SameDiffOptimizerTest {

    private static ComputationGraphConfiguration graph(boolean withGamma) {
        return new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT).updater(new Sgd(1.0)).graphBuilder()
                .addInputs("in")
                .addLayer("encoder", new TinySameDiffDense(3, 4, withGamma), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(4).nOut(1)
                        .activation(Activation.IDENTITY).build(), "encoder")
                .setOutputs("out").build();
    }

    @Test
    void weightsGetLambBiasesNothingAndTheGraphTrains() {
        var conf = graph(false);
        var policies = OptimizerSettings.lamb(0.01, 0, 10).applyTo(conf);
        assertTrue(policies.contains(new OptimizerSettings.ParamPolicy("encoder_W", true, true)), policies.toString());
        assertTrue(policies.contains(new OptimizerSettings.ParamPolicy("encoder_b", false, false)), policies.toString());
        var layer = (AbstractSameDiffLayer) ((LayerVertex) conf.getVertices().get("encoder")).getLayerConf().getLayer();
        assertInstanceOf(Lamb.class, layer.getUpdaterByParam("W"));
        assertEquals(List.of(DecoupledWeightDecay.lamb(0.01)), layer.getRegularizationByParam("W"));
        assertTrue(layer.getRegularizationByParam("b") == null || layer.getRegularizationByParam("b").isEmpty());

        conf = ComputationGraphConfiguration.fromJson(conf.toJson());
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        INDArray before = net.params().dup();
        net.fit(new INDArray[]{Nd4j.rand(DataType.FLOAT, 5, 3)}, new INDArray[]{Nd4j.rand(DataType.FLOAT, 5, 1)});
        assertEquals(1, net.getIterationCount());
        // LAMB moves each decayed tensor by lr * ||W|| exactly (trust ratio), whatever the gradient
        INDArray w0 = before.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 12));
        INDArray w1 = net.getParam("encoder_W").reshape(-1);
        double moved = w1.sub(w0.reshape(w1.shape())).norm2Number().doubleValue();
        assertEquals(0.01 * w0.norm2Number().doubleValue(), moved, 1e-6);
    }

    @Test
    void aLayerWhoseWeightsArePartlyExcludedIsRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> OptimizerSettings.lamb(0.01, 0, 10).applyTo(graph(true)));
        assertTrue(e.getMessage().contains("encoder") && e.getMessage().contains("LayerNormGamma"), e.getMessage());
    }
}
