package dev.mobilebert.model.transfer;

import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.optim.OptimizerSettings;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.NoOp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class JointTransferTest {

    private static JointTransfer joint(JointTransfer.Mode mode, OptimizerSettings opt, DataType type) {
        return joint(mode, opt, type, 3);
    }

    private static JointTransfer joint(JointTransfer.Mode mode, OptimizerSettings opt, DataType type, int layers) {
        MobileBertModel student = MobileBertModel.pretraining(withLayers(TransferFixtures.student(), layers), new NoOp(), 7, type);
        MobileBertModel teacher = MobileBertModel.pretraining(withLayers(TransferFixtures.teacher(), layers), new NoOp(), 8, type);
        StudentInitialisation.fromTeacher(teacher, student);
        return JointTransfer.start(student.config(), student.graph().params(), JointTransfer.Settings.official(mode, opt), 7);
    }

    private static dev.mobilebert.model.MobileBertConfig withLayers(dev.mobilebert.model.MobileBertConfig c, int layers) {
        c.numHiddenLayers = layers;
        return c;
    }

    private static Map<String, INDArray> teacherOutputs(MultiDataSet batch, DataType type) {
        return teacherOutputs(batch, type, 3);
    }

    private static Map<String, INDArray> teacherOutputs(MultiDataSet batch, DataType type, int layers) {
        MobileBertModel teacher = MobileBertModel.pretraining(withLayers(TransferFixtures.teacher(), layers), new NoOp(), 8, type);
        return teacher.forwardWithIntermediates(batch.getFeatures(0), batch.getFeatures(1), batch.getFeaturesMaskArray(0));
    }

    private static Map<String, INDArray> snapshot(MobileBertModel m) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        m.hfParams().forEach((k, v) -> out.put(k, v.dup()));
        return out;
    }

    @Test
    void jktTrainsAllLayersJointlyAndLeavesEmbeddingsAndHeadsBitIdentical() {
        MultiDataSet batch = TransferFixtures.batch(TransferFixtures.student(), 21, DataType.FLOAT);
        Map<String, INDArray> teacher = teacherOutputs(batch, DataType.FLOAT);
        JointTransfer j = joint(JointTransfer.Mode.JKT, OptimizerSettings.lamb(1e-2, 2, 20), DataType.FLOAT);
        Map<String, INDArray> before = snapshot(j.model());
        double first = j.evaluate(batch, teacher).loss(), last = first;
        for (int i = 0; i < 10; i++) last = j.step(batch, teacher).loss();
        assertTrue(last < 0.8 * first, "JKT loss " + first + " -> " + last);
        assertTrue(Double.isNaN(j.evaluate(batch, teacher).kd()), "no distillation term in JKT");
        boolean[] moved = new boolean[3];
        for (var e : j.model().hfParams().entrySet()) {
            String name = e.getKey();
            boolean same = Arrays.equals(before.get(name).dup().data().asFloat(), e.getValue().dup().data().asFloat());
            if (name.startsWith("mobilebert.encoder.layer.")) {
                if (!same) moved[Integer.parseInt(name.split("\\.")[3])] = true;
            } else {
                assertTrue(same, "frozen in JKT but changed: " + name);
            }
        }
        assertArrayEquals(new boolean[]{true, true, true}, moved);
    }

    @Test
    void aktObjectiveIsTransferPlusDistillationAndLowersBoth() {
        MultiDataSet batch = TransferFixtures.batch(TransferFixtures.student(), 22, DataType.FLOAT);
        Map<String, INDArray> teacher = teacherOutputs(batch, DataType.FLOAT);
        JointTransfer akt = joint(JointTransfer.Mode.AKT, OptimizerSettings.lamb(1e-2, 2, 20), DataType.FLOAT);
        JointTransfer.StepResult r = akt.evaluate(batch, teacher);
        JointTransfer jkt = JointTransfer.resume(akt.model(), JointTransfer.Settings.official(JointTransfer.Mode.JKT, OptimizerSettings.lamb(1e-2, 2, 20)));
        double transferOnly = jkt.evaluate(batch, teacher).loss();
        assertEquals(transferOnly + r.kd() + r.nsp(), r.loss(), 1e-4 * r.loss());
        Map<String, INDArray> before = snapshot(akt.model());
        JointTransfer.StepResult last = r;
        for (int i = 0; i < 10; i++) last = akt.step(batch, teacher);
        assertTrue(last.loss() < 0.8 * r.loss(), "AKT loss " + r.loss() + " -> " + last.loss());
        assertFalse(Arrays.equals(before.get("cls.seq_relationship.weight").dup().data().asFloat(),
                akt.model().hfParams().get("cls.seq_relationship.weight").dup().data().asFloat()), "AKT trains the heads too");
    }

    /**
     * Double precision: the tape's gradient of the AKT objective on every kind of tensor, including the NSP layer and
     * the shared table. Two layers: the third layer of these random fixtures (init range 0.5, NoNorm) produces NaN
     * activations in DOUBLE (not in FLOAT), the model-level observation recorded in docs/transfer.md.
     */
    @Test
    void aktGradientMatchesFiniteDifferences() {
        MultiDataSet batch = TransferFixtures.batch(TransferFixtures.student(), 23, DataType.DOUBLE);
        Map<String, INDArray> teacher = teacherOutputs(batch, DataType.DOUBLE, 2);
        JointTransfer j = joint(JointTransfer.Mode.AKT, OptimizerSettings.lamb(1e-3, 0, 10), DataType.DOUBLE, 2);
        assertTrue(Double.isFinite(j.evaluate(batch, teacher).loss()));
        INDArray grad = j.model().graph().getFlattenedGradients();
        grad.assign(0);
        j.forwardBackward(batch, teacher, new dev.mobilebert.model.nn.Tape());
        INDArray params = j.model().graph().params(), saved = params.dup();
        params.assign(grad);
        Map<String, INDArray> gradByName = snapshot(j.model());
        params.assign(saved);
        List<String> names = List.of("mobilebert.embeddings.word_embeddings.weight", "mobilebert.embeddings.embedding_transformation.weight",
                "mobilebert.encoder.layer.0.attention.self.query.weight", "mobilebert.encoder.layer.1.output.bottleneck.dense.weight",
                "mobilebert.pooler.dense.weight", "cls.seq_relationship.weight", "cls.seq_relationship.bias",
                "cls.predictions.transform.dense.weight", "cls.predictions.bias");
        List<String> failures = new ArrayList<>();
        for (String name : names) {
            INDArray p = j.model().hfParams().get(name);
            assertNotNull(p, name);
            INDArray g = gradByName.get(name);
            // the element with the largest gradient (a used row of the table, a real label's bias)
            long idx = org.nd4j.linalg.factory.Nd4j.argMax(org.nd4j.linalg.ops.transforms.Transforms.abs(g.reshape(g.length()))).getLong(0);
            // element by its indices: the NSP weight is a transposed view, which reshape would copy
            long[] at = p.rank() == 1 ? new long[]{idx} : new long[]{idx / p.size(1), idx % p.size(1)};
            double orig = p.getDouble(at), h = 1e-5;
            p.putScalar(at, orig + h);
            double plus = j.evaluate(batch, teacher).loss();
            p.putScalar(at, orig - h);
            double minus = j.evaluate(batch, teacher).loss();
            p.putScalar(at, orig);
            double num = (plus - minus) / (2 * h), ana = g.reshape(g.length()).getDouble(idx);
            if (ana == 0 || !(Math.abs(num - ana) <= 2e-4 + 1e-4 * Math.abs(num))) failures.add(name + "[" + idx + "] numeric " + num + " analytic " + ana);
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }
}
