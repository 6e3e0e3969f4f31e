package dev.mobilebert.model.peers;

import dev.mobilebert.model.graph.BlockGraphVertex;
import dev.mobilebert.model.nn.BlockKind;
import dev.mobilebert.model.nn.Blocks;

import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.optim.OptimizerSettings;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The recipe graphs' scores equal the recipe's loss computed independently (plain double loops on the models' own
 * forward outputs), fit() lowers them, and the configurations survive DL4J's JSON (checkpoints, Spark).
 */
class PeerRecipeTest {
    private static final MobileBertConfig TEACHER = PeerFixtures.teacher();

    private static ComputationGraph graph(PeerRecipe recipe, MobileBertConfig student, MobileBertModel init) {
        ComputationGraphConfiguration conf = recipe.conf(student, new Adam(1e-2), 5, DataType.FLOAT);
        assertEquals(conf.toJson(), ComputationGraphConfiguration.fromJson(conf.toJson()).toJson(), "JSON round trip");
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        if (init != null) assertEquals(init.numParams(), PeerRecipe.copyParameters(init.graph(), g));
        return g;
    }

    /** The student model holding the graph's current parameters (vertex by vertex). */
    private static MobileBertModel studentOf(ComputationGraph g, MobileBertConfig c) {
        MobileBertModel m = MobileBertModel.pretraining(c, new NoOp(), 0);
        PeerRecipe.copyParameters(g, m.graph());
        return m;
    }

    private static double[] logSoftmax(double[] z, double t) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (double v : z) max = Math.max(max, v / t);
        for (double v : z) sum += Math.exp(v / t - max);
        double[] out = new double[z.length];
        for (int i = 0; i < z.length; i++) out[i] = z[i] / t - max - Math.log(sum);
        return out;
    }

    private static double[] vec(INDArray a, int i, int j) {
        return a.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i), org.nd4j.linalg.indexing.NDArrayIndex.point(j),
                org.nd4j.linalg.indexing.NDArrayIndex.all()).toDoubleVector();
    }

    @Test
    void distilBertScoreIsTheTripleLossAndFitLowersIt() {
        MobileBertModel teacher = MobileBertModel.pretraining(TEACHER, new NoOp(), 3);
        LayerMap map = LayerMap.everyOther(4);
        MobileBertConfig sc = PeerStudents.distilBert(TEACHER, map);
        MobileBertModel init = MobileBertModel.pretraining(sc, new NoOp(), 4);
        PeerStudents.initialiseDistilBert(teacher, init, map);
        var weights = new DistilBertRecipe.Weights(5, 2, 1, 0.5, 2);
        DistilBertRecipe recipe = new DistilBertRecipe(weights);
        ComputationGraph g = graph(recipe, sc, init);
        MultiDataSet contract = PeerFixtures.batch(sc, 11);
        var ds = recipe.batch(teacher, contract);
        assertEquals(4, ds.getLabels().length);

        var s = studentOf(g, sc).forwardWithIntermediates(contract.getFeatures(0), contract.getFeatures(1), contract.getFeaturesMaskArray(0));
        var t = teacher.forwardWithIntermediates(contract.getFeatures(0), contract.getFeatures(1), contract.getFeaturesMaskArray(0));
        double ce = 0, kl = 0, slots = 0, cos = 0, tokens = 0, nsp = 0;
        INDArray pos = contract.getFeatures(2), ids = contract.getLabels(0), w = contract.getLabelsMaskArray(0), mask = contract.getFeaturesMaskArray(0);
        for (int b = 0; b < 3; b++) {
            for (int p = 0; p < 2; p++) {
                if (w.getDouble(b, p) == 0) continue;
                double[] zs = vec(s.get("mlm_logits"), b, pos.getInt(b, p)), zt = vec(t.get("mlm_logits"), b, pos.getInt(b, p));
                ce -= logSoftmax(zs, 1)[ids.getInt(b, p)];
                double[] ls = logSoftmax(zs, 2), lt = logSoftmax(zt, 2);
                for (int v = 0; v < zs.length; v++) kl += Math.exp(lt[v]) * (lt[v] - ls[v]);
                slots++;
            }
            for (int j = 0; j < 6; j++) {
                if (mask.getDouble(b, j) == 0) continue;
                double[] hs = vec(s.get("last_hidden_state"), b, j), ht = vec(t.get("last_hidden_state"), b, j);
                double dot = 0, ns = 0, nt = 0;
                for (int k = 0; k < hs.length; k++) { dot += hs[k] * ht[k]; ns += hs[k] * hs[k]; nt += ht[k] * ht[k]; }
                cos += 1 - dot / (Math.sqrt(ns) * Math.sqrt(nt));
                tokens++;
            }
            nsp -= logSoftmax(s.get("nsp_logits").getRow(b).toDoubleVector(), 1)[contract.getLabels(1).getInt(b, 0)];
        }
        double expected = 5 * 4 * kl / slots + 2 * ce / slots + 1 * cos / tokens + 0.5 * nsp / 3;
        double before = g.score(ds, false);
        assertEquals(expected, before, 1e-4 * Math.max(1, expected));

        for (int i = 0; i < 12; i++) g.fit(ds);
        double after = g.score(ds, false);
        assertTrue(after < 0.7 * before, "fit lowers the triple loss: " + before + " -> " + after);
    }

    @Test
    void tinyBertIntermediateScoreIsTheProjectedMseOfTheMappedLayersPlusTheirAttentionScoreMse() {
        MobileBertConfig tc = TEACHER.copy();
        tc.normalizationType = "layer_norm"; // hidden states of order 1 (a NoNorm teacher at init: MSE ~ 1e5)
        MobileBertModel teacher = MobileBertModel.pretraining(tc, new NoOp(), 3);
        MobileBertConfig sc = PeerStudents.tinyBert(TEACHER, 2, 6, 10);
        sc.hiddenDropoutProb = 0; sc.attentionProbsDropoutProb = 0;
        LayerMap map = LayerMap.uniform(2, 4); // student layers 0, 1 ↔ teacher layers 1, 3
        TinyBertRecipe recipe = TinyBertRecipe.of(TinyBertRecipe.Stage.INTERMEDIATE, map, TEACHER.hiddenSize);
        ComputationGraph g = graph(recipe, sc, null);
        MultiDataSet contract = PeerFixtures.batch(sc, 12);
        var ds = recipe.batch(teacher, contract);
        assertEquals(2 + 1 + 2 + 2, ds.getLabels().length);

        var s = studentOf(g, sc).forwardWithIntermediates(contract.getFeatures(0), contract.getFeatures(1), contract.getFeaturesMaskArray(0));
        var t = teacher.forwardWithIntermediates(contract.getFeatures(0), contract.getFeatures(1), contract.getFeaturesMaskArray(0));
        double expected = 0;
        String[] proj = {TinyBertRecipe.FIT_DENSE_EMB, TinyBertRecipe.fitDense(0), TinyBertRecipe.fitDense(1)};
        String[] studentStates = {"hidden_states.0", "hidden_states.1", "hidden_states.2"};
        String[] teacherStates = {"hidden_states.0", "hidden_states.2", "hidden_states.4"};
        for (int k = 0; k < 3; k++) {
            Map<String, INDArray> p = g.getVertex(proj[k]).paramTable(false);
            double[][] wt = p.get("weight").toDoubleMatrix();
            double[] bias = p.get("bias").toDoubleVector();
            double sum = 0;
            for (int b = 0; b < 3; b++) for (int j = 0; j < 6; j++) { // every position, padding included (TinyBERT)
                double[] hs = vec(s.get(studentStates[k]), b, j), ht = vec(t.get(teacherStates[k]), b, j);
                for (int o = 0; o < ht.length; o++) {
                    double y = bias[o];
                    for (int i = 0; i < hs.length; i++) y += wt[o][i] * hs[i];
                    sum += (y - ht[o]) * (y - ht[o]);
                }
            }
            expected += sum / (3 * 6 * TEACHER.hiddenSize);
        }
        // attention: MSE of the pre-softmax scores, student layer m (q·kᵀ/√d + mask bias by hand from its input and its
        // query/key weights) vs teacher layer g(m); TinyBERT zeroes scores ≤ −100 (padded keys) on both sides and
        // averages over every element (B·A·T·T), padded query rows included
        int heads = sc.numAttentionHeads, d = sc.hiddenSize / heads;
        INDArray mask = contract.getFeaturesMaskArray(0);
        double attention = 0;
        for (int m = 0; m < 2; m++) {
            Map<String, INDArray> lp = ((BlockGraphVertex) g.getVertex(MobileBertModel.layerName(m))).hfParams();
            String pre = Blocks.hfPrefix(BlockKind.LAYER, m) + "attention.self.";
            double[][] wq = lp.get(pre + "query.weight").toDoubleMatrix(), wk = lp.get(pre + "key.weight").toDoubleMatrix();
            double[] bq = lp.get(pre + "query.bias").toDoubleVector(), bk = lp.get(pre + "key.bias").toDoubleVector();
            INDArray teacherScores = teacher.attentionScores(map.teacherLayer(m)); // t was the teacher's last forward pass
            // they are that pass's scores (not memory reused by a later layer): their softmax is its attention
            INDArray probs = org.nd4j.linalg.factory.Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax(
                    teacherScores.dup(), teacherScores.dup(), 3))[0];
            assertTrue(probs.equalsWithEps(t.get("attentions." + map.teacherLayer(m)), 1e-5), "softmax(scores) = attention, layer " + m);
            double sum = 0;
            for (int b = 0; b < 3; b++) for (int a = 0; a < heads; a++) for (int i = 0; i < 6; i++) for (int j = 0; j < 6; j++) {
                double[] xi = vec(s.get("hidden_states." + m), b, i), xj = vec(s.get("hidden_states." + m), b, j);
                double qk = 0;
                for (int c = a * d; c < (a + 1) * d; c++) {
                    double q = bq[c], k = bk[c];
                    for (int h = 0; h < xi.length; h++) { q += wq[c][h] * xi[h]; k += wk[c][h] * xj[h]; }
                    qk += q * k;
                }
                double st = qk / Math.sqrt(d) - 10000 * (1 - mask.getDouble(b, j)), tt = teacherScores.getDouble(b, a, i, j);
                if (st <= -100) st = 0;
                if (tt <= -100) tt = 0;
                sum += (st - tt) * (st - tt);
            }
            attention += sum / (3.0 * heads * 6 * 6);
        }
        assertTrue(attention > 1e-3, "the attention term is part of the loss: " + attention);
        expected += attention;
        double before = g.score(ds, false);
        assertEquals(expected, before, 1e-4 * Math.max(1, expected));

        INDArray projBefore = g.getVertex(TinyBertRecipe.fitDense(1)).params().dup();
        for (int i = 0; i < 10; i++) g.fit(ds);
        double after = g.score(ds, false);
        assertTrue(after < 0.7 * before, "fit lowers the intermediate loss: " + before + " -> " + after);
        assertFalse(projBefore.equalsWithEps(g.getVertex(TinyBertRecipe.fitDense(1)).params(), 1e-6), "W_h is learned");

        // the prediction stage starts from the intermediate stage's student (vertex names carry over)
        TinyBertRecipe prediction = TinyBertRecipe.of(TinyBertRecipe.Stage.PREDICTION, map, TEACHER.hiddenSize);
        ComputationGraph g2 = graph(prediction, sc, studentOf(g, sc));
        assertEquals(g.getVertex(MobileBertModel.layerName(1)).params(), g2.getVertex(MobileBertModel.layerName(1)).params());
        var ds2 = prediction.batch(teacher, contract);
        double kl = 0, slots = 0;
        INDArray pos = contract.getFeatures(2), w = contract.getLabelsMaskArray(0);
        var s2 = studentOf(g2, sc).forwardWithIntermediates(contract.getFeatures(0), contract.getFeatures(1), contract.getFeaturesMaskArray(0));
        for (int b = 0; b < 3; b++) for (int p = 0; p < 2; p++) {
            if (w.getDouble(b, p) == 0) continue;
            double[] ls = logSoftmax(vec(s2.get("mlm_logits"), b, pos.getInt(b, p)), 1), lt = logSoftmax(vec(t.get("mlm_logits"), b, pos.getInt(b, p)), 1);
            for (int v = 0; v < ls.length; v++) kl += Math.exp(lt[v]) * (lt[v] - ls[v]);
            slots++;
        }
        assertEquals(kl / slots, g2.score(ds2, false), 1e-4);
    }

    @Test
    void theOptimizerConfiguresTheProjectionsAndExcludesTheirBias() {
        MobileBertConfig sc = PeerStudents.tinyBert(TEACHER, 2, 6, 10);
        var conf = TinyBertRecipe.of(TinyBertRecipe.Stage.INTERMEDIATE, LayerMap.uniform(2, 4), TEACHER.hiddenSize)
                .conf(sc, new Adam(1e-3), 1, DataType.FLOAT);
        var policies = OptimizerSettings.lamb(1e-3, 10, 100).applyTo(conf);
        var byName = new java.util.HashMap<String, OptimizerSettings.ParamPolicy>();
        policies.forEach(p -> byName.put(p.name(), p));
        assertTrue(byName.get("fitDense1_weight").weightDecay(), byName.toString());
        assertFalse(byName.get("fitDense1_bias").weightDecay());
    }
}
