package dev.mobilebert.model.peers;

import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.NoOp;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeerStudentsTest {

    @Test
    void layerMaps() {
        assertArrayEquals(new int[]{0, 2, 4, 6, 8, 10}, LayerMap.everyOther(12).teacherLayers());
        assertArrayEquals(new int[]{0, 2}, LayerMap.everyOther(3).teacherLayers());
        // TinyBERT uniform: 4 of 12 → teacher layers 3, 6, 9, 12 (1-based)
        assertArrayEquals(new int[]{2, 5, 8, 11}, LayerMap.uniform(4, 12).teacherLayers());
        assertArrayEquals(new int[]{0, 2, 4, 7, 9, 11}, LayerMap.parse("0, 2,4,7,9,11", 12).teacherLayers());
        assertThrows(IllegalArgumentException.class, () -> LayerMap.uniform(5, 12));
        assertThrows(IllegalArgumentException.class, () -> LayerMap.parse("0,2,12", 12));
        assertThrows(IllegalArgumentException.class, () -> LayerMap.parse("2,2", 12));
        assertThrows(IllegalArgumentException.class, () -> LayerMap.parse("a", 12));
    }

    @Test
    void distilBertStudentIsTheTeacherWithEveryOtherLayerCopiedFromIt() {
        MobileBertConfig tc = PeerFixtures.teacher();
        MobileBertModel teacher = MobileBertModel.pretraining(tc, new NoOp(), 1);
        LayerMap map = LayerMap.parse("1,3", 4);
        MobileBertConfig sc = PeerStudents.distilBert(tc, map);
        assertEquals(2, sc.numHiddenLayers);
        sc.numHiddenLayers = tc.numHiddenLayers;
        assertEquals(tc, sc, "only the depth differs");

        MobileBertModel student = MobileBertModel.pretraining(PeerStudents.distilBert(tc, map), new NoOp(), 2);
        var copied = PeerStudents.initialiseDistilBert(teacher, student, map);
        Map<String, INDArray> t = teacher.hfParams(), s = student.hfParams();
        assertEquals(s.size(), copied.names().size(), "every student tensor comes from the teacher");
        for (var e : s.entrySet()) {
            String source = e.getKey().replace("encoder.layer.0.", "encoder.layer.1.").replace("encoder.layer.1.", "encoder.layer.3.");
            if (e.getKey().contains("encoder.layer.0.")) source = e.getKey().replace("encoder.layer.0.", "encoder.layer.1.");
            assertEquals(t.get(source), e.getValue(), e.getKey() + " from " + source);
        }
        assertTrue(copied.names().contains("mobilebert.encoder.layer.1.attention.self.query.weight <- mobilebert.encoder.layer.3.attention.self.query.weight"));
        assertThrows(IllegalArgumentException.class, () -> PeerStudents.distilBert(tc, LayerMap.everyOther(12)));
    }

    @Test
    void tinyBertStudentIsNarrowerWithTheTeachersHeads() {
        MobileBertConfig tc = MobileBertConfig.load("../conf/models/bert-base-uncased.json");
        MobileBertConfig sc = PeerStudents.tinyBert(tc);
        assertEquals(4, sc.numHiddenLayers);
        assertEquals(312, sc.hiddenSize);
        assertEquals(312, sc.trueHiddenSize());
        assertEquals(1200, sc.intermediateSize);
        assertEquals(12, sc.numAttentionHeads);
        assertEquals(tc.vocabSize, sc.vocabSize);
        assertThrows(IllegalArgumentException.class, () -> PeerStudents.tinyBert(tc, 4, 100, 400));
        // General_TinyBERT_4L_312D (paper: 14.5M), by hand: embeddings 30522·312 + 512·312 + 2·312 + 2·312 = 9,683,856;
        // per layer 4·(312·312+312) + 312·1200+1200 + 1200·312+312 + 2·2·312 = 1,142,184 (×4); pooler 97,656;
        // MLM transform + LayerNorm + bias (decoder tied) 97,656 + 624 + 30,522; NSP 626
        long expected = 9_683_856 + 4 * 1_142_184 + 97_656 + 97_656 + 624 + 30_522 + 626;
        assertEquals(expected, MobileBertModel.pretraining(sc, new NoOp(), 0).numParams());
    }
}
