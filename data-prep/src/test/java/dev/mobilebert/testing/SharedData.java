package dev.mobilebert.testing;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The real data and reference tensors in {@code ../shared} (CI has them there; they are never copied into the
 * project). Tests that need them call {@link #require} and are skipped, with a reason, where they are absent.
 */
public final class SharedData {
    private SharedData() {}

    public static Path root() {
        String p = System.getProperty("mobilebert.shared");
        if (p != null) return Path.of(p).toAbsolutePath().normalize();
        // running from an IDE: the module directory is the working directory
        Path here = Path.of("").toAbsolutePath();
        for (Path d = here; d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("../shared/data"))) return d.resolve("../shared").normalize();
        }
        return here.resolve("../../shared").normalize();
    }

    public static Path data(String relative) { return root().resolve("data").resolve(relative); }
    public static Path oracle(String relative) { return root().resolve("oracle").resolve(relative); }
    public static Path vocab() { return data("vocab/bert-base-uncased-vocab.txt"); }
    public static Path glue(String task) { return data("glue").resolve(task); }
    public static Path squadDev() { return data("squad/dev-v1.1.json"); }
    public static Path gutenberg() { return data("corpus/gutenberg"); }

    /** Skips the calling test when {@code p} is missing (a machine without ../shared). */
    public static Path require(Path p) {
        assumeTrue(Files.exists(p), () -> "shared test data not found: " + p);
        return p;
    }
}
