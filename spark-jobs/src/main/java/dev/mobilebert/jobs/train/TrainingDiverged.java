package dev.mobilebert.jobs.train;

/** The NaN/Inf guard tripped: the diverged parameters were not saved; the last good checkpoint is kept. */
public final class TrainingDiverged extends RuntimeException {
    public TrainingDiverged(String message) {
        super(message);
    }
}
