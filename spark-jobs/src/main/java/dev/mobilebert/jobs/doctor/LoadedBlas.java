package dev.mobilebert.jobs.doctor;

import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OpenBLAS this JVM really uses: the shared library files mapped into the process (ND4J loads them through
 * JavaCPP; /proc/self/maps is the only record of which copy won), the version string compiled into that file, and the
 * kernel OpenBLAS picks for this CPU. bin/mobilebert chooses between ND4J's bundled OpenBLAS 0.3.19 and the system's
 * (docs/workarounds.md) and says which in the {@code mobilebert.blas} property; doctor compares the two.
 *
 * @param files      the libopenblas* files mapped into this process
 * @param origin     "bundled" (JavaCPP's copy from the openblas jar), "system" (any other file), "mixed" (both
 *                   mapped: which one a call reaches depends on symbol binding) or "none"
 * @param version    e.g. "OpenBLAS 0.3.21", read from the mapped file itself
 * @param configured what bin/mobilebert asked for ({@code -Dmobilebert.blas}), "" when started otherwise
 */
public record LoadedBlas(List<String> files, String origin, String version, String configured) implements Serializable {
    private static final Pattern VERSION = Pattern.compile("OpenBLAS [0-9]+\\.[0-9]+\\.[0-9]+");

    /** Inspects this process; initializes ND4J first so that its BLAS is loaded. */
    public static LoadedBlas inThisProcess() {
        Nd4j.create(1);
        List<String> files = mappedOpenBlas(Path.of("/proc/self/maps"));
        long bundled = files.stream().filter(f -> f.contains("/org/bytedeco/openblas/")).count();
        String origin = files.isEmpty() ? "none" : bundled == files.size() ? "bundled" : bundled == 0 ? "system" : "mixed";
        String version = files.isEmpty() ? "" : versionIn(Path.of(files.get(0)));
        return new LoadedBlas(files, origin, version, System.getProperty("mobilebert.blas", ""));
    }

    /** True when bin/mobilebert asked for a BLAS and a different one is loaded. */
    public boolean mismatch() {
        return !configured.isEmpty() && !configured.equals(origin);
    }

    /** Distinct libopenblas* files in a /proc/PID/maps listing (the JNI wrappers libjniopenblas* are not BLAS). */
    static List<String> mappedOpenBlas(Path maps) {
        Set<String> out = new LinkedHashSet<>();
        try {
            for (String line : Files.readAllLines(maps)) {
                int slash = line.indexOf('/');
                if (slash < 0) continue;
                String file = line.substring(slash).trim();
                String name = file.substring(file.lastIndexOf('/') + 1);
                if (name.startsWith("libopenblas") && name.contains(".so")) out.add(file);
            }
        } catch (IOException e) {
            return List.of(); // not Linux
        }
        return new ArrayList<>(out);
    }

    /** The "OpenBLAS x.y.z" string compiled into the library (its openblas_get_config text), or "" if absent. */
    static String versionIn(Path library) {
        try {
            String text = new String(Files.readAllBytes(library), StandardCharsets.ISO_8859_1);
            Matcher m = VERSION.matcher(text);
            return m.find() ? m.group() : "";
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * The kernel ("core") OpenBLAS selects on this CPU, asked of the same library file in a child process (ND4J's
     * bindings do not expose openblas_get_corename; python3's ctypes can call it). The child inherits
     * OPENBLAS_CORETYPE, so a forced kernel shows too. Empty when python3 is missing.
     */
    public String kernel() {
        if (files.isEmpty()) return "";
        String script = "import ctypes,sys\nl=ctypes.CDLL(sys.argv[1])\nl.openblas_get_corename.restype=ctypes.c_char_p\n"
                + "print(l.openblas_get_corename().decode())";
        try {
            Process p = new ProcessBuilder("python3", "-c", script, files.get(0)).redirectErrorStream(true).start();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "";
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.exitValue() == 0 && !out.isEmpty() && !out.contains("\n") ? out : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** Prints origin, version, files (one line each); the test of the BLAS selection runs this in a child JVM. */
    public static void main(String[] args) {
        LoadedBlas b = inThisProcess();
        System.out.println("origin=" + b.origin());
        System.out.println("version=" + b.version());
        System.out.println("configured=" + b.configured());
        for (String f : b.files()) System.out.println("file=" + f);
        System.exit(0);
    }
}
