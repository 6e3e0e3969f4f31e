package dev.mobilebert.model.transfer;

import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.model.nn.Var;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DistillationGraphTest {
    private static final PretrainingDistillation.Settings SETTINGS = new PretrainingDistillation.Settings(0.5, 2.0);

    /** The teacher's MLM logits at the masked positions, [B·P, V]. */
    private static INDArray teacherLogitsAtPositions(MobileBertModel teacher, MultiDataSet batch) {
        INDArray all = teacher.forwardWithIntermediates(batch.getFeatures(0), batch.getFeatures(1), batch.getFeaturesMaskArray(0)).get("mlm_logits");
        INDArray pos = batch.getFeatures(2);
        int b = (int) pos.size(0), p = (int) pos.size(1), v = (int) all.size(2);
        INDArray out = Nd4j.create(all.dataType(), (long) b * p, v);
        for (int i = 0; i < b; i++) for (int j = 0; j < p; j++) {
            out.getRow((long) i * p + j).assign(all.get(NDArrayIndex.point(i), NDArrayIndex.point(pos.getInt(i, j)), NDArrayIndex.all()));
        }
        return out;
    }

    @Test
    void theGraphsScoreIsTheDistillationLossAndFitLowersIt() {
        MobileBertModel teacher = MobileBertModel.pretraining(TransferFixtures.teacher(), new NoOp(), 3, DataType.FLOAT);
        MobileBertModel init = MobileBertModel.pretraining(TransferFixtures.student(), new NoOp(), 4, DataType.FLOAT);
        StudentInitialisation.fromTeacher(teacher, init);
        ComputationGraph g = new ComputationGraph(DistillationGraph.conf(TransferFixtures.student(), new Adam(1e-2), 4, DataType.FLOAT));
        g.init(init.graph().params(), true);

        MultiDataSet batch = TransferFixtures.batch(TransferFixtures.student(), 31, DataType.FLOAT);
        MultiDataSet ds = DistillationGraph.withTeacherTargets(teacher, batch, SETTINGS);
        INDArray targets = ds.getLabels(0).reshape(6, TransferFixtures.student().vocabSize);
        assertEquals(1.0, targets.getRow(0).sumNumber().doubleValue(), 1e-5, "a real slot holds a distribution");
        assertEquals(0.0, targets.getRow(5).sumNumber().doubleValue(), 0.0, "the padded slot is empty");

        // the graph's score (MLM + NSP outputs) equals the Var-based loss on the graph's own logits
        INDArray[] outputs = g.output(false, batch.getFeatures(), batch.getFeaturesMaskArrays());
        var expected = PretrainingDistillation.loss(null, Var.of(outputs[0].reshape(6, TransferFixtures.student().vocabSize)),
                teacherLogitsAtPositions(teacher, batch), batch.getLabels(0), batch.getLabelsMaskArray(0),
                Var.of(outputs[1]), batch.getLabels(1), SETTINGS);
        double before = g.score(ds, false);
        assertEquals(expected.value(), before, 1e-4);

        StringBuilder trace = new StringBuilder();
        for (int i = 0; i < 15; i++) {
            g.fit(ds);
            trace.append(' ').append(g.score(ds, false));
        }
        double after = g.score(ds, false);
        assertTrue(after < 0.9 * before, "distillation loss " + before + " ->" + trace);
    }

    @Test
    void softTargetGradientIsTheDistillationGradient() {
        Nd4j.getRandom().setSeed(5);
        int b = 2, p = 2, v = 5;
        INDArray logits = Nd4j.randn(DataType.DOUBLE, b, (long) p * v), teacher = Nd4j.randn(DataType.DOUBLE, (long) b * p, v);
        INDArray ids = Nd4j.createFromArray(new double[][]{{3, 1}, {4, 0}}), w = Nd4j.createFromArray(new double[][]{{1, 1}, {1, 0}});
        INDArray nsp = Nd4j.zeros(DataType.DOUBLE, b, 2), nspLabels = Nd4j.zeros(DataType.DOUBLE, b, 1);
        var tape = new dev.mobilebert.model.nn.Tape();
        Var s = Var.of(logits.reshape(b * p, v));
        var pd = PretrainingDistillation.loss(tape, s, teacher, ids, w, Var.of(nsp), nspLabels, SETTINGS);
        tape.backward(pd.loss(), Nd4j.scalar(DataType.DOUBLE, 1.0));
        // the mixture targets, zero rows at padded slots
        INDArray targets = Nd4j.zeros(DataType.DOUBLE, (long) b * p, v);
        for (int r = 0; r < b * p; r++) {
            if (w.getDouble(r / p, r % p) == 0) continue;
            INDArray z = teacher.getRow(r).div(SETTINGS.temperature());
            INDArray e = org.nd4j.linalg.ops.transforms.Transforms.exp(z.sub(z.maxNumber()), false);
            INDArray row = e.div(e.sumNumber()).muli(SETTINGS.alpha());
            row.putScalar(ids.getInt(r / p, r % p), row.getDouble(ids.getInt(r / p, r % p)) + 1 - SETTINGS.alpha());
            targets.getRow(r).assign(row);
        }
        var loss = new SoftTargetCrossEntropy();
        INDArray labels = targets.reshape(b, (long) p * v);
        assertEquals(pd.kd(), loss.computeScore(labels, logits, null, w, true), 1e-12);
        INDArray grad = loss.computeGradient(labels, logits, null, w).div(b); // DL4J: gradient of the per-example sum
        assertEquals(0.0, grad.reshape(b * p, v).sub(s.grad()).amaxNumber().doubleValue(), 1e-12);
    }
}
