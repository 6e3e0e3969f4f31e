package dev.mobilebert.pretraining;

import com.esotericsoftware.kryo.DefaultSerializer;

import java.io.Serializable;

/**
 * A finished instance with where it came from and how it was masked (for the statistics; the shards hold only
 * BERT's features). {@code order} is its place in the deterministic shuffle of the output.
 */
@DefaultSerializer(KryoSerializers.CreatedInstanceSerializer.class) // Kryo 4 cannot serialize records
public record CreatedInstance(
        long doc,
        int dupe,
        int index,
        long order,
        PretrainingInstance instance,
        int maskedAsMask,
        int maskedKept,
        int maskedRandom,
        boolean forcedRandom) implements Serializable, Comparable<CreatedInstance> {

    /** Total order of the output: the shuffle key, ties (practically never) broken by provenance. */
    @Override
    public int compareTo(CreatedInstance o) {
        int c = Long.compare(order, o.order);
        if (c != 0) return c;
        c = Long.compare(doc, o.doc);
        if (c != 0) return c;
        c = Integer.compare(dupe, o.dupe);
        return c != 0 ? c : Integer.compare(index, o.index);
    }

    /** The output shard of this instance: independent of how the job was partitioned. */
    public int shard(int shards) {
        return (int) Long.remainderUnsigned(Rng.mix(order, 0x5A), shards);
    }
}
