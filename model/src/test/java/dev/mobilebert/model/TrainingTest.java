package dev.mobilebert.model;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.Adam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pretraining graph trains on the contract MultiDataSet: fit() lowers the loss, parameters move, no NaN. */
class TrainingTest {

    /** A batch in the exact layout of the pretraining MultiDataSet contract (see COMMON.md / PretrainingBatch). */
    static MultiDataSet contractBatch(MobileBertConfig c, int b, int t, int p, long seed) {
        INDArray[][] d = GradientCheckTest.batch(c, seed);
        if (b == 3 && t == 6 && p == 2) {
            INDArray[] f = {d[0][0].castTo(DataType.FLOAT), d[0][1].castTo(DataType.FLOAT), d[0][2].castTo(DataType.FLOAT)};
            INDArray[] fm = {d[1][0].castTo(DataType.FLOAT), d[1][1].castTo(DataType.FLOAT), d[1][2].castTo(DataType.FLOAT)};
            INDArray[] l = {d[2][0].castTo(DataType.FLOAT), d[2][1].castTo(DataType.FLOAT)};
            INDArray[] lm = {d[3][0].castTo(DataType.FLOAT), null};
            return new MultiDataSet(f, l, fm, lm);
        }
        throw new IllegalArgumentException("only the 3x6x2 batch is built here");
    }

    @Test
    void fitReducesLossOnATinyBatch() {
        MobileBertConfig c = TinyConfigs.mobileBert();
        c.hiddenDropoutProb = 0.1; // exercise dropout in training too
        MobileBertModel m = MobileBertModel.pretraining(c, new Adam(1e-2), 42);
        ComputationGraph g = m.graph();
        assertEquals(ParamReport.of(c).withPretrainingHeads(), m.numParams());
        assertTrue(g.numParams() > 0, "fit() is a no-op when ComputationGraph.numParams() is 0");
        MultiDataSet ds = contractBatch(c, 3, 6, 2, 7);
        java.util.Map<String, INDArray> before = new java.util.LinkedHashMap<>();
        m.hfParams().forEach((k, v) -> before.put(k, v.dup()));
        double first = g.score(ds, false);
        for (int i = 0; i < 30; i++) {
            g.fit(ds);
            assertFalse(Double.isNaN(g.score()), "NaN at iteration " + i);
        }
        double last = g.score(ds, false);
        System.out.printf("MLM+NSP loss %.4f -> %.4f%n", first, last);
        assertTrue(last < 0.6 * first, "loss " + first + " -> " + last);
        // every parameter array of every block was updated
        m.hfParams().forEach((name, v) -> assertTrue(v.sub(before.get(name)).norm2Number().doubleValue() > 0, name + " did not change"));
    }
}
