package dev.mobilebert.pretraining;

import com.esotericsoftware.kryo.DefaultSerializer;

import java.io.Serializable;

/**
 * An instance after the chunking step of create_instances_from_document, before truncation and masking.
 * Either {@code tokensB} is the actual continuation, or the instance is random-next and B must still be fetched:
 * {@code randomSentences} sentences from document {@code randomDoc}, starting at sentence
 * floor(randomStart × its sentence count) (that is the reference's randint(0, len(random_document) - 1)),
 * until {@code targetBLength} tokens are reached.
 * {@code forcedRandom}: the chunk had a single segment, so B had to be random (the reference does the same).
 */
@DefaultSerializer(KryoSerializers.InstancePlanSerializer.class) // Kryo 4 cannot serialize records
public record InstancePlan(
        long doc,
        int dupe,
        int index,
        int[] tokensA,
        int[] tokensB,
        boolean isRandomNext,
        boolean forcedRandom,
        long randomDoc,
        double randomStart,
        int targetBLength) implements Serializable {

    public boolean needsFetch() {
        return isRandomNext;
    }

    /** The order key of the final shuffled output (the reference's rng.shuffle(instances)). */
    public long orderKey(long seed) {
        return Rng.mix(seed, 0x0D, doc, dupe, index);
    }
}
