package dev.mobilebert.jobs.pretrain;

import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.optim.OptimizerSettings;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** --init: parameters (only) of a saved model start a new run; a different model is refused. */
class PretrainInitTest {
    @TempDir Path tmp;

    static ComputationGraph net(MobileBertConfig c, long seed) {
        OptimizerSettings opt = OptimizerSettings.lamb(1e-3, 0, 10);
        var conf = MobileBertModel.pretrainingConf(c, opt.updater(), seed, DataType.FLOAT);
        opt.applyTo(conf);
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    @Test
    void initCopiesParametersAndRefusesAnotherModel() throws Exception {
        MobileBertConfig c = PretrainingProbeTest.tiny();
        ComputationGraph trained = net(c, 1);
        Path zip = tmp.resolve("model.zip");
        ModelSerializer.writeModel(trained, zip.toFile(), true);

        ComputationGraph fresh = net(c, 2);
        assertNotEquals(trained.params(), fresh.params());
        PretrainJob.copyParameters(PretrainJob.loadInit(tmp.toString()), fresh, tmp.toString()); // a checkpoint-like directory
        assertEquals(trained.params(), fresh.params());

        MobileBertConfig smaller = c.copy();
        smaller.numHiddenLayers = 1;
        var e = assertThrows(IllegalArgumentException.class,
                () -> PretrainJob.copyParameters(PretrainJob.loadInit(zip.toString()), net(smaller, 3), zip.toString()));
        assertTrue(e.getMessage().contains("different model"), e.getMessage());
    }
}
