package dev.mobilebert.jobs.transfer;

import dev.mobilebert.io.Fs;
import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.model.graph.BlockVertex;
import dev.mobilebert.train.Checkpoints;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

import java.io.IOException;
import java.io.InputStream;

/**
 * Teachers and students given on the command line: a checkpoint directory ({@code .../step-N} with model.zip), a run
 * directory (its newest checkpoint) or a ModelSerializer zip. The model config travels inside the graph (every block
 * vertex carries it), so no separate config file is needed.
 */
public final class StoredModels {
    private StoredModels() {}

    public static MobileBertModel load(String location, String what) throws IOException {
        Path zip = modelZip(location, what);
        ComputationGraph g;
        try (InputStream in = Fs.open(zip)) {
            g = ModelSerializer.restoreComputationGraph(in, false);
        } catch (IOException | RuntimeException e) {
            throw new IOException(what + " " + location + ": cannot load a model from " + zip + ": " + e.getMessage(), e);
        }
        return new MobileBertModel(configOf(g, what + " " + location), g);
    }

    /** The model config carried by the graph's block vertices. */
    public static MobileBertConfig configOf(ComputationGraph g, String what) {
        for (GraphVertex v : g.getConfiguration().getVertices().values()) {
            if (v instanceof BlockVertex b) return b.config();
        }
        throw new IllegalArgumentException(what + " is not a MobileBERT-family graph (no block vertices)");
    }

    static Path modelZip(String location, String what) throws IOException {
        Path p = Fs.path(location);
        if (Fs.exists(new Path(p, Checkpoints.MODEL))) return new Path(p, Checkpoints.MODEL);
        if (Fs.exists(new Path(p, "checkpoints"))) {
            var latest = new Checkpoints(new Path(p, "checkpoints")).latest()
                    .orElseThrow(() -> new IllegalArgumentException(what + " " + location + ": the run has no checkpoints"));
            return new Path(latest.dir(), Checkpoints.MODEL);
        }
        if (!Fs.exists(p)) throw new IllegalArgumentException(what + " " + location + " does not exist");
        return p;
    }
}
