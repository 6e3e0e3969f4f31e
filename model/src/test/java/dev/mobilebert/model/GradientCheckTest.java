package dev.mobilebert.model;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DL4J's GradientCheckUtil (double precision) on the whole pretraining graph for configs that together exercise
 * every block and every code path: embeddings (trigram or not), the shared word table (input + MLM decoder),
 * bottlenecks of all three kinds, attention with padding, stacked FFNs, both norms, all activations, pooler,
 * MLM at masked positions, NSP, and the loss with its weights.
 */
class GradientCheckTest {
    static {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    static MobileBertConfig config(String name) {
        return switch (name) {
            case "mobilebert" -> TinyConfigs.mobileBert();
            case "bert" -> TinyConfigs.bertLike();
            case "teacher" -> TinyConfigs.teacher();
            case "bottleneck-attention" -> TinyConfigs.bottleneckAttention();
            default -> throw new IllegalArgumentException(name);
        };
    }

    static INDArray[][] batch(MobileBertConfig c, long seed) {
        int b = 3, t = 6, p = 2;
        var rng = new java.util.Random(seed);
        INDArray ids = Nd4j.create(DataType.DOUBLE, b, t), types = Nd4j.create(DataType.DOUBLE, b, t), mask = Nd4j.ones(DataType.DOUBLE, b, t);
        for (int i = 0; i < b; i++) for (int j = 0; j < t; j++) {
            ids.putScalar(i, j, 1 + rng.nextInt(c.vocabSize - 1));
            types.putScalar(i, j, j >= t / 2 ? 1 : 0);
        }
        for (int j = 4; j < t; j++) { mask.putScalar(2, j, 0); ids.putScalar(2, j, 0); }
        INDArray pos = Nd4j.create(new double[][]{{1, 3}, {0, 5}, {2, 0}});
        INDArray lmIds = Nd4j.create(new double[][]{{4, 7}, {1, 2}, {9, 0}});
        INDArray lmW = Nd4j.create(new double[][]{{1, 1}, {1, 1}, {1, 0}});
        INDArray nsp = Nd4j.create(new double[][]{{0}, {1}, {1}});
        return new INDArray[][]{{ids, types, pos}, {mask, mask, lmW}, {lmIds, nsp}, {lmW, null}};
    }

    /**
     * Every code path. Slow: on the computation graph GradientCheckUtil perturbs every parameter (about 2,000 here),
     * two forward passes each — 12 minutes for one variant on the shared 2-core machine. The default suite runs
     * {@link NumericGradientTest} instead.
     */
    @Tag("slow")
    @ParameterizedTest
    @ValueSource(strings = {"mobilebert", "bert", "teacher", "bottleneck-attention"})
    void everyVariantPassesGradientCheck(String name) {
        check(name, 3);
    }

    private static void check(String name, int perParam) {
        MobileBertConfig c = config(name);
        ComputationGraph g = MobileBertModel.pretraining(c, new NoOp(), 12345, DataType.DOUBLE).graph();
        INDArray[][] d = batch(c, 7);
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g)
                .inputs(d[0]).inputMask(d[1]).labels(d[2]).labelMask(d[3])
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9)
                .subset(true).maxPerParam(perParam).exitOnFirstError(false)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
        assertTrue(ok, name + ": gradient check failed (see the log for the parameters)");
    }
}
