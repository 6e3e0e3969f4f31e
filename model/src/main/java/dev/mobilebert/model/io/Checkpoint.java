package dev.mobilebert.model.io;

import dev.mobilebert.io.AtomicOutput;
import dev.mobilebert.io.CodeVersion;
import dev.mobilebert.io.Fs;
import dev.mobilebert.io.Json;
import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;

/**
 * A checkpoint is a directory at any Hadoop path, written atomically (temporary name, then rename):
 * <ul>
 *   <li>{@code config.json}: the model config (official field names);</li>
 *   <li>{@code model.zip}: DL4J ModelSerializer (graph configuration JSON, flattened parameters, updater state), which is
 *   what dl4j-spark and training resume need;</li>
 *   <li>{@code provenance.json}: command, code version, data, step, time.</li>
 * </ul>
 * A directory rather than extra zip entries keeps the config and provenance readable with {@code cat}/{@code hdfs dfs -cat}.
 */
public final class Checkpoint {
    public static final String CONFIG = "config.json", MODEL = "model.zip", PROVENANCE = "provenance.json";

    /** Where a checkpoint came from. */
    public record Provenance(String command, CodeVersion code, String data, long step, String createdAt) {
        public static Provenance of(String command, String data, long step) {
            return new Provenance(command, CodeVersion.current(), data, step, Instant.now().toString());
        }
    }

    /** A loaded checkpoint. */
    public record Loaded(MobileBertModel model, Provenance provenance) {}

    private Checkpoint() {}

    public static void save(MobileBertModel model, Provenance provenance, String location, boolean saveUpdater) throws IOException {
        Path target = Fs.path(location);
        AtomicOutput.writeDirectory(target, tmp -> {
            Fs.mkdirs(tmp);
            AtomicOutput.writeString(new Path(tmp, CONFIG), model.config().toJson() + "\n");
            AtomicOutput.writeJson(new Path(tmp, PROVENANCE), provenance);
            AtomicOutput.create(Fs.fs(tmp), new Path(tmp, MODEL), out -> ModelSerializer.writeModel(model.graph(), out, saveUpdater));
        });
    }

    public static Loaded load(String location, boolean loadUpdater) throws IOException {
        Path dir = Fs.path(location);
        Path cfgPath = new Path(dir, CONFIG);
        if (!Fs.exists(cfgPath)) throw new IOException(location + " is not a checkpoint (no " + CONFIG + ")");
        MobileBertConfig config = MobileBertConfig.fromJson(Fs.readString(cfgPath), cfgPath.toString());
        Provenance prov = null;
        Path provPath = new Path(dir, PROVENANCE);
        if (Fs.exists(provPath)) prov = Json.MAPPER.readValue(Fs.readString(provPath), Provenance.class);
        ComputationGraph g;
        try (InputStream in = Fs.open(new Path(dir, MODEL))) {
            g = ModelSerializer.restoreComputationGraph(in, loadUpdater);
        }
        return new Loaded(new MobileBertModel(config, g), prov);
    }
}
