package dev.mobilebert.io;

import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.*;

class AtomicOutputTest {
    @TempDir
    java.nio.file.Path tmp;

    @Test
    void aFailedWriteLeavesNeitherTheTargetNorATemporary() throws IOException {
        Path target = Fs.path(tmp.resolve("out.txt").toString());
        IOException e = assertThrows(IOException.class, () -> AtomicOutput.writeFile(target, out -> {
            out.write("half".getBytes(StandardCharsets.UTF_8));
            throw new IOException("disk full");
        }));
        assertEquals("disk full", e.getMessage());
        assertFalse(Files.exists(tmp.resolve("out.txt")));
        try (var files = Files.list(tmp)) {
            assertEquals(0, files.count(), "temporary left behind");
        }
    }

    @Test
    void aFailedRewriteKeepsThePreviousCompleteVersion() throws IOException {
        Path target = Fs.path(tmp.resolve("summary.json").toString());
        AtomicOutput.writeString(target, "v1");
        assertThrows(RuntimeException.class, () -> AtomicOutput.writeFile(target, out -> {
            out.write('x');
            throw new IllegalStateException("crash");
        }));
        assertEquals("v1", Files.readString(tmp.resolve("summary.json")));
        AtomicOutput.writeString(target, "v2");
        assertEquals("v2", Files.readString(tmp.resolve("summary.json")));
    }

    @Test
    void rewritingAnExistingDirectoryGivenAsAPlainPathReplacesIt() throws IOException {
        // A rerun of a job with the same --out: the path names an existing directory this time.
        String location = tmp.resolve("train").toString();
        AtomicOutput.writeDirectory(Fs.path(location), dir -> AtomicOutput.writeString(new Path(dir, "stats.json"), "v1"));
        Path again = Fs.path(location);
        assertEquals("train", again.getName());
        AtomicOutput.writeDirectory(again, dir -> AtomicOutput.writeString(new Path(dir, "stats.json"), "v2"));
        assertEquals("v2", Files.readString(tmp.resolve("train/stats.json")));
        try (var files = Files.list(tmp)) {
            assertEquals(1, files.count(), "the old version or a temporary left behind");
        }
    }

    @Test
    void directoriesAppearOnlyWhenComplete() throws IOException {
        Path target = Fs.path(tmp.resolve("shards").toString());
        assertThrows(IOException.class, () -> AtomicOutput.writeDirectory(target, dir -> {
            Fs.mkdirs(dir);
            AtomicOutput.writeString(new Path(dir, "part-0"), "a");
            throw new IOException("executor lost");
        }));
        assertFalse(Files.exists(tmp.resolve("shards")));
        AtomicOutput.writeDirectory(target, dir -> {
            Fs.mkdirs(dir);
            AtomicOutput.writeString(new Path(dir, "part-0"), "a");
        });
        assertEquals("a", Files.readString(tmp.resolve("shards/part-0")));
    }

    @Test
    void localFilesGetNoHiddenChecksumFiles() throws IOException {
        AtomicOutput.writeString(Fs.path(tmp.resolve("CoLA.tsv").toString()), "index\tprediction\n");
        Files.writeString(tmp.resolve("CoLA.tsv"), "edited by hand\n"); // must stay readable through Fs
        assertEquals("edited by hand\n", Fs.readString(Fs.path(tmp.resolve("CoLA.tsv").toString())));
        try (var files = Files.list(tmp)) {
            assertEquals(java.util.List.of("CoLA.tsv"), files.map(f -> f.getFileName().toString()).toList());
        }
    }

    @Test
    void staleTemporariesOfCrashedAttemptsAreRemoved() throws IOException {
        Files.writeString(tmp.resolve(AtomicOutput.TMP_PREFIX + "ckpt.123"), "partial");
        Files.writeString(tmp.resolve("keep.txt"), "done");
        assertEquals(1, AtomicOutput.cleanStale(Fs.path(tmp.toString())));
        try (var files = Files.list(tmp)) {
            assertEquals(1, files.count());
        }
    }
}
