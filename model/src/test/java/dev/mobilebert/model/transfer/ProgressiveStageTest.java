package dev.mobilebert.model.transfer;

import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.model.nn.Tape;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressiveStageTest {

    private static Map<String, INDArray> snapshot(MobileBertModel m) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        m.hfParams().forEach((k, v) -> out.put(k, v.dup()));
        return out;
    }

    private static boolean bitIdentical(INDArray a, INDArray b) {
        return Arrays.equals(a.dup().data().asFloat(), b.dup().data().asFloat());
    }

    private static ProgressiveStage stage(int layer, ProgressiveStage.LowerLayers lower, OptimizerSettings opt, DataType type) {
        MobileBertModel student = MobileBertModel.pretraining(TransferFixtures.student(), new NoOp(), 7, type);
        MobileBertModel teacher = MobileBertModel.pretraining(TransferFixtures.teacher(), new NoOp(), 8, type);
        StudentInitialisation.fromTeacher(teacher, student);
        var settings = new ProgressiveStage.Settings(layer, lower, 0.1, opt, FeatureMapTransfer.Weights.OFFICIAL, 1.0);
        return ProgressiveStage.start(student.config(), student.graph().params(), settings, 7);
    }

    private static TeacherTargets targets(MultiDataSet batch, int layer, DataType type) {
        MobileBertModel teacher = MobileBertModel.pretraining(TransferFixtures.teacher(), new NoOp(), 8, type);
        return TeacherTargets.of(teacher, batch, layer);
    }

    @Test
    void studentStartsWithTheTeachersEmbeddingsAndHeadsAndFreshLayers() {
        MobileBertModel teacher = MobileBertModel.pretraining(TransferFixtures.teacher(), new NoOp(), 1);
        MobileBertModel student = MobileBertModel.pretraining(TransferFixtures.student(), new NoOp(), 2);
        Map<String, INDArray> before = snapshot(student);
        var report = StudentInitialisation.fromTeacher(teacher, student);
        Map<String, INDArray> t = teacher.hfParams();
        for (var e : student.hfParams().entrySet()) {
            String name = e.getKey();
            boolean copied = report.copied().contains(name);
            assertEquals(copied, !report.fresh().contains(name), name);
            if (copied) assertTrue(bitIdentical(t.get(name), e.getValue()), name);
            else assertTrue(bitIdentical(before.get(name), e.getValue()), name);
        }
        assertTrue(report.copied().contains("mobilebert.embeddings.word_embeddings.weight"));
        assertTrue(report.copied().contains("mobilebert.embeddings.embedding_transformation.weight"));
        assertTrue(report.copied().contains("cls.predictions.transform.dense.weight"));
        assertTrue(report.copied().contains("cls.seq_relationship.weight"));
        assertTrue(report.fresh().contains("mobilebert.embeddings.LayerNorm.weight"), "layer_norm teacher, no_norm student");
        assertTrue(report.fresh().stream().anyMatch(n -> n.startsWith("mobilebert.encoder.layer.0.")));
        assertFalse(report.copied().stream().anyMatch(n -> n.startsWith("mobilebert.encoder.")));

        MobileBertConfig sameNorm = TransferFixtures.student();
        sameNorm.normalizationType = "layer_norm";
        var report2 = StudentInitialisation.fromTeacher(teacher, MobileBertModel.pretraining(sameNorm, new NoOp(), 3));
        assertTrue(report2.copied().contains("mobilebert.embeddings.LayerNorm.weight"), "same norm type: copied");
    }

    @Test
    void aFrozenStageTrainsOnlyItsLayerAndLeavesEverythingElseBitIdentical() {
        MultiDataSet batch = TransferFixtures.batch(TransferFixtures.student(), 11, DataType.FLOAT);
        TeacherTargets targets = targets(batch, 1, DataType.FLOAT);
        ProgressiveStage s = stage(1, ProgressiveStage.LowerLayers.FROZEN, OptimizerSettings.lamb(1e-2, 2, 20), DataType.FLOAT);
        Map<String, INDArray> before = snapshot(s.model());
        double first = s.evaluate(batch, targets).loss();
        List<Double> lrs = new ArrayList<>();
        for (int i = 0; i < 10; i++) lrs.add(s.step(batch, targets).learningRate());
        double last = s.evaluate(batch, targets).loss();
        assertTrue(last < 0.8 * first, "stage loss " + first + " -> " + last);
        assertEquals(0.0, lrs.get(0), 0.0, "warmup starts at 0 in every stage");
        assertEquals(10, s.iteration());
        s.model().hfParams().forEach((name, v) -> {
            if (!name.startsWith("mobilebert.encoder.layer.1.")) assertTrue(bitIdentical(before.get(name), v), "frozen tensor changed: " + name);
        });
        long moved = s.model().hfParams().entrySet().stream()
                .filter(e -> e.getKey().startsWith("mobilebert.encoder.layer.1."))
                .filter(e -> !bitIdentical(before.get(e.getKey()), e.getValue())).count();
        long total = s.model().hfParams().keySet().stream().filter(n -> n.startsWith("mobilebert.encoder.layer.1.")).count();
        assertEquals(total, moved, "every tensor of the trained layer moves");
    }

    /** With the official weights FMT dominates the first steps; attention transfer alone must lower the KL. */
    @Test
    void attentionTransferAloneLowersTheKl() {
        MultiDataSet batch = TransferFixtures.batch(TransferFixtures.student(), 14, DataType.FLOAT);
        TeacherTargets targets = targets(batch, 0, DataType.FLOAT);
        MobileBertModel student = MobileBertModel.pretraining(TransferFixtures.student(), new NoOp(), 7, DataType.FLOAT);
        var settings = new ProgressiveStage.Settings(0, ProgressiveStage.LowerLayers.FROZEN, 0.1, OptimizerSettings.lamb(1e-2, 0, 100),
                new FeatureMapTransfer.Weights(0, 0, 0), 1.0);
        ProgressiveStage s = ProgressiveStage.start(student.config(), student.graph().params(), settings, 7);
        double first = s.evaluate(batch, targets).attentionKl();
        for (int i = 0; i < 10; i++) s.step(batch, targets);
        double last = s.evaluate(batch, targets).attentionKl();
        assertTrue(last < 0.9 * first, "attention KL " + first + " -> " + last);
    }

    @Test
    void reducedLearningRateMovesLowerLayersATenthAsFarAndNothingElse() {
        MultiDataSet batch = TransferFixtures.batch(TransferFixtures.student(), 12, DataType.FLOAT);
        TeacherTargets targets = targets(batch, 1, DataType.FLOAT);
        OptimizerSettings noWarmup = OptimizerSettings.lamb(1e-3, 0, 100);
        ProgressiveStage s = stage(1, ProgressiveStage.LowerLayers.REDUCED_LEARNING_RATE, noWarmup, DataType.FLOAT);
        Map<String, INDArray> before = snapshot(s.model());
        s.step(batch, targets);
        double lowerStep = 0, activeStep = 0;
        int decayed = 0;
        for (var e : s.model().hfParams().entrySet()) {
            String name = e.getKey();
            INDArray delta = e.getValue().sub(before.get(name));
            boolean lower = name.startsWith("mobilebert.encoder.layer.0."), active = name.startsWith("mobilebert.encoder.layer.1.");
            if (!lower && !active) {
                assertTrue(bitIdentical(before.get(name), e.getValue()), "changed: " + name);
            } else if (name.endsWith(".bias") || name.contains("LayerNorm")) {
                // excluded from decay and trust ratio: the first Adam-style step without bias correction,
                // |Δ| = lr·(1−β1)/sqrt(1−β2) per element with a gradient
                double step = delta.amaxNumber().doubleValue();
                if (lower) lowerStep = Math.max(lowerStep, step);
                else activeStep = Math.max(activeStep, step);
            } else {
                // LAMB with weight decay and trust ratio on the trained weights: ||Δ|| = lr·||w|| per tensor
                double lr = lower ? 1e-4 : 1e-3;
                double w = before.get(name).norm2Number().doubleValue();
                assertEquals(lr * w, delta.norm2Number().doubleValue(), 1e-3 * lr * w, name);
                decayed++;
            }
        }
        assertTrue(decayed > 10, "trained weight tensors checked: " + decayed);
        assertEquals(1e-3 * 0.1 / Math.sqrt(0.001), activeStep, 1e-3 * activeStep);
        assertEquals(0.1, lowerStep / activeStep, 1e-3);
    }

    /** Frozen vertices carry no updater step and no weight decay; the trained layer decays its weights only. */
    @Test
    void onlyTrainedWeightsGetWeightDecay() {
        var conf = ProgressiveStage.stageConf(TransferFixtures.student(), ProgressiveStage.Settings.official(1,
                OptimizerSettings.lamb(1e-3, 0, 10)), DataType.FLOAT, 1);
        var policies = ProgressiveStage.policies(conf, OptimizerSettings.lamb(1e-3, 0, 10));
        for (var p : policies) {
            boolean trainedWeight = p.name().startsWith("layer1_") && !p.name().endsWith(".bias") && !p.name().endsWith("Bias")
                    && !p.name().contains("LayerNorm");
            assertEquals(trainedWeight, p.weightDecay(), p.toString());
        }
        assertTrue(policies.stream().anyMatch(OptimizerSettings.ParamPolicy::weightDecay));
    }

    /** A few tensors on every path: attention q/k/v of both layers, the FFN and output bottleneck of the trained one. */
    @Test
    void stageGradientMatchesFiniteDifferencesOnEveryPath() {
        checkStageGradient(name -> name.contains("attention.self.query.weight") || name.contains("attention.self.value.weight")
                || name.contains("layer.1.output.bottleneck.dense.weight") || name.contains("layer.1.ffn.0.intermediate.dense.weight")
                || name.contains("layer.1.bottleneck.attention.dense.weight"), 7);
    }

    /** Every tensor of the transferred layer, and those of the layer below that the gradient reaches through attention. */
    @org.junit.jupiter.api.Tag("slow")
    @Test
    void stageGradientMatchesFiniteDifferencesEverywhere() {
        checkStageGradient(name -> name.startsWith("mobilebert.encoder.layer.1.") || name.contains("attention.self.") || name.contains("bottleneck."), 30);
    }

    private static void checkStageGradient(java.util.function.Predicate<String> which, int minChecked) {
        MultiDataSet batch = TransferFixtures.batch(TransferFixtures.student(), 13, DataType.DOUBLE);
        TeacherTargets targets = targets(batch, 1, DataType.DOUBLE);
        ProgressiveStage s = stage(1, ProgressiveStage.LowerLayers.REDUCED_LEARNING_RATE, OptimizerSettings.lamb(1e-3, 0, 10), DataType.DOUBLE);
        INDArray grad = s.model().graph().getFlattenedGradients();
        grad.assign(0);
        s.forwardBackward(batch, targets, new Tape());
        Map<String, INDArray> gradByName = new LinkedHashMap<>();
        INDArray params = s.model().graph().params(), saved = params.dup();
        params.assign(grad);
        s.model().hfParams().forEach((k, v) -> gradByName.put(k, v.dup()));
        params.assign(saved);
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (var e : s.model().hfParams().entrySet()) {
            String name = e.getKey();
            INDArray flat = e.getValue().reshape(e.getValue().length()), g = gradByName.get(name).reshape(flat.length());
            boolean trained = name.startsWith("mobilebert.encoder.layer.0.") || name.startsWith("mobilebert.encoder.layer.1.");
            if (!trained) {
                if (g.amaxNumber().doubleValue() != 0) failures.add(name + " has a gradient but is frozen");
                continue;
            }
            if (!which.test(name)) continue;
            for (long idx : new long[]{(flat.length() * 7 + 3) % flat.length()}) {
                double orig = flat.getDouble(idx), h = 1e-5;
                flat.putScalar(idx, orig + h);
                double plus = s.evaluate(batch, targets).loss();
                flat.putScalar(idx, orig - h);
                double minus = s.evaluate(batch, targets).loss();
                flat.putScalar(idx, orig);
                double num = (plus - minus) / (2 * h), ana = g.getDouble(idx);
                checked++;
                // rounding noise of the difference quotient is ~1e-5 here (the loss is ~1e2 with the official factors)
                if (Math.abs(num - ana) > 2e-4 + 1e-4 * Math.abs(num)) failures.add(name + "[" + idx + "] numeric " + num + " analytic " + ana);
            }
        }
        assertTrue(checked >= minChecked, "checked " + checked);
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }
}
