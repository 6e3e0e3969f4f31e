package dev.mobilebert.model;

import dev.mobilebert.model.io.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointTest {
    @Test
    void saveLoadKeepsConfigParamsUpdaterAndProvenance(@TempDir Path tmp) throws Exception {
        MobileBertConfig c = TinyConfigs.mobileBert();
        MobileBertModel m = MobileBertModel.pretraining(c, new Adam(1e-3), 3);
        m.graph().fit(TrainingTest.contractBatch(c, 3, 6, 2, 1)); // non-trivial updater state
        String loc = "file://" + tmp.resolve("ckpt");
        Checkpoint.save(m, Checkpoint.Provenance.of("test", "tiny batch", 1), loc, true);
        assertTrue(Files.exists(tmp.resolve("ckpt/config.json")));
        assertTrue(Files.exists(tmp.resolve("ckpt/provenance.json")));

        Checkpoint.Loaded back = Checkpoint.load(loc, true);
        assertEquals(c, back.model().config());
        assertEquals(1, back.provenance().step());
        assertEquals("tiny batch", back.provenance().data());
        assertEquals(m.graph().params(), back.model().graph().params());
        assertEquals(m.graph().getUpdater().getStateViewArray(), back.model().graph().getUpdater().getStateViewArray());
        assertEquals(m.graph().getConfiguration().toJson(), back.model().graph().getConfiguration().toJson());

        INDArray ids = TrainingTest.contractBatch(c, 3, 6, 2, 1).getFeatures(0);
        INDArray types = TrainingTest.contractBatch(c, 3, 6, 2, 1).getFeatures(1);
        INDArray mask = TrainingTest.contractBatch(c, 3, 6, 2, 1).getFeaturesMaskArray(0);
        Map<String, INDArray> a = m.forwardWithIntermediates(ids, types, mask);
        Map<String, INDArray> b = back.model().forwardWithIntermediates(ids, types, mask);
        a.forEach((k, v) -> assertEquals(v, b.get(k), k));
        // and it keeps training
        back.model().graph().fit(TrainingTest.contractBatch(c, 3, 6, 2, 1));
    }
}
