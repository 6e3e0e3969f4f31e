package dev.mobilebert.train;

import dev.mobilebert.io.Fs;
import dev.mobilebert.optim.OptimizerSettings;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class CheckpointsTest {
    @TempDir
    java.nio.file.Path tmp;

    private static ComputationGraph trainedNet(int steps) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT)
                .updater(new Sgd(0.1)).graphBuilder().addInputs("in")
                .addLayer("h", new DenseLayer.Builder().nIn(3).nOut(4).activation(Activation.TANH).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(4).nOut(2)
                        .activation(Activation.IDENTITY).build(), "h")
                .setOutputs("out").build();
        OptimizerSettings.lamb(0.01, 2, 100).applyTo(conf);
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        Nd4j.getRandom().setSeed(5);
        for (int i = 0; i < steps; i++) {
            net.fit(new INDArray[]{Nd4j.rand(DataType.FLOAT, 6, 3)}, new INDArray[]{Nd4j.rand(DataType.FLOAT, 6, 2)});
        }
        return net;
    }

    @Test
    void savesModelUpdaterStateAndPositionAndRestoresThemExactly() throws IOException {
        Checkpoints cps = new Checkpoints(Fs.path(tmp.resolve("checkpoints").toString()));
        assertTrue(cps.latest().isEmpty());
        ComputationGraph net = trainedNet(3);
        TrainingState state = TrainingState.start(9).advance(3, 6, 4);
        Path dir = cps.save(net, state);
        assertEquals("step-000000003", dir.getName());

        Checkpoints.Checkpoint latest = cps.latest().orElseThrow();
        assertEquals(state, latest.state());
        assertEquals(new TrainingState(3, 1, 2, 6, 9), latest.state());
        ComputationGraph back = latest.loadModel();
        assertEquals(3, back.getIterationCount());
        assertEquals(net.params(), back.params());
        INDArray moments = net.getUpdater().getStateViewArray();
        assertTrue(moments.norm2Number().doubleValue() > 0, "LAMB moments should be non-zero after training");
        assertEquals(moments, back.getUpdater().getStateViewArray());
    }

    @Test
    void refusesAStateThatDisagreesWithTheModelAndPrunesOldOnes() throws IOException {
        Checkpoints cps = new Checkpoints(Fs.path(tmp.resolve("checkpoints").toString()));
        ComputationGraph net = trainedNet(1);
        assertThrows(IllegalStateException.class, () -> cps.save(net, TrainingState.start(1)));
        for (int s = 1; s <= 3; s++) {
            net.getConfiguration().setIterationCount(s);
            cps.save(net, new TrainingState(s, 0, s, s, 1));
        }
        cps.prune(2);
        assertEquals(List.of(2, 3), cps.list().stream().map(c -> c.state().step()).toList());
    }
}
