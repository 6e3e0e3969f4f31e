package dev.mobilebert.model.finetune;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The span head's custom parts — the two layout vertices and {@link SpanCrossEntropy} — under DL4J's
 * GradientCheckUtil in double precision, on a graph holding only the head ([B, T, H] token states in, the stock
 * qa_outputs DenseLayer between the vertices): the gradient reaching the token states and the dense parameters
 * goes through both backward passes and the loss gradient. Plus the layout and the loss value by hand.
 */
class SpanHeadGradientCheckTest {
    static final int B = 3, T = 5, H = 4;
    private static DataType before, beforeFloat;

    @org.junit.jupiter.api.BeforeAll
    static void doublePrecision() {
        before = Nd4j.dataType();
        beforeFloat = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @org.junit.jupiter.api.AfterAll
    static void restore() {
        Nd4j.setDefaultDataTypes(before, beforeFloat);
    }

    private static ComputationGraph headGraph() {
        var conf = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.DOUBLE).updater(new NoOp())
                .trainingWorkspaceMode(WorkspaceMode.NONE).inferenceWorkspaceMode(WorkspaceMode.NONE)
                .graphBuilder().addInputs("tokens")
                .addVertex("rows", new SpanReshapeVertex(SpanReshapeVertex.Mode.TOKEN_ROWS, T, H), "tokens")
                .addLayer("qa", new DenseLayer.Builder().nIn(H).nOut(2).activation(Activation.IDENTITY)
                        .weightInit(new NormalDistribution(0, 1)).biasInit(0.1).build(), "rows")
                .addVertex("logits", new SpanReshapeVertex(SpanReshapeVertex.Mode.SPAN_LOGITS, T, 2), "qa")
                .addLayer("loss", new LossLayer.Builder(new SpanCrossEntropy()).activation(Activation.IDENTITY).build(), "logits")
                .setOutputs("loss").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    @Test
    void spanHeadPassesGradientCheck() {
        ComputationGraph g = headGraph();
        INDArray tokens = Nd4j.rand(DataType.DOUBLE, B, T, H).subi(0.5).muli(2);
        INDArray labels = Nd4j.create(new double[][]{{1, 3}, {0, 0}, {4, 4}});
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g)
                .inputs(new INDArray[]{tokens}).labels(new INDArray[]{labels})
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9).exitOnFirstError(false)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
        assertTrue(ok, "span head gradient check failed (see the log)");
    }

    @Test
    void logitsLayoutIsStartsThenEndsAndLossIsTheMeanOfBothCrossEntropies() {
        ComputationGraph g = headGraph();
        INDArray tokens = Nd4j.rand(DataType.DOUBLE, B, T, H);
        INDArray logits = g.outputSingle(tokens);
        assertArrayEquals(new long[]{B, 2 * T}, logits.shape());
        INDArray w = g.getLayer("qa").getParam("W"), bias = g.getLayer("qa").getParam("b");
        for (int b = 0; b < B; b++) for (int t = 0; t < T; t++) for (int k = 0; k < 2; k++) {
            double expect = bias.getDouble(0, k);
            for (int h = 0; h < H; h++) expect += tokens.getDouble(b, t, h) * w.getDouble(h, k);
            assertEquals(expect, logits.getDouble(b, k * T + t), 1e-12, "b=" + b + " t=" + t + " k=" + k);
        }
        INDArray labels = Nd4j.create(new double[][]{{1, 3}, {0, 0}, {4, 2}});
        double sum = 0;
        for (int b = 0; b < B; b++) {
            for (int k = 0; k < 2; k++) {
                double lse = 0;
                for (int t = 0; t < T; t++) lse += Math.exp(logits.getDouble(b, k * T + t));
                sum += 0.5 * (Math.log(lse) - logits.getDouble(b, k * T + labels.getInt(b, k)));
            }
        }
        double score = new SpanCrossEntropy().computeScore(labels, logits, null, null, true);
        assertEquals(sum / B, score, 1e-10);
    }
}
