package dev.mobilebert.jobs.transfer;

import dev.mobilebert.io.Json;
import dev.mobilebert.jobs.train.WorkerStep;
import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.model.transfer.FeatureMapTransfer;
import dev.mobilebert.model.transfer.ProgressiveStage;
import dev.mobilebert.model.transfer.TeacherTargets;
import dev.mobilebert.optim.OptimizerSettings;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A PKT stage step on a worker: the teacher's targets for this batch and layer from the executor's copy of the
 * broadcast teacher, then {@link ProgressiveStage#step} on the worker's stage graph (FMT + AT of the layer, frozen or
 * reduced-rate lower layers). Reports the stage losses and the time split (teacher forward / student forward+backward
 * and update). Settings travel as plain fields (records are neither Serializable nor Kryo-friendly).
 */
final class StageStep implements WorkerStep {
    private final Broadcast<DistillationBatchSource.Teacher> teacher;
    private final String studentJson, optimizerJson, lowerLayers;
    private final int layer;
    private final double lowerFactor, fmtHidden, fmtMean, fmtVariance, attentionWeight;
    private transient ComputationGraph lastNet;
    private transient ProgressiveStage lastStage;

    StageStep(Broadcast<DistillationBatchSource.Teacher> teacher, MobileBertConfig student, ProgressiveStage.Settings s) {
        this.teacher = teacher;
        this.studentJson = student.toJson();
        try {
            this.optimizerJson = Json.MAPPER.writeValueAsString(s.optimizer());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.lowerLayers = s.lowerLayers().name();
        this.layer = s.layer();
        this.lowerFactor = s.lowerLearningRateFactor();
        this.fmtHidden = s.fmt().hidden();
        this.fmtMean = s.fmt().mean();
        this.fmtVariance = s.fmt().variance();
        this.attentionWeight = s.attentionWeight();
    }

    ProgressiveStage.Settings settings() {
        try {
            return new ProgressiveStage.Settings(layer, ProgressiveStage.LowerLayers.valueOf(lowerLayers), lowerFactor,
                    Json.MAPPER.readValue(optimizerJson, OptimizerSettings.class), new FeatureMapTransfer.Weights(fmtHidden, fmtMean, fmtVariance),
                    attentionWeight);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Outcome step(ComputationGraph net, MultiDataSet batch) {
        long t0 = System.nanoTime();
        TeacherTargets targets = TeacherTargets.of(DistillationBatchSource.teacherOf(teacher), batch, layer);
        long t1 = System.nanoTime();
        if (net != lastNet) { // one stage object per worker network (a round's network serves all its steps)
            lastStage = ProgressiveStage.resume(new MobileBertModel(MobileBertConfig.fromJson(studentJson, "stage student"), net), settings());
            lastNet = net;
        }
        ProgressiveStage.StepResult r = lastStage.step(batch, targets);
        long t2 = System.nanoTime();
        Map<String, Double> v = new LinkedHashMap<>();
        v.put("layer", (double) layer);
        v.put("fmt", r.fmt());
        v.put("fmt_mean", r.fmtMean());
        v.put("fmt_variance", r.fmtVariance());
        v.put("at", r.attentionKl());
        v.put("teacher_forward_ms", (t1 - t0) / 1e6);
        v.put("student_step_ms", (t2 - t1) / 1e6);
        return new Outcome(r.loss(), r.gradNorm(), v);
    }
}
