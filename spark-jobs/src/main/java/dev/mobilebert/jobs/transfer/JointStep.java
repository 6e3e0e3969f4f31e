package dev.mobilebert.jobs.transfer;

import dev.mobilebert.io.Json;
import dev.mobilebert.jobs.train.WorkerStep;
import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.model.transfer.FeatureMapTransfer;
import dev.mobilebert.model.transfer.JointTransfer;
import dev.mobilebert.model.transfer.PretrainingDistillation;
import dev.mobilebert.optim.OptimizerSettings;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** A JKT or AKT step on a worker: the teacher's outputs for the batch (executor's copy of the broadcast teacher), then {@link JointTransfer#step}. */
final class JointStep implements WorkerStep {
    private final Broadcast<DistillationBatchSource.Teacher> teacher;
    private final String studentJson, optimizerJson, mode;
    private final double fmtHidden, fmtMean, fmtVariance, attentionWeight, alpha, temperature, pdWeight;
    private transient ComputationGraph lastNet;
    private transient JointTransfer last;

    JointStep(Broadcast<DistillationBatchSource.Teacher> teacher, MobileBertConfig student, JointTransfer.Settings s) {
        this.teacher = teacher;
        this.studentJson = student.toJson();
        try {
            this.optimizerJson = Json.MAPPER.writeValueAsString(s.optimizer());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.mode = s.mode().name();
        this.fmtHidden = s.fmt().hidden();
        this.fmtMean = s.fmt().mean();
        this.fmtVariance = s.fmt().variance();
        this.attentionWeight = s.attentionWeight();
        this.alpha = s.distillation().alpha();
        this.temperature = s.distillation().temperature();
        this.pdWeight = s.pdWeight();
    }

    JointTransfer.Settings settings() {
        try {
            return new JointTransfer.Settings(JointTransfer.Mode.valueOf(mode), Json.MAPPER.readValue(optimizerJson, OptimizerSettings.class),
                    new FeatureMapTransfer.Weights(fmtHidden, fmtMean, fmtVariance), attentionWeight,
                    new PretrainingDistillation.Settings(alpha, temperature), pdWeight);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Outcome step(ComputationGraph net, MultiDataSet batch) {
        long t0 = System.nanoTime();
        Map<String, INDArray> targets = DistillationBatchSource.teacherOf(teacher)
                .forwardWithIntermediates(batch.getFeatures(0), batch.getFeatures(1), batch.getFeaturesMaskArray(0));
        long t1 = System.nanoTime();
        if (net != lastNet) {
            last = JointTransfer.resume(new MobileBertModel(MobileBertConfig.fromJson(studentJson, "joint student"), net), settings());
            lastNet = net;
        }
        JointTransfer.StepResult r = last.step(batch, targets);
        long t2 = System.nanoTime();
        Map<String, Double> v = new LinkedHashMap<>();
        v.put("fmt", r.fmt());
        v.put("fmt_mean", r.fmtMean());
        v.put("fmt_variance", r.fmtVariance());
        v.put("at", r.attentionKl());
        if (!Double.isNaN(r.kd())) {
            v.put("kd_loss", r.kd());
            v.put("mlm_loss", r.mlm());
            v.put("mlm_accuracy", r.mlmAccuracy());
            v.put("nsp_loss", r.nsp());
            v.put("nsp_accuracy", r.nspAccuracy());
        }
        v.put("teacher_forward_ms", (t1 - t0) / 1e6);
        v.put("student_step_ms", (t2 - t1) / 1e6);
        return new Outcome(r.loss(), r.gradNorm(), v);
    }
}
