package dev.mobilebert.model.peers;

import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.model.finetune.FinetuneGraphs;
import dev.mobilebert.model.finetune.FinetuneHead;
import dev.mobilebert.model.finetune.FinetuneModels;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TinyBERT's task-specific stages on a fine-tuning graph: the targets come from the fine-tuned teacher's mapped layers,
 * the scores equal the losses computed independently (double loops on the graphs' own outputs), the classifier's own
 * loss is off in the intermediate stage, and the prediction stage is soft CE (classification) or MSE (regression)
 * against the teacher's logits.
 */
class TinyBertTaskRecipeTest {
    private static final int T = 6;
    private static final LayerMap MAP = LayerMap.uniform(2, 4); // student layers 0, 1 ↔ teacher layers 1, 3

    private static MobileBertConfig teacherConfig() {
        MobileBertConfig c = PeerFixtures.teacher().copy();
        c.normalizationType = "layer_norm"; // hidden states of order 1
        c.hiddenDropoutProb = 0;
        c.attentionProbsDropoutProb = 0;
        return c;
    }

    private static MobileBertConfig studentConfig() {
        MobileBertConfig s = PeerStudents.tinyBert(PeerFixtures.teacher(), 2, 6, 10);
        s.hiddenDropoutProb = 0;
        s.attentionProbsDropoutProb = 0;
        return s;
    }

    /** A fine-tuning batch: 3 sequences of 6 tokens, sequence 2 padded from position 4; labels [3, 1]. */
    private static MultiDataSet batch(MobileBertConfig c, double[] labels) {
        var rng = new java.util.Random(7);
        INDArray ids = Nd4j.create(DataType.FLOAT, 3, T), types = Nd4j.create(DataType.FLOAT, 3, T), mask = Nd4j.ones(DataType.FLOAT, 3, T);
        for (int i = 0; i < 3; i++) for (int j = 0; j < T; j++) {
            ids.putScalar(i, j, 1 + rng.nextInt(c.vocabSize - 1));
            types.putScalar(i, j, j >= T / 2 ? 1 : 0);
        }
        for (int j = 4; j < T; j++) { mask.putScalar(2, j, 0); ids.putScalar(2, j, 0); }
        INDArray y = Nd4j.create(labels, 3, 1).castTo(DataType.FLOAT);
        return new MultiDataSet(new INDArray[]{ids, types}, new INDArray[]{y}, new INDArray[]{mask, mask.dup()}, null);
    }

    private static ComputationGraph graph(TinyBertTaskRecipe r, MobileBertConfig s) {
        ComputationGraphConfiguration conf = r.conf(s, new Adam(1e-2), 5, DataType.FLOAT);
        assertEquals(conf.toJson(), ComputationGraphConfiguration.fromJson(conf.toJson()).toJson(), "JSON round trip");
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    private static MobileBertModel teacher(FinetuneHead head) {
        return FinetuneGraphs.build(teacherConfig(), head, T, new NoOp(), 3, DataType.FLOAT);
    }

    private static double mse(INDArray a, INDArray b) {
        double[] x = a.castTo(DataType.DOUBLE).dup('c').data().asDouble(), y = b.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        assertEquals(x.length, y.length);
        double s = 0;
        for (int i = 0; i < x.length; i++) s += (x[i] - y[i]) * (x[i] - y[i]);
        return s / x.length;
    }

    @Test
    void intermediateStageLearnsTheTeachersMappedLayersWithTheClassifierLossOff() {
        FinetuneHead head = FinetuneHead.classification(2);
        MobileBertModel teacher = teacher(head);
        MobileBertConfig sc = studentConfig();
        var recipe = new TinyBertTaskRecipe(TinyBertRecipe.Stage.INTERMEDIATE, MAP, teacherConfig().hiddenSize, head, T, 1, false);
        ComputationGraph g = graph(recipe, sc);
        MultiDataSet c = batch(sc, new double[]{0, 1, 1});
        var ds = recipe.batch(teacher, c);
        assertEquals(1 + 3 + 2, ds.getLabels().length, "label, embeddings, 2 layers, 2 attention maps");
        assertEquals(c.getLabels(0), ds.getLabels(0));

        // targets are the teacher's embeddings and layers g(0) = 1, g(1) = 3 (its own forward pass, [B, T·H])
        Map<String, INDArray> t = TinyBertTaskRecipe.activations(teacher.graph(), c);
        String[] teacherVertices = {MobileBertModel.EMBEDDINGS, MobileBertModel.layerName(1), MobileBertModel.layerName(3)};
        for (int k = 0; k < 3; k++) {
            assertArrayEquals(t.get(teacherVertices[k]).dup('c').data().asFloat(), ds.getLabels(1 + k).dup('c').data().asFloat(), 1e-6f, teacherVertices[k]);
        }

        // the score is the MSE of each projection's output against its target plus the attention-score MSEs, and
        // nothing of the classifier's cross-entropy
        g.setLayerMaskArrays(c.getFeaturesMaskArrays(), null);
        Map<String, INDArray> s = g.feedForward(c.getFeatures(), false, false);
        g.clearLayerMaskArrays();
        double expected = mse(s.get(TinyBertRecipe.FIT_DENSE_EMB), ds.getLabels(1))
                + mse(s.get(TinyBertRecipe.fitDense(0)), ds.getLabels(2)) + mse(s.get(TinyBertRecipe.fitDense(1)), ds.getLabels(3));
        for (int m = 0; m < 2; m++) { // TinyBERT zeroes mask-biased scores (<= -100) on both sides
            INDArray st = s.get(TinyBertRecipe.scores(m)).dup(), tt = ds.getLabels(4 + m).dup();
            st.muli(st.gt(-100).castTo(DataType.FLOAT));
            tt.muli(tt.gt(-100).castTo(DataType.FLOAT));
            expected += mse(st, tt);
        }
        double before = g.score(ds, false);
        assertEquals(expected, before, 1e-4 * Math.max(1, expected));

        INDArray classifier = g.getLayer(MobileBertModel.CLASSIFIER).params().dup();
        INDArray layer1 = g.getVertex(MobileBertModel.layerName(1)).params().dup();
        for (int i = 0; i < 10; i++) g.fit(ds);
        assertTrue(g.score(ds, false) < 0.7 * before, "fit lowers the intermediate loss");
        assertEquals(classifier, g.getLayer(MobileBertModel.CLASSIFIER).params(), "the classifier's loss has weight 0: no gradient");
        assertFalse(layer1.equalsWithEps(g.getVertex(MobileBertModel.layerName(1)).params(), 1e-6), "the encoder learns");
    }

    @Test
    void predictionStageIsSoftCrossEntropyAgainstTheTeachersLogits() {
        FinetuneHead head = FinetuneHead.classification(3);
        MobileBertModel teacher = teacher(head);
        MobileBertConfig sc = studentConfig();
        double temperature = 2;
        var recipe = new TinyBertTaskRecipe(TinyBertRecipe.Stage.PREDICTION, MAP, teacherConfig().hiddenSize, head, T, temperature, false);
        ComputationGraph g = graph(recipe, sc);
        MultiDataSet c = batch(sc, new double[]{0, 2, 1});
        var ds = recipe.batch(teacher, c);
        assertEquals(1, ds.getLabels().length);
        INDArray zt = FinetuneModels.logits(teacher.graph(), c.getFeatures(0), c.getFeatures(1), c.getFeaturesMaskArray(0));
        assertTrue(zt.equalsWithEps(ds.getLabels(0), 1e-6), "labels are the teacher's logits");

        INDArray zs = FinetuneModels.logits(g, c.getFeatures(0), c.getFeatures(1), c.getFeaturesMaskArray(0));
        double kl = 0;
        for (int b = 0; b < 3; b++) {
            double[] ls = logSoftmax(zs.getRow(b).toDoubleVector(), temperature), lt = logSoftmax(zt.getRow(b).toDoubleVector(), temperature);
            for (int v = 0; v < 3; v++) kl += Math.exp(lt[v]) * (lt[v] - ls[v]);
        }
        assertTrue(kl > 1e-6, "student and teacher differ");
        double before = g.score(ds, false);
        assertEquals(kl / 3, before, 1e-5);
        for (int i = 0; i < 20; i++) g.fit(ds);
        assertTrue(g.score(ds, false) < 0.5 * before, "fit brings the student's distribution to the teacher's");
    }

    @Test
    void predictionStageOfARegressionTaskIsTheMseOfTheOutputs() {
        FinetuneHead head = FinetuneHead.regression();
        MobileBertModel teacher = teacher(head);
        MobileBertConfig sc = studentConfig();
        var recipe = new TinyBertTaskRecipe(TinyBertRecipe.Stage.PREDICTION, MAP, teacherConfig().hiddenSize, head, T, 1, false);
        ComputationGraph g = graph(recipe, sc);
        MultiDataSet c = batch(sc, new double[]{0.5, 4.2, 3.0});
        var ds = recipe.batch(teacher, c);
        INDArray zt = FinetuneModels.logits(teacher.graph(), c.getFeatures(0), c.getFeatures(1), c.getFeaturesMaskArray(0));
        INDArray zs = FinetuneModels.logits(g, c.getFeatures(0), c.getFeatures(1), c.getFeaturesMaskArray(0));
        assertEquals(mse(zs, zt), g.score(ds, false), 1e-6);
    }

    @Test
    void aGeneralTinyBertStudentStartsTheTaskGraphsAndTheStagesShareParametersByName() {
        MobileBertConfig sc = studentConfig();
        MobileBertModel general = MobileBertModel.pretraining(sc, new NoOp(), 11);
        FinetuneHead head = FinetuneHead.classification(2);
        var intermediate = new TinyBertTaskRecipe(TinyBertRecipe.Stage.INTERMEDIATE, MAP, teacherConfig().hiddenSize, head, T, 1, false);
        ComputationGraph g = graph(intermediate, sc);
        var loaded = FinetuneModels.fromGraph(general.graph(), head, T, 5, "general");
        PeerRecipe.copyParameters(loaded.model().graph(), g);
        assertEquals(general.graph().getVertex(MobileBertModel.layerName(1)).params(), g.getVertex(MobileBertModel.layerName(1)).params());
        var prediction = new TinyBertTaskRecipe(TinyBertRecipe.Stage.PREDICTION, MAP, teacherConfig().hiddenSize, head, T, 1, false);
        ComputationGraph g2 = graph(prediction, sc);
        long copied = PeerRecipe.copyParameters(g, g2);
        assertEquals(g2.params().length(), copied, "every parameter of the prediction graph comes from the intermediate graph");
        assertThrows(IllegalArgumentException.class, () -> new TinyBertTaskRecipe(TinyBertRecipe.Stage.PREDICTION, MAP, 8, FinetuneHead.span(), T, 1, false));
    }

    private static double[] logSoftmax(double[] z, double t) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (double v : z) max = Math.max(max, v / t);
        for (double v : z) sum += Math.exp(v / t - max);
        double[] out = new double[z.length];
        for (int i = 0; i < z.length; i++) out[i] = z[i] / t - max - Math.log(sum);
        return out;
    }
}
