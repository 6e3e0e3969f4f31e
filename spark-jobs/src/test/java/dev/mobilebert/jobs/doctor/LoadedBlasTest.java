package dev.mobilebert.jobs.doctor;

import dev.mobilebert.testing.JvmProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The BLAS selection of bin/mobilebert (docs/workarounds.md): the JavaCPP flags it passes make ND4J load the system
 * OpenBLAS, without them the bundled one loads, and LoadedBlas tells which from the process's own memory map.
 * Each case runs in a child JVM because a JVM loads its BLAS once.
 */
class LoadedBlasTest {
    static final Path SYSTEM_DIR = Path.of(System.getenv().getOrDefault("MOBILEBERT_SYSTEM_BLAS_DIR",
            "/usr/lib/x86_64-linux-gnu/openblas-pthread"));

    @TempDir
    Path tmp;

    @Test
    void theSystemFlagsLoadTheSystemOpenBlas() throws Exception {
        Path lib = SYSTEM_DIR.resolve("libopenblas.so.0");
        assumeTrue(Files.exists(lib), "no system OpenBLAS at " + lib + " (apt-get install libopenblas0-pthread)");
        String out = child(List.of("-Djava.library.path=" + SYSTEM_DIR, "-Dorg.bytedeco.javacpp.pathsFirst=true",
                "-Dmobilebert.blas=system"));
        assertTrue(out.contains("origin=system"), out);
        assertTrue(out.contains("configured=system"), out);
        // the version string of the loaded copy is the system file's own, not the bundled 0.3.19
        String expected = LoadedBlas.versionIn(lib.toRealPath());
        assertFalse(expected.isEmpty(), "no version string in " + lib);
        assertTrue(out.contains("version=" + expected + "\n"), out);
        assertFalse(out.contains("/org/bytedeco/openblas/"), "the bundled OpenBLAS is mapped too:\n" + out);
    }

    @Test
    void withoutThemTheBundledOpenBlasLoads() throws Exception {
        String out = child(List.of("-Dmobilebert.blas=bundled"));
        assertTrue(out.contains("origin=bundled"), out);
        assertTrue(out.matches("(?s).*version=OpenBLAS [0-9.]+\n.*"), out);
    }

    @Test
    void mappedOpenBlasReadsOnlyTheBlasLibrariesOfAMapsListing() throws Exception {
        Path maps = tmp.resolve("maps");
        Files.writeString(maps, String.join("\n",
                "7f00-7f01 r-xp 00000000 08:01 1 /cache/openblas-pthread/libopenblas.so.0",
                "7f01-7f02 r--p 00000000 08:01 1 /cache/openblas-pthread/libopenblas.so.0",
                "7f02-7f03 r-xp 00000000 08:01 2 /cache/x.jar/org/bytedeco/openblas/linux-x86_64/libjniopenblas.so",
                "7f03-7f04 rw-p 00000000 00:00 0 ",
                "7f04-7f05 r-xp 00000000 08:01 3 /usr/lib/libopenblasp-r0.3.21.so"));
        assertEquals(List.of("/cache/openblas-pthread/libopenblas.so.0", "/usr/lib/libopenblasp-r0.3.21.so"),
                LoadedBlas.mappedOpenBlas(maps));
    }

    private String child(List<String> flags) throws Exception {
        Path log = tmp.resolve("child-" + System.nanoTime() + ".log");
        List<String> jvm = new ArrayList<>(flags);
        jvm.add("-Xmx512m");
        Process p = JvmProcess.start(String.join(File.pathSeparator, JvmProcess.currentClasspath()), jvm,
                LoadedBlas.class.getName(), List.of(), Map.of(), log);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish");
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
