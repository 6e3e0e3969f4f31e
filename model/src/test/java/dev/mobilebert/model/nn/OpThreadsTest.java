package dev.mobilebert.model.nn;

import dev.mobilebert.model.graph.BlockGraphVertex;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Loading the model's vertex class sets libnd4j's op (master) threads to the configured count, 1 by default. */
class OpThreadsTest {
    @Test
    void loadingTheModelAppliesTheOpThreadSetting() throws Exception {
        Class.forName(BlockGraphVertex.class.getName(), true, getClass().getClassLoader());
        assertEquals(Integer.getInteger(OpThreads.PROPERTY, 1), OpThreads.configured());
        assertEquals(OpThreads.configured(), Nd4j.getEnvironment().maxMasterThreads());
    }
}
