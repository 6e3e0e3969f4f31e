package dev.mobilebert.tasks.eval;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.io.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs the project's Python second implementations ({@code src/test/python}): the reimplemented official SQuAD
 * scripts and the scikit-learn/SciPy GLUE metrics. Tests are skipped, with the reason, when no suitable
 * interpreter is found. {@code -Dmobilebert.python=...} picks the interpreter.
 */
public final class PythonReference {
    static final Path SCRIPTS = Path.of("src/test/python").toAbsolutePath();

    private PythonReference() {}

    /** The first interpreter that can import {@code modules} (Debian's keeps scikit-learn in /usr/bin/python3). */
    public static synchronized String interpreter(String... modules) {
        String key = String.join(",", modules);
        if (FOUND.containsKey(key)) {
            assumeTrue(FOUND.get(key) != null, "no python3 with " + key
                    + " (run data-prep/src/test/python/setup.sh: apt-get install -y python3-sklearn python3-scipy)");
            return FOUND.get(key);
        }
        String python = find(modules);
        FOUND.put(key, python);
        return interpreter(modules);
    }

    private static final java.util.Map<String, String> FOUND = new java.util.HashMap<>();

    private static String find(String... modules) {
        List<String> candidates = new ArrayList<>();
        String configured = System.getProperty("mobilebert.python");
        if (configured != null) candidates.add(configured);
        candidates.add("/usr/bin/python3");
        candidates.add("python3");
        String imports = modules.length == 0 ? "pass" : "import " + String.join(", ", modules);
        for (String python : candidates) {
            try {
                Process p = new ProcessBuilder(python, "-c", imports).redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) return python;
            } catch (IOException | InterruptedException ignored) {
                // try the next candidate
            }
        }
        return null;
    }

    /** Runs {@code script args...} and parses its stdout as JSON. */
    public static JsonNode run(String python, String script, String... args) throws IOException, InterruptedException {
        return Json.MAPPER.readTree(exec(python, script, args));
    }

    /** Runs {@code script args...}; returns its stdout. */
    public static String exec(String python, String script, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(python, SCRIPTS.resolve(script).toString()));
        cmd.addAll(List.of(args));
        Path err = Files.createTempFile("python-ref", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + cmd);
            }
            if (p.exitValue() != 0) {
                throw new IOException(cmd + " failed (" + p.exitValue() + "): " + Files.readString(err));
            }
            return out;
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
