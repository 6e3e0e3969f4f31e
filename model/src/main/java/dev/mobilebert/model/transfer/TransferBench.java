package dev.mobilebert.model.transfer;

import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.optim.OptimizerSettings;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntConsumer;

/**
 * Time of one PKT stage step and one PD step on one worker, split into the teacher's forward pass, the student's
 * forward + backward + update, and the arithmetic of averaging {@code workers} copies of the parameters and updater
 * state (what the driver does per averaging round; Spark's broadcast and task overheads are not in it — the
 * {@code chunk} rows of a real run have those as {@code averaging_ms}). Random contract batches, float32.
 */
public final class TransferBench {
    private TransferBench() {}

    /** Medians (ms) over the timed steps, per phase. */
    public static Map<String, Object> run(MobileBertModel teacher, MobileBertConfig student, int batch, int seq, int predictions,
                                          int workers, int warmup, int runs) {
        List<MultiDataSet> batches = new ArrayList<>();
        Random r = new Random(7);
        for (int i = 0; i < warmup + runs; i++) batches.add(batch(r, student.vocabSize, batch, seq, predictions));
        Map<String, Object> out = new LinkedHashMap<>();
        OptimizerSettings opt = OptimizerSettings.lamb(1e-3, 10, 1000);
        MobileBertModel init = MobileBertModel.pretraining(student, new NoOp(), 1);
        StudentInitialisation.fromTeacher(teacher, init);
        for (int layer : new int[]{0, student.numHiddenLayers - 1}) {
            ProgressiveStage stage = ProgressiveStage.start(student, init.graph().params(), ProgressiveStage.Settings.official(layer, opt), 1);
            double[] teacherMs = new double[runs], studentMs = new double[runs];
            timed(warmup, runs, (i, timedIndex) -> {
                MultiDataSet b = batches.get(i);
                long t0 = System.nanoTime();
                TeacherTargets t = TeacherTargets.of(teacher, b, layer);
                long t1 = System.nanoTime();
                stage.step(b, t);
                long t2 = System.nanoTime();
                if (timedIndex >= 0) { teacherMs[timedIndex] = (t1 - t0) / 1e6; studentMs[timedIndex] = (t2 - t1) / 1e6; }
            });
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("teacher_forward_ms", median(teacherMs));
            m.put("student_forward_backward_update_ms", median(studentMs));
            m.put("averaging_ms", averagingMs(stage.model().graph(), workers, runs));
            out.put("pkt_stage_" + layer, m);
        }
        var pdConf = DistillationGraph.conf(student, opt.updater(), 1, DataType.FLOAT);
        opt.applyTo(pdConf);
        ComputationGraph pd = new ComputationGraph(pdConf);
        pd.init(init.graph().params().dup(), false);
        double[] teacherMs = new double[runs], studentMs = new double[runs];
        timed(warmup, runs, (i, timedIndex) -> {
            long t0 = System.nanoTime();
            MultiDataSet b = DistillationGraph.withTeacherTargets(teacher, batches.get(i), PretrainingDistillation.Settings.OFFICIAL);
            long t1 = System.nanoTime();
            pd.fit(b);
            long t2 = System.nanoTime();
            if (timedIndex >= 0) { teacherMs[timedIndex] = (t1 - t0) / 1e6; studentMs[timedIndex] = (t2 - t1) / 1e6; }
        });
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("teacher_forward_and_targets_ms", median(teacherMs));
        m.put("student_forward_backward_update_ms", median(studentMs));
        m.put("averaging_ms", averagingMs(pd, workers, runs));
        out.put("pd", m);
        return out;
    }

    @FunctionalInterface
    private interface Step { void run(int batchIndex, int timedIndex); }

    private static void timed(int warmup, int runs, Step step) {
        for (int i = 0; i < warmup + runs; i++) step.run(i, i - warmup);
    }

    /** Sum of {@code workers} parameter + updater-state vectors divided by workers (the driver's averaging arithmetic). */
    private static double averagingMs(ComputationGraph g, int workers, int runs) {
        INDArray params = g.params(), state = g.getUpdater().getStateViewArray();
        List<INDArray> copies = new ArrayList<>();
        for (int w = 0; w < workers; w++) copies.add(state == null ? params.dup() : Nd4j.concat(1, params.reshape(1, params.length()), state.reshape(1, state.length())));
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            INDArray sum = copies.get(0).dup();
            for (int w = 1; w < workers; w++) sum.addi(copies.get(w));
            sum.divi(workers);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return median(ms);
    }

    private static double median(double[] a) {
        double[] s = a.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static MultiDataSet batch(Random r, int vocab, int b, int t, int p) {
        INDArray ids = Nd4j.create(DataType.FLOAT, b, t), types = Nd4j.zeros(DataType.FLOAT, b, t), mask = Nd4j.ones(DataType.FLOAT, b, t);
        INDArray pos = Nd4j.create(DataType.FLOAT, b, p), lm = Nd4j.create(DataType.FLOAT, b, p);
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) ids.putScalar(i, j, 1 + r.nextInt(vocab - 1));
            for (int j = 0; j < p; j++) { pos.putScalar(i, j, 1 + j * (t - 1) / p); lm.putScalar(i, j, 1 + r.nextInt(vocab - 1)); }
        }
        INDArray w = Nd4j.ones(DataType.FLOAT, b, p), nsp = Nd4j.zeros(DataType.FLOAT, b, 1);
        return new MultiDataSet(new INDArray[]{ids, types, pos}, new INDArray[]{lm, nsp}, new INDArray[]{mask, mask, w}, new INDArray[]{w, null});
    }
}
