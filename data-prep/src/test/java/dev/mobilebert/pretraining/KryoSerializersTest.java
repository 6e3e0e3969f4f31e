package dev.mobilebert.pretraining;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The records Spark shuffles survive Kryo (as Spark uses it: class and object) unchanged. */
class KryoSerializersTest {
    static Object roundTrip(Object o) {
        Kryo kryo = new Kryo();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Output out = new Output(bytes)) {
            kryo.writeClassAndObject(out, o);
        }
        try (Input in = new Input(bytes.toByteArray())) {
            return kryo.readClassAndObject(in);
        }
    }

    @Test
    void plansAndInstancesRoundTrip() {
        List<int[][]> docs = InstanceCreatorTest.corpus(new int[]{30, 20, 25}, 6);
        InstanceCreator creator = new InstanceCreator(PretrainingConfig.defaults().withDupeFactor(1), InstanceCreatorTest.ids());
        List<InstancePlan> plans = creator.plan(0, 0, docs.get(0), docs.size());
        assertTrue(plans.stream().anyMatch(InstancePlan::needsFetch) && plans.stream().anyMatch(p -> !p.needsFetch()));
        for (InstancePlan p : plans) {
            InstancePlan q = (InstancePlan) roundTrip(p);
            assertArrayEquals(p.tokensA(), q.tokensA());
            assertArrayEquals(p.tokensB(), q.tokensB());
            assertEquals(List.of(p.doc(), p.dupe(), p.index(), p.isRandomNext(), p.forcedRandom(), p.randomDoc(), p.randomStart(), p.targetBLength()),
                    List.of(q.doc(), q.dupe(), q.index(), q.isRandomNext(), q.forcedRandom(), q.randomDoc(), q.randomStart(), q.targetBLength()));
        }
        for (CreatedInstance c : LocalPretrainingData.create(docs, creator)) {
            CreatedInstance d = (CreatedInstance) roundTrip(c);
            assertEquals(c.instance(), d.instance());
            assertEquals(c, new CreatedInstance(d.doc(), d.dupe(), d.index(), d.order(), c.instance(), d.maskedAsMask(),
                    d.maskedKept(), d.maskedRandom(), d.forcedRandom()));
            assertEquals(c.instance(), roundTrip(c.instance()));
        }
    }
}
