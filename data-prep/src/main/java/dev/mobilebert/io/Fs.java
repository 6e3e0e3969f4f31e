package dev.mobilebert.io;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * Every path in the project goes through Hadoop's FileSystem, so that file://, hdfs:// and s3a:// behave alike.
 * A path without a scheme is a local path (relative to the working directory), as users expect on a laptop.
 */
public final class Fs {
    private static volatile Configuration defaultConf;

    private Fs() {}

    /** The Hadoop configuration used when a job does not pass its own (Spark jobs pass the context's). */
    public static Configuration conf() {
        Configuration c = defaultConf;
        if (c == null) {
            synchronized (Fs.class) {
                if (defaultConf == null) defaultConf = new Configuration();
                c = defaultConf;
            }
        }
        return c;
    }

    /** Lets a Spark job share its Hadoop configuration (credentials, HDFS addresses) with the libraries. */
    public static void setConf(Configuration conf) {
        defaultConf = conf;
    }

    /** Qualifies {@code location}: scheme-less strings are local files, made absolute. */
    public static Path path(String location) {
        URI uri = URI.create(location.replace(" ", "%20"));
        if (uri.getScheme() == null) {
            // Not File.toURI(): it appends '/' for an existing directory, and a Path with a trailing slash has an
            // empty name and itself as parent -- AtomicOutput would then move an old output "aside" into itself.
            return new Path("file", null, new java.io.File(location).getAbsoluteFile().toURI().getPath());
        }
        return new Path(location);
    }

    /**
     * The filesystem of {@code p}. Local files use Hadoop's raw local filesystem: the checksummed one writes a
     * hidden {@code .name.crc} beside every file, which then breaks reads after any non-Hadoop edit and ends up
     * in archives users make of our outputs (GLUE submissions).
     */
    public static FileSystem fs(Path p) {
        try {
            if ("file".equals(p.toUri().getScheme())) return FileSystem.getLocal(conf()).getRawFileSystem();
            return p.getFileSystem(conf());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the filesystem of " + p + ": " + e.getMessage(), e);
        }
    }

    public static boolean exists(Path p) {
        try {
            return fs(p).exists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check " + p + ": " + e.getMessage(), e);
        }
    }

    public static InputStream open(Path p) throws IOException {
        FSDataInputStream in = fs(p).open(p);
        return in;
    }

    public static String readString(Path p) throws IOException {
        try (InputStream in = open(p)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    public static byte[] readBytes(Path p) throws IOException {
        try (InputStream in = open(p)) {
            return in.readAllBytes();
        }
    }

    public static void mkdirs(Path p) throws IOException {
        if (!fs(p).mkdirs(p)) throw new IOException("cannot create directory " + p);
    }

    public static void delete(Path p) throws IOException {
        fs(p).delete(p, true);
    }
}
