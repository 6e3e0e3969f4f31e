package dev.mobilebert.model.transfer;

import dev.mobilebert.io.RunDirectory;
import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.train.Checkpoints;
import dev.mobilebert.train.TrainingState;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * Progressive knowledge transfer on one machine (no Spark): stages 0..L−1 in order, each a resumable unit with its own
 * checkpoints under {@code RUN/checkpoints/pkt-layer-LL/step-NNNNNNNNN} and its own rows in {@code metrics.jsonl}
 * (stage {@code pkt-layer-LL}). A stage is finished when its checkpoint at {@code stepsPerStage} exists; a rerun with
 * {@code resume} skips finished stages, continues an interrupted one from its newest checkpoint (parameters, moments,
 * schedule position, data position) and never recomputes earlier stages. Stage 0 also checkpoints its step 0, which
 * holds the initialised student, so even a crash in the first chunk resumes from the same start.
 *
 * <p>Data: {@code batches} maps a global batch index (stage·stepsPerStage + step) to a pretraining-contract batch;
 * the teacher's targets are computed from it batch by batch.
 */
public final class ProgressiveTransfer {

    /**
     * @param stepsPerStage   optimizer steps per stage
     * @param checkpointEvery steps between checkpoints inside a stage (the last step is always checkpointed)
     * @param logEvery        steps between metric rows
     * @param stage           the stage settings; its {@code layer} is replaced per stage
     */
    public record Plan(int stepsPerStage, int checkpointEvery, int logEvery, ProgressiveStage.Settings stage, long seed) {
        public Plan {
            if (stepsPerStage <= 0 || checkpointEvery <= 0 || logEvery <= 0) {
                throw new IllegalArgumentException("steps_per_stage, checkpoint_every and log_every must be > 0");
            }
        }

        ProgressiveStage.Settings forLayer(int layer) {
            return new ProgressiveStage.Settings(layer, stage.lowerLayers(), stage.lowerLearningRateFactor(), stage.optimizer(),
                    stage.fmt(), stage.attentionWeight());
        }
    }

    private final RunDirectory run;
    private final MobileBertModel teacher;
    private final MobileBertConfig student;
    private final Plan plan;

    public ProgressiveTransfer(RunDirectory run, MobileBertModel teacher, MobileBertConfig student, Plan plan) {
        this.run = run;
        this.teacher = teacher;
        this.student = student;
        this.plan = plan;
        if (teacher.config().numHiddenLayers != student.numHiddenLayers) {
            throw new IllegalArgumentException("PKT maps teacher layer l to student layer l: the teacher has "
                    + teacher.config().numHiddenLayers + " layers, the student " + student.numHiddenLayers);
        }
    }

    public static String stageName(int layer) { return String.format("pkt-layer-%02d", layer); }

    private Checkpoints checkpoints(int layer) {
        return new Checkpoints(new Path(run.checkpointsDir(), stageName(layer)));
    }

    /**
     * Runs (or resumes) every stage and returns the student's parameters after the last one.
     *
     * @param initialStudent the initialised student (see {@link StudentInitialisation}); read only when starting afresh
     */
    public INDArray run(MobileBertModel initialStudent, LongFunction<MultiDataSet> batches, boolean resume) throws IOException {
        boolean anything = checkpoints(0).latest().isPresent();
        if (anything && !resume) {
            throw new IllegalStateException(run.root() + " already has PKT checkpoints: pass resume to continue it or use a new run directory");
        }
        INDArray params = anything ? null : initialStudent.graph().params().dup();
        for (int layer = 0; layer < student.numHiddenLayers; layer++) {
            Optional<Checkpoints.Checkpoint> latest = checkpoints(layer).latest();
            if (latest.isPresent() && latest.get().state().step() >= plan.stepsPerStage()) {
                params = null; // finished: its parameters are read only if the next stage starts afresh
                continue;
            }
            if (params == null && latest.isEmpty()) params = finishedParams(layer - 1);
            params = runStage(layer, params, latest, batches);
        }
        return params == null ? finishedParams(student.numHiddenLayers - 1) : params;
    }

    private INDArray finishedParams(int layer) throws IOException {
        Checkpoints.Checkpoint c = checkpoints(layer).latest()
                .orElseThrow(() -> new IllegalStateException("stage " + stageName(layer) + " has no checkpoint"));
        return c.loadModel().params().dup();
    }

    private INDArray runStage(int layer, INDArray startParams, Optional<Checkpoints.Checkpoint> resumeFrom,
                              LongFunction<MultiDataSet> batches) throws IOException {
        ProgressiveStage.Settings settings = plan.forLayer(layer);
        ProgressiveStage stage;
        TrainingState state;
        if (resumeFrom.isPresent()) {
            ComputationGraph g = resumeFrom.get().loadModel();
            stage = ProgressiveStage.resume(new MobileBertModel(student, g), settings);
            state = resumeFrom.get().state();
            run.metrics().log(stageName(layer), state.step(), Map.of("event", "resume", "layer", layer));
        } else {
            stage = ProgressiveStage.start(student, startParams, settings, plan.seed() + layer);
            state = TrainingState.start(plan.seed());
            if (layer == 0) checkpoints(layer).save(stage.model().graph(), state);
        }
        while (state.step() < plan.stepsPerStage()) {
            long index = (long) layer * plan.stepsPerStage() + state.step();
            MultiDataSet batch = batches.apply(index);
            ProgressiveStage.StepResult r = stage.step(batch, TeacherTargets.of(teacher, batch, layer));
            state = new TrainingState(state.step() + 1, 0, state.batchInEpoch() + 1, state.batchesSeen() + 1, state.seed());
            if (state.step() % plan.logEvery() == 0 || state.step() == plan.stepsPerStage()) log(layer, state.step(), r);
            if (state.step() % plan.checkpointEvery() == 0 || state.step() == plan.stepsPerStage()) {
                checkpoints(layer).save(stage.model().graph(), state);
            }
        }
        return stage.model().graph().params().dup();
    }

    private void log(int layer, int step, ProgressiveStage.StepResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("layer", layer);
        m.put("loss", r.loss());
        m.put("fmt", r.fmt());
        m.put("fmt_mean", r.fmtMean());
        m.put("fmt_variance", r.fmtVariance());
        m.put("at", r.attentionKl());
        m.put("learning_rate", r.learningRate());
        m.put("grad_norm", r.gradNorm());
        run.metrics().log(stageName(layer), step, m);
    }
}
