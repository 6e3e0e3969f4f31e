package dev.mobilebert.train;

import dev.mobilebert.io.AtomicOutput;
import dev.mobilebert.io.Fs;
import dev.mobilebert.io.Json;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Training checkpoints under {@code RUN/checkpoints/}, one directory per step:
 * <pre>
 *   step-000001000/model.zip    DL4J ModelSerializer zip: configuration (with the iteration count, so the schedule
 *                               position), parameters and updater state (LAMB/Adam moments; saveUpdater=true)
 *   step-000001000/state.json   {@link TrainingState}: step, data position, seed
 * </pre>
 * Each directory is written under a temporary name and renamed when complete ({@link AtomicOutput}), so any
 * {@code step-*} directory is complete; {@link #latest} is the one with the highest step. Works on any Hadoop file
 * system (local, HDFS, S3A).
 */
public final class Checkpoints {
    public static final String MODEL = "model.zip";
    public static final String STATE = "state.json";
    private static final Pattern NAME = Pattern.compile("step-(\\d+)");

    private final Path dir;

    public Checkpoints(Path dir) {
        this.dir = dir;
    }

    public record Checkpoint(Path dir, TrainingState state) {
        public ComputationGraph loadModel() throws IOException {
            Path model = new Path(dir, MODEL);
            try (InputStream in = Fs.open(model)) {
                return ModelSerializer.restoreComputationGraph(in, true);
            } catch (IOException | RuntimeException e) {
                throw new IOException("cannot load checkpoint model " + model + ": " + e.getMessage(), e);
            }
        }
    }

    public Path save(ComputationGraph net, TrainingState state) throws IOException {
        if (net.getIterationCount() != state.step()) {
            throw new IllegalStateException("model is at iteration " + net.getIterationCount() + " but state says step " + state.step());
        }
        Path target = new Path(dir, String.format("step-%09d", state.step()));
        AtomicOutput.writeDirectory(target, tmp -> {
            FileSystem fs = Fs.fs(tmp);
            fs.mkdirs(tmp);
            // true: the updater state (DL4J's default is false)
            AtomicOutput.create(fs, new Path(tmp, MODEL), out -> ModelSerializer.writeModel(net, out, true));
            AtomicOutput.create(fs, new Path(tmp, STATE), out -> out.write(Json.MAPPER.writeValueAsBytes(state)));
        });
        return target;
    }

    /** All complete checkpoints, oldest first. */
    public List<Checkpoint> list() throws IOException {
        List<Checkpoint> all = new ArrayList<>();
        if (!Fs.exists(dir)) return all;
        for (FileStatus st : Fs.fs(dir).listStatus(dir)) {
            Matcher m = NAME.matcher(st.getPath().getName());
            if (!st.isDirectory() || !m.matches()) continue;
            Path statePath = new Path(st.getPath(), STATE);
            TrainingState s;
            try (InputStream in = Fs.open(statePath)) {
                s = Json.MAPPER.readValue(in, TrainingState.class);
            } catch (IOException e) {
                throw new IOException("unreadable checkpoint state " + statePath + ": " + e.getMessage(), e);
            }
            all.add(new Checkpoint(st.getPath(), s));
        }
        all.sort(Comparator.comparingInt(c -> c.state().step()));
        return all;
    }

    public Optional<Checkpoint> latest() throws IOException {
        List<Checkpoint> all = list();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** Deletes all but the newest {@code keep} checkpoints (keep &lt;= 0 keeps everything). */
    public void prune(int keep) throws IOException {
        if (keep <= 0) return;
        List<Checkpoint> all = list();
        for (int i = 0; i < all.size() - keep; i++) Fs.fs(dir).delete(all.get(i).dir(), true);
    }
}
