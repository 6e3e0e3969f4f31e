package dev.mobilebert.io;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Writes a file or a directory under a temporary sibling name and renames it into place only when complete,
 * so a crash never leaves something that looks finished. The temporary name starts with {@code _tmp.} — Hadoop
 * and Spark readers skip names starting with '_' — and a rerun removes stale ones.
 */
public final class AtomicOutput {
    public static final String TMP_PREFIX = "_tmp.";

    private AtomicOutput() {}

    @FunctionalInterface
    public interface StreamWriter {
        void write(OutputStream out) throws IOException;
    }

    @FunctionalInterface
    public interface DirectoryWriter {
        void write(Path tmpDir) throws IOException;
    }

    /** The temporary sibling of {@code target} for this attempt. */
    public static Path tmpSibling(Path target) {
        return new Path(target.getParent(), TMP_PREFIX + target.getName() + "." + UUID.randomUUID());
    }

    public static void writeFile(Path target, StreamWriter writer) throws IOException {
        FileSystem fs = Fs.fs(target);
        Path parent = target.getParent();
        if (parent != null && !fs.exists(parent) && !fs.mkdirs(parent)) {
            throw new IOException("cannot create directory " + parent);
        }
        Path tmp = tmpSibling(target);
        try {
            create(fs, tmp, writer);
            replace(fs, tmp, target);
        } catch (IOException | RuntimeException e) {
            fs.delete(tmp, true);
            throw e;
        }
    }

    /**
     * Creates {@code file} (not overwriting), fills it and closes it, reporting the first failure. HDFS's DFSOutputStream
     * rethrows a failed write's exception from close() as the same object, which try-with-resources turns into
     * "IllegalArgumentException: Self-suppression not permitted", hiding the real error (e.g. a quota exceeded).
     */
    public static void create(FileSystem fs, Path file, StreamWriter writer) throws IOException {
        OutputStream out = fs.create(file, false);
        try {
            writer.write(out);
        } catch (IOException | RuntimeException e) {
            try {
                out.close();
            } catch (IOException | RuntimeException onClose) {
                if (onClose != e) e.addSuppressed(onClose);
            }
            throw e;
        }
        out.close();
    }

    public static void writeString(Path target, String content) throws IOException {
        writeFile(target, out -> out.write(content.getBytes(StandardCharsets.UTF_8)));
    }

    public static void writeJson(Path target, Object value) throws IOException {
        writeString(target, Json.MAPPER.writeValueAsString(value) + "\n");
    }

    /** Fills a temporary directory, then renames it to {@code target} (replacing an older complete one). */
    public static void writeDirectory(Path target, DirectoryWriter writer) throws IOException {
        FileSystem fs = Fs.fs(target);
        Path parent = target.getParent();
        if (parent != null && !fs.exists(parent) && !fs.mkdirs(parent)) {
            throw new IOException("cannot create directory " + parent);
        }
        Path tmp = tmpSibling(target);
        try {
            writer.write(tmp);
            replace(fs, tmp, target);
        } catch (IOException | RuntimeException e) {
            fs.delete(tmp, true);
            throw e;
        }
    }

    /** Removes temporary leftovers of interrupted attempts inside {@code dir}. */
    public static int cleanStale(Path dir) throws IOException {
        FileSystem fs = Fs.fs(dir);
        if (!fs.exists(dir)) return 0;
        int n = 0;
        for (var st : fs.listStatus(dir)) {
            if (st.getPath().getName().startsWith(TMP_PREFIX)) {
                fs.delete(st.getPath(), true);
                n++;
            }
        }
        return n;
    }

    private static void replace(FileSystem fs, Path tmp, Path target) throws IOException {
        // HDFS/local rename does not overwrite: move the old one aside first, drop it only after the swap.
        Path old = null;
        if (fs.exists(target)) {
            old = new Path(target.getParent(), TMP_PREFIX + target.getName() + ".old." + UUID.randomUUID());
            if (!fs.rename(target, old)) throw new IOException("cannot move aside " + target);
        }
        if (!fs.rename(tmp, target)) {
            if (old != null) fs.rename(old, target);
            throw new IOException("cannot rename " + tmp + " to " + target);
        }
        if (old != null) fs.delete(old, true);
    }
}
