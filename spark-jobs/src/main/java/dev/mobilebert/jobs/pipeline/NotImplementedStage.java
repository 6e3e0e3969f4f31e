package dev.mobilebert.jobs.pipeline;

import java.util.Map;

/** A placeholder for a stage whose implementation lands with another issue: it fails clearly instead of pretending. */
public record NotImplementedStage(String name, String description, String landsWith) implements Stage {
    @Override
    public boolean implemented() {
        return false;
    }

    @Override
    public Map<String, Object> run(StageContext context) {
        throw new StageNotImplementedException(this);
    }

    public String message() {
        return "stage '" + name + "' is not implemented yet in this build (" + landsWith + ")";
    }

    /** Thrown when a selected stage has no implementation. */
    public static final class StageNotImplementedException extends RuntimeException {
        public StageNotImplementedException(NotImplementedStage stage) {
            super(stage.message());
        }
    }
}
