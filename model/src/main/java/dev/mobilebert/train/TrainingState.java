package dev.mobilebert.train;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where a training run stands, saved beside the model in every checkpoint: the optimizer step (DL4J's iteration
 * count, which also drives the learning-rate schedule), the data position and the seed from which every random
 * choice of the run is derived (data order per epoch, Spark splits per chunk, worker RNG per step).
 *
 * @param step          optimizer updates done (= next update's iteration number)
 * @param epoch         epoch the next batch comes from
 * @param batchInEpoch  batches of that epoch already consumed (in the epoch's seeded order)
 * @param batchesSeen   batches consumed since the start of the run (all workers)
 * @param seed          run seed
 */
public record TrainingState(
        @JsonProperty("step") int step,
        @JsonProperty("epoch") int epoch,
        @JsonProperty("batch_in_epoch") long batchInEpoch,
        @JsonProperty("batches_seen") long batchesSeen,
        @JsonProperty("seed") long seed) {

    public static TrainingState start(long seed) {
        return new TrainingState(0, 0, 0, 0, seed);
    }

    /**
     * The state after {@code steps} more updates that consumed {@code batches} batches, in an epoch of
     * {@code batchesPerEpoch} batches (wrapping into the next epochs as needed).
     */
    public TrainingState advance(int steps, long batches, long batchesPerEpoch) {
        if (batchesPerEpoch <= 0) throw new IllegalArgumentException("an epoch must have batches, got " + batchesPerEpoch);
        long pos = batchInEpoch + batches;
        int e = epoch + (int) (pos / batchesPerEpoch);
        return new TrainingState(step + steps, e, pos % batchesPerEpoch, batchesSeen + batches, seed);
    }
}
