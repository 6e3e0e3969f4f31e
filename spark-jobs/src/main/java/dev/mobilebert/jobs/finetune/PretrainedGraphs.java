package dev.mobilebert.jobs.finetune;

import dev.mobilebert.io.Fs;
import dev.mobilebert.model.io.Checkpoint;
import dev.mobilebert.train.Checkpoints;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

import java.io.IOException;
import java.io.InputStream;

/** Where {@code --checkpoint} may point: every form a pretraining or fine-tuning run leaves behind. */
public final class PretrainedGraphs {
    private PretrainedGraphs() {}

    /**
     * A checkpoint directory (config.json + model.zip, or a trainer checkpoint with model.zip), a run directory (its
     * newest trainer checkpoint), or a ModelSerializer zip. Parameters only; the optimizer state is not loaded.
     */
    public static ComputationGraph load(String location) throws IOException {
        Path p = Fs.path(location);
        Path zip;
        if (Fs.exists(new Path(p, Checkpoint.MODEL))) {
            zip = new Path(p, Checkpoint.MODEL);
        } else if (Fs.exists(new Path(p, "checkpoints"))) {
            var latest = new Checkpoints(new Path(p, "checkpoints")).latest()
                    .orElseThrow(() -> new IllegalArgumentException("--checkpoint " + location + ": the run has no checkpoints"));
            zip = new Path(latest.dir(), Checkpoints.MODEL);
        } else if (Fs.exists(p)) {
            zip = p;
        } else {
            throw new IllegalArgumentException("--checkpoint " + location + " does not exist");
        }
        try (InputStream in = Fs.open(zip)) {
            return ModelSerializer.restoreComputationGraph(in, false);
        } catch (IOException | RuntimeException e) {
            throw new IOException("--checkpoint " + location + ": cannot load a model from " + zip + ": " + e.getMessage(), e);
        }
    }
}
