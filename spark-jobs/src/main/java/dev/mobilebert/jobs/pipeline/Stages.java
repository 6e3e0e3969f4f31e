package dev.mobilebert.jobs.pipeline;

import java.util.List;

/**
 * The registry: every stage of the pipeline, in order. A stage that lands replaces its {@link NotImplementedStage}
 * here by its own class (one line), nothing else changes.
 */
public final class Stages {
    private Stages() {}

    public static List<Stage> all() {
        return List.of(
                new PrepareStage(),
                new TeacherStage(),
                new TransferStage(),
                new DistillStage(),
                new FinetuneStage(),
                new BenchStage(),
                new ReportStage());
    }

    public static List<String> names(List<Stage> stages) {
        return stages.stream().map(Stage::name).toList();
    }
}
