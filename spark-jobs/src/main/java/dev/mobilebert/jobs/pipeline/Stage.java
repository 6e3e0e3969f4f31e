package dev.mobilebert.jobs.pipeline;

import java.util.Map;

/**
 * One step of the pipeline. A stage writes only under its own run directory {@code RUN/<name>/}; the runner writes
 * that directory's {@code summary.json} from what {@link #run} returns, so a stage is complete exactly when its
 * summary exists. A stage must resume from whatever partial, atomically written output an earlier attempt left.
 */
public interface Stage {
    /** The name used by --from/--until and as the sub-directory. */
    String name();

    /** One line for the summary and the report. */
    String description();

    /** False for a stage whose implementation has not landed in this build: the runner refuses to pretend. */
    default boolean implemented() {
        return true;
    }

    /** True for stages that are cheap and reflect the state of the whole run (the report): rerun every time. */
    default boolean alwaysRuns() {
        return false;
    }

    /** Does (or resumes) the stage's work; returns what goes into its summary.json. */
    Map<String, Object> run(StageContext context) throws Exception;
}
