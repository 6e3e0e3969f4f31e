package dev.mobilebert.jobs.pipeline;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;
import dev.mobilebert.io.AtomicOutput;
import dev.mobilebert.io.Fs;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Loads a pipeline's HOCON config (one file, every stage's settings) with {@code key=value} overrides. */
public final class PipelineConfig {
    /** Top-level sections a config may have: the stages, plus the pipeline's own settings. */
    static final Set<String> SECTIONS = Set.of("pipeline", "prepare", "teacher", "transfer", "distill", "finetune", "bench", "report");

    private PipelineConfig() {}

    public static Config load(java.nio.file.Path file, Map<String, String> overrides) {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("pipeline config " + file + " does not exist");
        Config base;
        try {
            base = ConfigFactory.parseFile(file.toFile());
        } catch (ConfigException e) {
            throw new IllegalArgumentException("cannot parse " + file + ": " + e.getMessage(), e);
        }
        return withOverrides(base, overrides, file.toString());
    }

    /**
     * Applies {@code key=value} overrides. A value is read as HOCON ({@code [a, b]}, numbers, booleans, quoted
     * strings); anything that does not parse is taken as a plain string (paths).
     */
    public static Config withOverrides(Config base, Map<String, String> overrides, String source) {
        Config c = base;
        for (var e : overrides.entrySet()) {
            Config one;
            try {
                one = ConfigFactory.parseString(e.getKey() + " = " + e.getValue());
            } catch (ConfigException bad) {
                one = ConfigFactory.empty().withValue(e.getKey(), ConfigValueFactory.fromAnyRef(e.getValue()));
            }
            c = one.withFallback(c);
        }
        try {
            c = c.resolve();
        } catch (ConfigException e) {
            throw new IllegalArgumentException("cannot resolve " + source + ": " + e.getMessage(), e);
        }
        for (String key : c.root().keySet()) {
            if (!SECTIONS.contains(key)) throw new IllegalArgumentException(source + ": unknown section '" + key + "' (known: " + SECTIONS + ")");
        }
        return c;
    }

    /** A string or a list of strings at {@code path} (empty when absent or null). */
    public static List<String> strings(Config c, String path) {
        if (!c.hasPath(path)) return List.of();
        Object v = c.getValue(path).unwrapped();
        if (v instanceof List<?> l) {
            List<String> out = new ArrayList<>();
            for (Object o : l) out.add(String.valueOf(o));
            return out;
        }
        String s = String.valueOf(v).trim();
        return s.isEmpty() ? List.of() : List.of(s);
    }

    /** An optional string: absent, null and "" are all null. */
    public static String optionalString(Config c, String path) {
        if (!c.hasPath(path)) return null;
        String s = c.getString(path).trim();
        return s.isEmpty() ? null : s;
    }

    /** Records the resolved config in the run as HOCON and JSON. */
    public static void save(Config c, Path configDir) throws IOException {
        AtomicOutput.writeString(new Path(configDir, "pipeline.conf"),
                c.root().render(ConfigRenderOptions.defaults().setOriginComments(false).setJson(false)));
        AtomicOutput.writeString(new Path(configDir, "pipeline.json"), render(c));
    }

    public static String render(Config c) {
        return c.root().render(ConfigRenderOptions.concise().setFormatted(true));
    }

    /** The JSON of the config a run was started with, or null. */
    public static String saved(Path configDir) throws IOException {
        Path p = new Path(configDir, "pipeline.json");
        return Fs.exists(p) ? Fs.readString(p) : null;
    }
}
