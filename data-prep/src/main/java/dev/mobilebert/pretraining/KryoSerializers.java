package dev.mobilebert.pretraining;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;

/**
 * Compact Kryo serializers for the records that Spark shuffles in bulk (Kryo 4 cannot serialize records by itself,
 * and Java serialization writes class descriptors with every object): token arrays as variable-length ints.
 * Attached to the records with {@code @DefaultSerializer}, so they apply whatever registrator a job configures.
 */
public final class KryoSerializers {
    private KryoSerializers() {}

    static void writeInts(Output out, int[] a) {
        if (a == null) {
            out.writeInt(-1, true);
            return;
        }
        out.writeInt(a.length, true);
        out.writeInts(a, true);
    }

    static int[] readInts(Input in) {
        int n = in.readInt(true);
        return n < 0 ? null : in.readInts(n, true);
    }

    static void writeInstance(Output out, PretrainingInstance x) {
        writeInts(out, x.inputIds());
        writeInts(out, x.inputMask());
        writeInts(out, x.segmentIds());
        writeInts(out, x.maskedLmPositions());
        writeInts(out, x.maskedLmIds());
        out.writeInt(x.maskedLmWeights().length, true);
        out.writeFloats(x.maskedLmWeights());
        out.writeInt(x.nextSentenceLabel(), true);
        out.writeInt(x.length(), true);
    }

    static PretrainingInstance readInstance(Input in) {
        int[] ids = readInts(in), mask = readInts(in), seg = readInts(in), pos = readInts(in), lm = readInts(in);
        float[] w = in.readFloats(in.readInt(true));
        return new PretrainingInstance(ids, mask, seg, pos, lm, w, in.readInt(true), in.readInt(true));
    }

    public static final class PretrainingInstanceSerializer extends Serializer<PretrainingInstance> {
        public PretrainingInstanceSerializer() {
            setImmutable(true);
        }

        @Override
        public void write(Kryo kryo, Output out, PretrainingInstance x) {
            writeInstance(out, x);
        }

        @Override
        public PretrainingInstance read(Kryo kryo, Input in, Class<PretrainingInstance> type) {
            return readInstance(in);
        }
    }

    public static final class CreatedInstanceSerializer extends Serializer<CreatedInstance> {
        public CreatedInstanceSerializer() {
            setImmutable(true);
        }

        @Override
        public void write(Kryo kryo, Output out, CreatedInstance c) {
            out.writeLong(c.doc(), true);
            out.writeInt(c.dupe(), true);
            out.writeInt(c.index(), true);
            out.writeLong(c.order());
            writeInstance(out, c.instance());
            out.writeInt(c.maskedAsMask(), true);
            out.writeInt(c.maskedKept(), true);
            out.writeInt(c.maskedRandom(), true);
            out.writeBoolean(c.forcedRandom());
        }

        @Override
        public CreatedInstance read(Kryo kryo, Input in, Class<CreatedInstance> type) {
            long doc = in.readLong(true);
            int dupe = in.readInt(true), index = in.readInt(true);
            long order = in.readLong();
            PretrainingInstance x = readInstance(in);
            return new CreatedInstance(doc, dupe, index, order, x, in.readInt(true), in.readInt(true), in.readInt(true), in.readBoolean());
        }
    }

    public static final class InstancePlanSerializer extends Serializer<InstancePlan> {
        public InstancePlanSerializer() {
            setImmutable(true);
        }

        @Override
        public void write(Kryo kryo, Output out, InstancePlan p) {
            out.writeLong(p.doc(), true);
            out.writeInt(p.dupe(), true);
            out.writeInt(p.index(), true);
            writeInts(out, p.tokensA());
            writeInts(out, p.tokensB());
            out.writeBoolean(p.isRandomNext());
            out.writeBoolean(p.forcedRandom());
            out.writeLong(p.randomDoc());
            out.writeDouble(p.randomStart());
            out.writeInt(p.targetBLength());
        }

        @Override
        public InstancePlan read(Kryo kryo, Input in, Class<InstancePlan> type) {
            long doc = in.readLong(true);
            int dupe = in.readInt(true), index = in.readInt(true);
            int[] a = readInts(in), b = readInts(in);
            boolean random = in.readBoolean(), forced = in.readBoolean();
            return new InstancePlan(doc, dupe, index, a, b, random, forced, in.readLong(), in.readDouble(), in.readInt());
        }
    }
}
