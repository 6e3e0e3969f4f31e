package dev.mobilebert.model;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fast central-difference check (double precision) of one entry of every parameter array of the pretraining graph for
 * every variant (MobileBERT, BERT-like, teacher semantics, bottleneck attention), read from DL4J's flattened gradient view — the default-suite companion of the slow
 * GradientCheckUtil sweep in {@link GradientCheckTest}. A factor-2 error (the SameDiff defect) or a gradient that
 * never reaches the view fails it.
 */
class NumericGradientTest {
    static {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mobilebert", "bert", "teacher", "bottleneck-attention"})
    void everyParameterArrayHasTheNumericalGradient(String variant) {
        MobileBertConfig c = GradientCheckTest.config(variant);
        c.numHiddenLayers = 1; // keeps it to seconds; the layer code is the same for every index
        MobileBertModel m = MobileBertModel.pretraining(c, new NoOp(), 12345, DataType.DOUBLE);
        ComputationGraph g = m.graph();
        INDArray[][] d = GradientCheckTest.batch(c, 7);
        MultiDataSet ds = new MultiDataSet(d[0], d[2], d[1], d[3]);
        g.setInputs(d[0]);
        g.setLabels(d[2]);
        g.setLayerMaskArrays(d[1], d[3]);
        g.computeGradientAndScore();
        g.computeGradientAndScore(); // the first call creates the gradient view lazily; both must work
        INDArray grad = g.getFlattenedGradients().div(3); // DL4J: gradient of the per-example sum; score: the mean
        Map<String, INDArray> gradByName = gradientViews(m, grad);
        List<String> failures = new ArrayList<>();
        m.hfParams().forEach((name, view) -> {
            INDArray flat = view.reshape(view.length());
            INDArray gflat = gradByName.get(name).reshape(view.length());
            for (long idx : new long[]{(view.length() * 7919L + 3) % view.length()}) {
                double orig = flat.getDouble(idx);
                flat.putScalar(idx, orig + 1e-6);
                double plus = g.score(ds, true);
                flat.putScalar(idx, orig - 1e-6);
                double minus = g.score(ds, true);
                flat.putScalar(idx, orig);
                double num = (plus - minus) / 2e-6, ana = gflat.getDouble(idx);
                double err = Math.abs(num - ana);
                if (err > 1e-7 && err / (Math.abs(num) + Math.abs(ana)) > 1e-5) failures.add(name + "[" + idx + "] numeric " + num + " analytic " + ana);
            }
        });
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    /** The same HF-name views, taken on the gradient vector instead of the parameter vector. */
    private static Map<String, INDArray> gradientViews(MobileBertModel m, INDArray grad) {
        INDArray params = m.graph().params();
        INDArray saved = params.dup();
        try {
            params.assign(grad);
            Map<String, INDArray> out = new java.util.LinkedHashMap<>();
            m.hfParams().forEach((k, v) -> out.put(k, v.dup()));
            return out;
        } finally {
            params.assign(saved);
        }
    }
}
