package dev.mobilebert.jobs.progress;

import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One live line with count, rate and ETA for long work on the driver. On a terminal it redraws in place
 * (stderr); in logs and CI it becomes an INFO line every 30 seconds, so logs stay readable.
 * Disabled entirely with {@code -Dmobilebert.progress=false}.
 */
public final class Progress implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Progress.class);
    private final ProgressBar bar;

    private Progress(ProgressBar bar) {
        this.bar = bar;
    }

    public static Progress start(String task, long total, String unit) {
        if (!enabled()) return new Progress(null);
        ProgressBarBuilder b = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setUnit(" " + unit, 1)
                .showSpeed()
                .setStyle(ProgressBarStyle.ASCII)
                .setMaxRenderedLength(110);
        if (System.console() != null) {
            b.setUpdateIntervalMillis(500);
        } else {
            b.setUpdateIntervalMillis(30_000).setConsumer(new DelegatingProgressBarConsumer(LOG::info));
        }
        return new Progress(b.build());
    }

    public static boolean enabled() {
        return Boolean.parseBoolean(System.getProperty("mobilebert.progress", "true"));
    }

    public void stepTo(long current) {
        if (bar != null) bar.stepTo(current);
    }

    public void stepBy(long n) {
        if (bar != null) bar.stepBy(n);
    }

    public void maxHint(long total) {
        if (bar != null) bar.maxHint(total);
    }

    /** A short status shown after the bar, e.g. {@code loss 3.21}. */
    public void status(String extra) {
        if (bar != null) bar.setExtraMessage(" " + extra);
    }

    @Override
    public void close() {
        if (bar != null) bar.close();
    }
}
