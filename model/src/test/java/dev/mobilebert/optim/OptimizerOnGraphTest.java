package dev.mobilebert.optim;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * LAMB, AdamW and global clipping applied by a real DL4J ComputationGraph (three identity dense layers, MSE), checked
 * against an independent double-precision implementation of BERT's/MobileBERT's optimizers on analytically computed
 * gradients of the mean loss. The middle layer is named like a LayerNorm, so LAMB must exclude it by name.
 */
class OptimizerOnGraphTest {
    private static final String[] LAYERS = {"dense", "attention_LayerNorm", "out"};
    private static final double TOL = 2e-5; // float32 network vs double reference

    private static final double[][] X = {{0.5, -1.0, 2.0}, {1.5, 0.25, -0.5}, {-1.0, 0.75, 0.3}, {0.2, 0.1, -2.0}};
    private static final double[][] T = {{1.0, -1.0}, {0.0, 2.0}, {0.5, 0.5}, {-1.0, 0.0}};

    @Test
    void lambTwoStepsWithDecayTrustRatioAndNameExclusion() {
        var s = settings("lamb", 0.05, false, 0.1, 100.0);
        check(s, 2);
    }

    @Test
    void lambWithGlobalClippingActive() {
        var s = settings("lamb", 0.05, false, 0.1, 0.05);
        List<GlobalNormClipping.StepRecord> seen = check(s, 2);
        assertTrue(seen.get(0).gradNorm() > 0.05, "test must exercise clipping: norm " + seen.get(0).gradNorm());
    }

    @Test
    void adamWithoutBiasCorrectionIsBertsAdamW() {
        check(settings("adamw", 0.01, false, 0.1, 100.0), 2);
    }

    @Test
    void adamWithBiasCorrectionAndClipping() {
        check(settings("adamw", 0.01, true, 0.1, 0.05), 2);
    }

    @Test
    void policiesFollowNamesAndDl4jBiasParams() {
        var conf = config();
        var policies = settings("lamb", 0.05, false, 0.01, 1.0).applyTo(conf);
        Map<String, OptimizerSettings.ParamPolicy> byName = new LinkedHashMap<>();
        policies.forEach(p -> byName.put(p.name(), p));
        assertEquals(6, byName.size());
        assertTrue(byName.get("dense_W").weightDecay() && byName.get("dense_W").trustRatio());
        assertFalse(byName.get("dense_b").weightDecay() || byName.get("dense_b").trustRatio());
        assertFalse(byName.get("attention_LayerNorm_W").weightDecay() || byName.get("attention_LayerNorm_W").trustRatio());
        assertTrue(byName.get("out_W").trustRatio());
    }

    @Test
    void settingsSurviveTheGraphJsonRoundTrip() {
        var conf = config();
        settings("lamb", 0.05, false, 0.01, 1.0).applyTo(conf);
        var back = ComputationGraphConfiguration.fromJson(conf.toJson());
        assertEquals(conf, back);
        var layer = (DenseLayer) ((org.deeplearning4j.nn.conf.graph.LayerVertex) back.getVertices().get("dense"))
                .getLayerConf().getLayer();
        assertEquals(new Lamb(0.05, new WarmupPolynomialDecay(0.05, 0, 10, 1.0, 0.0), 0.9, 0.999, 1e-6, false),
                layer.getIUpdater());
        assertEquals(List.of(DecoupledWeightDecay.lamb(0.01)), layer.getRegularization());
        assertEquals(List.of(), layer.getRegularizationBias());
    }

    // ---------------------------------------------------------------------------------------------------------

    private static OptimizerSettings settings(String opt, double lr, boolean biasCorrection, double wd, double clip) {
        return new OptimizerSettings(opt, lr, 0, 10, 1.0, 0.0, 0.9, 0.999, 1e-6, biasCorrection, wd, null, clip);
    }

    private static ComputationGraphConfiguration config() {
        return new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT).updater(new Sgd(1.0))
                .weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("in")
                .addLayer(LAYERS[0], new DenseLayer.Builder().nIn(3).nOut(2).activation(Activation.IDENTITY).build(), "in")
                .addLayer(LAYERS[1], new DenseLayer.Builder().nIn(2).nOut(2).activation(Activation.IDENTITY).build(), LAYERS[0])
                .addLayer(LAYERS[2], new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(2).nOut(2)
                        .activation(Activation.IDENTITY).build(), LAYERS[1])
                .setOutputs(LAYERS[2]).build();
    }

    /** Runs {@code steps} fits on the graph and the reference, compares every parameter after each step. */
    private static List<GlobalNormClipping.StepRecord> check(OptimizerSettings s, int steps) {
        var conf = config();
        s.applyTo(conf);
        conf = ComputationGraphConfiguration.fromJson(conf.toJson()); // what a checkpoint or a Spark worker sees
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        List<GlobalNormClipping.StepRecord> seen = new ArrayList<>();
        net.setListeners(s.clipping(seen::add));

        Reference ref = new Reference(s, params(net));
        INDArray x = Nd4j.create(X).castTo(DataType.FLOAT);
        INDArray t = Nd4j.create(T).castTo(DataType.FLOAT);
        for (int step = 0; step < steps; step++) {
            double norm = ref.step(step);
            net.fit(new INDArray[]{x}, new INDArray[]{t});
            assertEquals(norm, seen.get(step).gradNorm(), 1e-5 * Math.max(1, norm), "gradient norm at step " + step);
            Map<String, double[][]> actual = params(net);
            for (var e : ref.p.entrySet()) {
                assertArrayClose(e.getValue(), actual.get(e.getKey()), e.getKey() + " after step " + (step + 1));
            }
        }
        assertEquals(steps, net.getIterationCount());
        return seen;
    }

    private static Map<String, double[][]> params(ComputationGraph net) {
        Map<String, double[][]> m = new LinkedHashMap<>();
        for (String l : LAYERS) {
            m.put(l + "_W", net.getParam(l + "_W").castTo(DataType.DOUBLE).toDoubleMatrix());
            m.put(l + "_b", net.getParam(l + "_b").castTo(DataType.DOUBLE).reshape(1, -1).toDoubleMatrix());
        }
        return m;
    }

    private static void assertArrayClose(double[][] expected, double[][] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            for (int j = 0; j < expected[i].length; j++) {
                double e = expected[i][j];
                assertEquals(e, actual[i][j], TOL * Math.max(1, Math.abs(e)), what + "[" + i + "," + j + "]");
            }
        }
    }

    /** BERT's AdamWeightDecayOptimizer / MobileBERT's LAMBOptimizer, written out in double, on an analytic gradient. */
    private static final class Reference {
        final OptimizerSettings s;
        final Map<String, double[][]> p;
        final Map<String, double[][]> m = new LinkedHashMap<>();
        final Map<String, double[][]> v = new LinkedHashMap<>();

        Reference(OptimizerSettings s, Map<String, double[][]> initial) {
            this.s = s;
            this.p = initial;
            initial.forEach((k, a) -> { m.put(k, new double[a.length][a[0].length]); v.put(k, new double[a.length][a[0].length]); });
        }

        /** One update; returns the global norm of the mean-loss gradient before clipping. */
        double step(int t) {
            Map<String, double[][]> g = gradients();
            double sq = 0;
            for (double[][] a : g.values()) for (double[] r : a) for (double x : r) sq += x * x;
            double norm = Math.sqrt(sq);
            double scale = norm > s.clipNorm() ? s.clipNorm() / norm : 1.0;
            double lr = t < s.numWarmupSteps() ? s.learningRate() * t / s.numWarmupSteps()
                    : s.learningRate() * (1 - Math.min(t, s.numTrainSteps()) / (double) s.numTrainSteps());
            for (String k : p.keySet()) {
                boolean decayAndAdapt = k.endsWith("_W") && !k.contains("LayerNorm");
                double[][] w = p.get(k), gk = g.get(k), mk = m.get(k), vk = v.get(k);
                double[][] u = new double[w.length][w[0].length];
                double wn = 0, un = 0;
                for (int i = 0; i < w.length; i++) {
                    for (int j = 0; j < w[i].length; j++) {
                        double gij = gk[i][j] * scale;
                        mk[i][j] = 0.9 * mk[i][j] + 0.1 * gij;
                        vk[i][j] = 0.999 * vk[i][j] + 0.001 * gij * gij;
                        double mh = mk[i][j], vh = vk[i][j];
                        if (s.biasCorrection()) { mh /= 1 - Math.pow(0.9, t + 1); vh /= 1 - Math.pow(0.999, t + 1); }
                        u[i][j] = mh / (Math.sqrt(vh) + 1e-6);
                        if (decayAndAdapt) u[i][j] += s.weightDecay() * w[i][j];
                        wn += w[i][j] * w[i][j];
                        un += u[i][j] * u[i][j];
                    }
                }
                double ratio = 1.0;
                if (s.optimizer().equals("lamb") && decayAndAdapt && wn > 0 && un > 0) ratio = Math.sqrt(wn) / Math.sqrt(un);
                for (int i = 0; i < w.length; i++) for (int j = 0; j < w[i].length; j++) w[i][j] -= lr * ratio * u[i][j];
            }
            return norm;
        }

        /** Gradients of mean_i sum_k (y_ik - t_ik)^2 / nOut (DL4J's MSE score) for three identity dense layers. */
        Map<String, double[][]> gradients() {
            int n = X.length;
            double[][] h1 = affine(X, p.get("dense_W"), p.get("dense_b"));
            double[][] h2 = affine(h1, p.get("attention_LayerNorm_W"), p.get("attention_LayerNorm_b"));
            double[][] y = affine(h2, p.get("out_W"), p.get("out_b"));
            double[][] dy = new double[n][2];
            for (int i = 0; i < n; i++) for (int k = 0; k < 2; k++) dy[i][k] = 2 * (y[i][k] - T[i][k]) / (2.0 * n);
            Map<String, double[][]> g = new LinkedHashMap<>();
            double[][] dh2 = backward("out", h2, dy, g);
            double[][] dh1 = backward("attention_LayerNorm", h1, dh2, g);
            backward("dense", X, dh1, g);
            return g;
        }

        double[][] backward(String layer, double[][] in, double[][] dOut, Map<String, double[][]> g) {
            double[][] w = p.get(layer + "_W");
            double[][] dW = new double[w.length][w[0].length];
            double[][] db = new double[1][w[0].length];
            double[][] dIn = new double[in.length][w.length];
            for (int i = 0; i < in.length; i++) {
                for (int o = 0; o < w[0].length; o++) {
                    db[0][o] += dOut[i][o];
                    for (int r = 0; r < w.length; r++) {
                        dW[r][o] += in[i][r] * dOut[i][o];
                        dIn[i][r] += dOut[i][o] * w[r][o];
                    }
                }
            }
            g.put(layer + "_W", dW);
            g.put(layer + "_b", db);
            return dIn;
        }

        static double[][] affine(double[][] x, double[][] w, double[][] b) {
            double[][] y = new double[x.length][w[0].length];
            for (int i = 0; i < x.length; i++)
                for (int o = 0; o < w[0].length; o++) {
                    double acc = b[0][o];
                    for (int r = 0; r < w.length; r++) acc += x[i][r] * w[r][o];
                    y[i][o] = acc;
                }
            return y;
        }
    }
}
