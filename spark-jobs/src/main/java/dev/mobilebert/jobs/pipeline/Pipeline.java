package dev.mobilebert.jobs.pipeline;

import com.typesafe.config.Config;
import dev.mobilebert.io.CodeVersion;
import dev.mobilebert.io.RunDirectory;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs a range of the registered stages over one run directory: a complete stage (its summary.json exists) is
 * skipped, any other is run — resuming from its own partial outputs — and completed by writing its summary.
 */
public final class Pipeline {
    public enum Status { RAN, SKIPPED_COMPLETE, NOT_IMPLEMENTED }

    /** What happened to one stage in this invocation. */
    public record Outcome(String stage, Status status, double seconds, String detail) {}

    private final List<Stage> stages;

    public Pipeline(List<Stage> stages) {
        this.stages = List.copyOf(stages);
    }

    public List<Stage> stages() {
        return stages;
    }

    /** The stages from {@code from} to {@code until}, inclusive (null: the first / the last). */
    public List<Stage> select(String from, String until) {
        int a = from == null ? 0 : indexOf(from, "--from");
        int b = until == null ? stages.size() - 1 : indexOf(until, "--until");
        if (a > b) throw new IllegalArgumentException("--from " + from + " comes after --until " + until
                + " (stage order: " + String.join(" → ", Stages.names(stages)) + ")");
        return stages.subList(a, b + 1);
    }

    private int indexOf(String name, String option) {
        for (int i = 0; i < stages.size(); i++) if (stages.get(i).name().equals(name)) return i;
        throw new IllegalArgumentException(option + ": unknown stage '" + name + "' (stages: " + String.join(", ", Stages.names(stages)) + ")");
    }

    /**
     * Runs {@code selected} in order. An unimplemented stage throws (naming it) unless {@code skipUnavailable},
     * in which case it is recorded as {@link Status#NOT_IMPLEMENTED} and the next stage runs.
     */
    public List<Outcome> run(Config config, Path runRoot, List<Stage> selected, Supplier<SparkSession> spark, PrintStream out,
                             boolean skipUnavailable) throws Exception {
        List<Outcome> outcomes = new ArrayList<>();
        for (Stage stage : selected) {
            Path dir = new Path(runRoot, stage.name());
            if (!stage.implemented()) {
                if (!skipUnavailable) throw new NotImplementedStage.StageNotImplementedException((NotImplementedStage) stage);
                out.printf("[%s] not available in this build: %s%n", stage.name(), ((NotImplementedStage) stage).message());
                outcomes.add(new Outcome(stage.name(), Status.NOT_IMPLEMENTED, 0, ((NotImplementedStage) stage).landsWith()));
                continue;
            }
            RunDirectory run = RunDirectory.open(dir);
            if (run.isComplete() && !stage.alwaysRuns()) {
                out.printf("[%s] complete, skipped (%s exists)%n", stage.name(), PipelineRun.display(run.summaryFile()));
                outcomes.add(new Outcome(stage.name(), Status.SKIPPED_COMPLETE, 0, run.summaryFile().toString()));
                continue;
            }
            out.printf("[%s] %s...%n", stage.name(), stage.description());
            long t0 = System.nanoTime();
            Map<String, Object> result = stage.run(new StageContext(config, runRoot, run, spark, out));
            double seconds = (System.nanoTime() - t0) / 1e9;
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("stage", stage.name());
            summary.putAll(result);
            summary.put("seconds_this_attempt", seconds);
            summary.put("finished", Instant.now().toString());
            summary.put("code_version", CodeVersion.current());
            run.writeSummary(summary);
            out.printf("[%s] done in %.1f s%n", stage.name(), seconds);
            outcomes.add(new Outcome(stage.name(), Status.RAN, seconds, run.summaryFile().toString()));
        }
        return outcomes;
    }
}
