package dev.mobilebert.model.peers;

import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.NoOp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backward of the whole recipe graphs in double precision: one entry of every parameter array of every vertex
 * (student blocks, NSP layer, TinyBERT's projections) against central differences of the graph's score — catches a
 * wrong factor or a gradient that never reaches DL4J's view through the new vertices and losses. Slow: run with
 * {@code -Dtest.excludedGroups=}.
 */
class PeerGradientTest {

    private static MultiDataSet toDouble(org.nd4j.linalg.dataset.api.MultiDataSet d) {
        return new MultiDataSet(cast(d.getFeatures()), cast(d.getLabels()), cast(d.getFeaturesMaskArrays()), cast(d.getLabelsMaskArrays()));
    }

    private static INDArray[] cast(INDArray[] a) {
        if (a == null) return null;
        INDArray[] out = new INDArray[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i] == null ? null : a[i].castTo(DataType.DOUBLE);
        return out;
    }

    @Tag("slow") // ~1-4 min per recipe on the shared machine: two score evaluations per parameter array
    @ParameterizedTest
    @ValueSource(strings = {"distilbert", "tinybert-intermediate", "tinybert-prediction"})
    void everyParameterArrayHasTheNumericalGradient(String recipeName) {
        MobileBertConfig tc = PeerFixtures.teacher();
        tc.normalizationType = "layer_norm";
        MobileBertModel teacher = MobileBertModel.pretraining(tc, new NoOp(), 3, DataType.DOUBLE);
        MobileBertConfig sc;
        PeerRecipe recipe;
        if (recipeName.equals("distilbert")) {
            sc = PeerStudents.distilBert(tc, LayerMap.parse("3", 4));
            recipe = new DistilBertRecipe(new DistilBertRecipe.Weights(5, 2, 3, 0.5, 2));
        } else {
            sc = PeerStudents.tinyBert(tc, 1, 6, 10);
            sc.hiddenDropoutProb = 0; sc.attentionProbsDropoutProb = 0;
            recipe = TinyBertRecipe.of(recipeName.endsWith("prediction") ? TinyBertRecipe.Stage.PREDICTION : TinyBertRecipe.Stage.INTERMEDIATE,
                    LayerMap.uniform(1, 4), tc.hiddenSize);
        }
        ComputationGraph g = new ComputationGraph(recipe.conf(sc, new NoOp(), 12345, DataType.DOUBLE));
        g.init();
        MultiDataSet ds = toDouble(recipe.batch(teacher, toDouble(PeerFixtures.batch(sc, 7))));
        g.setInputs(ds.getFeatures());
        g.setLabels(ds.getLabels());
        g.setLayerMaskArrays(ds.getFeaturesMaskArrays(), ds.getLabelsMaskArrays());
        g.computeGradientAndScore();
        g.computeGradientAndScore();
        INDArray grad = g.getFlattenedGradients().div(3); // gradient of the per-example sum; the score is the mean

        Map<String, INDArray> params = views(g), grads;
        INDArray saved = g.params().dup();
        g.params().assign(grad);
        grads = new LinkedHashMap<>();
        views(g).forEach((k, v) -> grads.put(k, v.dup()));
        g.params().assign(saved);

        List<String> failures = new ArrayList<>();
        params.forEach((name, view) -> {
            // one element by its indices: DL4J's dense weights are 'f'-ordered views, where a linear index or reshape()
            // would address another element (or a copy)
            long[] at = org.nd4j.linalg.api.shape.Shape.ind2subC(view.shape(), (view.length() * 7919L + 3) % view.length());
            double orig = view.getDouble(at);
            view.putScalar(at, orig + 1e-6);
            double plus = g.score(ds, true);
            view.putScalar(at, orig - 1e-6);
            double minus = g.score(ds, true);
            view.putScalar(at, orig);
            double ana = grads.get(name).getDouble(at);
            String idx = java.util.Arrays.toString(at);
            double num = (plus - minus) / 2e-6;
            double err = Math.abs(num - ana);
            if (err > 1e-7 && err / (Math.abs(num) + Math.abs(ana)) > 1e-5) failures.add(name + "[" + idx + "] numeric " + num + " analytic " + ana);
        });
        assertTrue(params.keySet().stream().anyMatch(k -> k.startsWith(recipeName.equals("tinybert-intermediate") ? "fitDense0/" : "layer0/")), params.keySet().toString());
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    /** vertex/param → view of the graph's flattened parameters. */
    private static Map<String, INDArray> views(ComputationGraph g) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (GraphVertex v : g.getVertices()) {
            if (v.numParams() == 0) continue;
            v.paramTable(false).forEach((k, a) -> out.put(v.getVertexName() + "/" + k, a));
        }
        return out;
    }
}
