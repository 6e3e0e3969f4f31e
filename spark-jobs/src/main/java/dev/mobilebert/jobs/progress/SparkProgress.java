package dev.mobilebert.jobs.progress;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;

import java.util.HashMap;
import java.util.Map;

/**
 * Shows Spark jobs that run longer than a few seconds as a {@link Progress} line (tasks done / total, ETA), in
 * place of Spark's own console progress bar. Registered on the driver by {@code Sparks.session}.
 */
public final class SparkProgress extends SparkListener {
    private static final long SHOW_AFTER_MS = 3000;
    /** While positive, no new lines are started: a trainer is drawing its own step/loss/ETA line. */
    private static final java.util.concurrent.atomic.AtomicInteger SUSPENDED = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * Suspends the per-job lines until closed, so that a training loop's own line (step, loss, ETA) is the only one
     * on the console instead of being interleaved with a line per averaging round.
     */
    public static AutoCloseable suspend() {
        SUSPENDED.incrementAndGet();
        return SUSPENDED::decrementAndGet;
    }

    private final Map<Integer, Job> jobs = new HashMap<>();
    private final Map<Integer, Integer> stageToJob = new HashMap<>();

    private static final class Job {
        final String name;
        final long total;
        final long startMs = System.currentTimeMillis();
        long done;
        Progress line;

        Job(String name, long total) {
            this.name = name;
            this.total = total;
        }
    }

    @Override
    public synchronized void onJobStart(SparkListenerJobStart start) {
        long tasks = 0;
        String name = "spark job " + start.jobId();
        scala.collection.Iterator<StageInfo> it = start.stageInfos().iterator();
        while (it.hasNext()) {
            StageInfo s = it.next();
            tasks += s.numTasks();
            stageToJob.put(s.stageId(), start.jobId());
            name = s.name().split(" at ")[0];
        }
        jobs.put(start.jobId(), new Job(name, tasks));
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
        Integer jobId = stageToJob.get(end.stageId());
        Job job = jobId == null ? null : jobs.get(jobId);
        if (job == null) return;
        job.done++;
        if (job.line == null && SUSPENDED.get() == 0 && System.currentTimeMillis() - job.startMs > SHOW_AFTER_MS) {
            job.line = Progress.start(job.name, job.total, "tasks");
        }
        if (job.line != null) job.line.stepTo(job.done);
    }

    @Override
    public synchronized void onJobEnd(SparkListenerJobEnd end) {
        Job job = jobs.remove(end.jobId());
        stageToJob.values().removeIf(id -> id == end.jobId());
        if (job != null && job.line != null) job.line.close();
    }
}
