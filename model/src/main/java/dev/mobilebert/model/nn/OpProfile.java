package dev.mobilebert.model.nn;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-operation timers for the {@link F} operations, forward and backward (off unless {@link #enable}d or the JVM runs
 * with {@code -Dmobilebert.profile=true}). Records wall time and the calling thread's CPU time per op name and call
 * count, so a profile taken on a loaded machine still shows where the work goes (CPU time) and how much of it is
 * per-call overhead (time / calls).
 */
public final class OpProfile {
    private static volatile boolean enabled = Boolean.getBoolean("mobilebert.profile");
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final Map<String, long[]> TOTALS = new ConcurrentHashMap<>();

    private OpProfile() {}

    public static void enable(boolean on) { enabled = on; }
    public static boolean enabled() { return enabled; }
    public static void reset() { TOTALS.clear(); }

    /** A started timer; {@code stop} adds to the op's totals. Cheap no-op object when disabled. */
    public static Timer start(String op) {
        return enabled ? new Timer(op, System.nanoTime(), THREADS.getCurrentThreadCpuTime()) : Timer.OFF;
    }

    /** Runs {@code r} timed under {@code op}. */
    public static void time(String op, Runnable r) {
        if (!enabled) { r.run(); return; }
        Timer t = start(op);
        r.run();
        t.stop();
    }

    public record Timer(String op, long wall0, long cpu0) {
        static final Timer OFF = new Timer(null, 0, 0);

        public void stop() {
            if (op == null) return;
            long wall = System.nanoTime() - wall0, cpu = THREADS.getCurrentThreadCpuTime() - cpu0;
            long[] acc = TOTALS.computeIfAbsent(op, k -> new long[3]);
            synchronized (acc) {
                acc[0] += wall;
                acc[1] += cpu;
                acc[2]++;
            }
        }
    }

    /** op -> {wall ns, cpu ns, calls}. */
    public static Map<String, long[]> snapshot() {
        Map<String, long[]> m = new TreeMap<>();
        TOTALS.forEach((k, v) -> { synchronized (v) { m.put(k, v.clone()); } });
        return m;
    }

    /** A table sorted by CPU time, per run ({@code runs} = how many forward/backward passes were profiled). */
    public static String table(int runs) {
        Map<String, long[]> m = snapshot();
        long totalCpu = m.values().stream().mapToLong(v -> v[1]).sum();
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "| op | calls/run | cpu ms/run | wall ms/run | cpu µs/call | share |%n|---|---|---|---|---|---|%n"));
        m.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1])).forEach(e -> {
            long[] v = e.getValue();
            sb.append(String.format(Locale.ROOT, "| %s | %.0f | %.1f | %.1f | %.0f | %.1f%% |%n", e.getKey(), v[2] / (double) runs,
                    v[1] / 1e6 / runs, v[0] / 1e6 / runs, v[1] / 1e3 / Math.max(1, v[2]), 100.0 * v[1] / Math.max(1, totalCpu)));
        });
        sb.append(String.format(Locale.ROOT, "| total | | %.1f | | | |%n", totalCpu / 1e6 / runs));
        return sb.toString();
    }
}
