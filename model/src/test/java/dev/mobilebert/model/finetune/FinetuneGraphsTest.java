package dev.mobilebert.model.finetune;

import dev.mobilebert.io.Json;
import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.model.TinyConfigs;
import dev.mobilebert.model.io.Checkpoint;
import dev.mobilebert.model.io.HfFormat;
import dev.mobilebert.model.io.SafeTensors;
import dev.mobilebert.tasks.features.ClassifierFeatures;
import dev.mobilebert.tasks.features.SquadFeature;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.learning.config.Adam;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fine-tuning graphs on a tiny MobileBERT: they train, load encoders by name, and carry their heads through HF. */
class FinetuneGraphsTest {
    static final int T = 8;

    static MobileBertConfig config() {
        // TinyConfigs' initializer_range 0.5: at 0.02 the tiny widths make attention gradients vanish below Adam's epsilon
        return TinyConfigs.mobileBert();
    }

    /** Label = whether token 5 occurs in the sentence (learnable from the embeddings). */
    static List<ClassifierFeatures> classification(int n, long seed, boolean regression) {
        Random r = new Random(seed);
        List<ClassifierFeatures> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] ids = new int[T], mask = new int[T], types = new int[T];
            int len = 4 + r.nextInt(T - 3);
            boolean has = false;
            for (int j = 0; j < len; j++) {
                ids[j] = j == 0 ? 1 : 6 + r.nextInt(16);
                mask[j] = 1;
            }
            if (r.nextBoolean()) { ids[1 + r.nextInt(len - 1)] = 5; has = true; }
            out.add(new ClassifierFeatures("g" + i, ids, mask, types, has ? 1 : 0, regression ? (has ? 4.0 : 1.0) : Double.NaN));
        }
        return out;
    }

    /** The answer is the span from the first token 5 to the next token 6 (or itself). */
    static List<SquadFeature> spans(int n, long seed) {
        Random r = new Random(seed);
        List<SquadFeature> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] ids = new int[T], mask = new int[T], types = new int[T];
            for (int j = 0; j < T; j++) { ids[j] = j == 0 ? 1 : 7 + r.nextInt(14); mask[j] = 1; }
            int s = 1 + r.nextInt(T - 2), e = s + r.nextInt(T - s);
            ids[s] = 5;
            if (e > s) ids[e] = 6;
            out.add(new SquadFeature(i, i, 0, List.of(), new int[T], new boolean[T], ids, mask, types, s, e, false));
        }
        return out;
    }

    private static double trainAndScore(MobileBertModel m, MultiDataSet batch, int steps) {
        ComputationGraph g = m.graph();
        g.setListeners(); // no listeners
        double first = Double.NaN;
        for (int i = 0; i < steps; i++) {
            g.fit(batch);
            if (i == 0) first = g.score();
        }
        assertTrue(Double.isFinite(g.score()), "loss not finite");
        return first - g.score();
    }

    @Test
    void everyHeadTrainsAndEveryParameterMoves() {
        MobileBertConfig c = config();
        for (FinetuneHead head : List.of(FinetuneHead.classification(2), FinetuneHead.regression(), FinetuneHead.span())) {
            MobileBertModel m = FinetuneGraphs.build(c, head, T, new Adam(3e-3), 1, DataType.FLOAT);
            Map<String, INDArray> before = new java.util.LinkedHashMap<>();
            m.hfParams().forEach((k, v) -> before.put(k, v.dup()));
            assertTrue(before.keySet().stream().anyMatch(FinetuneModels::isHeadParameter), head + ": no head parameters in " + before.keySet());
            MultiDataSet batch = head.kind() == FinetuneHead.Kind.SPAN ? FinetuneBatches.span(spans(16, 3))
                    : FinetuneBatches.classification(classification(16, 3, head.kind() == FinetuneHead.Kind.REGRESSION),
                    head.kind() == FinetuneHead.Kind.REGRESSION);
            double drop = trainAndScore(m, batch, 20);
            assertTrue(drop > 0.1, head + ": loss fell by only " + drop);
            m.hfParams().forEach((k, v) -> {
                if (k.startsWith("mobilebert.pooler") && head.kind() == FinetuneHead.Kind.SPAN) return;
                assertNotEquals(before.get(k), v, head + ": parameter " + k + " did not move");
            });
        }
    }

    @Test
    void logitsHaveTheHeadsShape() {
        MobileBertConfig c = config();
        MultiDataSet d = FinetuneBatches.span(spans(3, 1));
        INDArray[] f = d.getFeatures();
        INDArray mask = d.getFeaturesMaskArray(0);
        assertArrayEquals(new long[]{3, 2 * T}, FinetuneModels.logits(FinetuneGraphs.build(c, FinetuneHead.span(), T, null, 1, DataType.FLOAT).graph(), f[0], f[1], mask).shape());
        assertArrayEquals(new long[]{3, 3}, FinetuneModels.logits(FinetuneGraphs.build(c, FinetuneHead.classification(3), T, null, 1, DataType.FLOAT).graph(), f[0], f[1], mask).shape());
        assertArrayEquals(new long[]{3, 1}, FinetuneModels.logits(FinetuneGraphs.build(c, FinetuneHead.regression(), T, null, 1, DataType.FLOAT).graph(), f[0], f[1], mask).shape());
        assertThrows(IllegalArgumentException.class, () -> FinetuneGraphs.conf(c, FinetuneHead.span(), c.maxPositionEmbeddings + 1, new Adam(), 1, DataType.FLOAT));
    }

    @Test
    void pretrainingEncoderAndPoolerLoadByNameAndTheHeadStartsFresh() {
        MobileBertConfig c = config();
        MobileBertModel pre = MobileBertModel.pretraining(c, null, 11);
        FinetuneModels.Loaded l = FinetuneModels.fromGraph(pre.graph(), FinetuneHead.classification(3), T, 5, "pretrained");
        assertEquals(List.of("classifier.weight", "classifier.bias"), l.freshHeadParameters());
        Map<String, INDArray> src = pre.hfParams();
        l.model().hfParams().forEach((k, v) -> {
            if (!FinetuneModels.isHeadParameter(k)) assertEquals(src.get(k), v, k);
        });
        // a different encoder is refused, naming the parameter
        MobileBertConfig other = config();
        other.numHiddenLayers = 1;
        MobileBertModel small = MobileBertModel.pretraining(other, null, 1);
        var e = assertThrows(IllegalArgumentException.class,
                () -> FinetuneModels.copyMatching(small.hfParams(), FinetuneGraphs.build(c, FinetuneHead.span(), T, null, 1, DataType.FLOAT), "small"));
        assertTrue(e.getMessage().contains("mobilebert.encoder.layer.1"), e.getMessage());
    }

    @Test
    void fineTunedHeadsTravelThroughTheHuggingFaceFormatAndCheckpoints(@TempDir Path tmp) throws Exception {
        MobileBertConfig c = config();
        for (FinetuneHead head : List.of(FinetuneHead.classification(3), FinetuneHead.regression(), FinetuneHead.span())) {
            MobileBertModel m = FinetuneGraphs.build(c, head, T, null, 21, DataType.FLOAT);
            String dir = tmp.resolve("hf-" + head.kind()).toString();
            HfFormat.export(m, dir);
            @SuppressWarnings("unchecked")
            Map<String, Object> cfg = Json.MAPPER.readValue(Files.readString(Path.of(dir, "config.json")), Map.class);
            assertEquals(List.of(head.hfArchitecture()), cfg.get("architectures"));
            Map<String, SafeTensors.Tensor> t = HfFormat.readWeights(dir);
            String headWeight = head.kind() == FinetuneHead.Kind.SPAN ? "qa_outputs.weight" : "classifier.weight";
            assertArrayEquals(new long[]{head.numLabels(), c.hiddenSize}, t.get(headWeight).shape());

            FinetuneModels.Loaded back = FinetuneModels.fromHf(dir, head, T, 99);
            assertTrue(back.freshHeadParameters().isEmpty(), "head not imported: " + back.freshHeadParameters());
            MultiDataSet d = FinetuneBatches.span(spans(2, 4));
            INDArray a = FinetuneModels.logits(m.graph(), d.getFeatures(0), d.getFeatures(1), d.getFeaturesMaskArray(0));
            INDArray b = FinetuneModels.logits(back.model().graph(), d.getFeatures(0), d.getFeatures(1), d.getFeaturesMaskArray(0));
            assertEquals(a, b, head + ": logits differ after export/import");

            String ckpt = tmp.resolve("ckpt-" + head.kind()).toString();
            Checkpoint.save(m, Checkpoint.Provenance.of("test", "none", 0), ckpt, false);
            MobileBertModel restored = Checkpoint.load(ckpt, false).model();
            assertEquals(a, FinetuneModels.logits(restored.graph(), d.getFeatures(0), d.getFeatures(1), d.getFeaturesMaskArray(0)));
        }
        // a pretraining HF directory (no head) starts the head fresh; its NSP/MLM tensors are ignored
        String pre = tmp.resolve("hf-pre").toString();
        HfFormat.export(MobileBertModel.pretraining(c, null, 3), pre);
        FinetuneModels.Loaded l = FinetuneModels.fromHf(pre, FinetuneHead.span(), T, 1);
        assertEquals(List.of("qa_outputs.weight", "qa_outputs.bias"), l.freshHeadParameters());
        assertFalse(l.model().hfParams().containsKey("cls.seq_relationship.weight"));
    }
}
