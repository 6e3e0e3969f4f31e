package dev.mobilebert.model.peers;

import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.TinyConfigs;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/** A 4-layer tiny teacher and pretraining-contract batches with padding. */
final class PeerFixtures {
    private PeerFixtures() {}

    static MobileBertConfig teacher() {
        MobileBertConfig c = TinyConfigs.mobileBert();
        c.numHiddenLayers = 4;
        return c;
    }

    /** 3 sequences of 6 tokens, 2 masked positions each; sequence 2 has 2 padded tokens and 1 padded prediction slot. */
    static MultiDataSet batch(MobileBertConfig c, long seed) {
        int b = 3, t = 6;
        var rng = new java.util.Random(seed);
        DataType type = DataType.FLOAT;
        INDArray ids = Nd4j.create(type, b, t), types = Nd4j.create(type, b, t), mask = Nd4j.ones(type, b, t);
        for (int i = 0; i < b; i++) for (int j = 0; j < t; j++) {
            ids.putScalar(i, j, 1 + rng.nextInt(c.vocabSize - 1));
            types.putScalar(i, j, j >= t / 2 ? 1 : 0);
        }
        for (int j = 4; j < t; j++) { mask.putScalar(2, j, 0); ids.putScalar(2, j, 0); }
        INDArray pos = Nd4j.create(new double[][]{{1, 3}, {0, 5}, {2, 0}}).castTo(type);
        INDArray lmIds = Nd4j.create(new double[][]{{4, 7}, {1, 2}, {9, 0}}).castTo(type);
        INDArray lmW = Nd4j.create(new double[][]{{1, 1}, {1, 1}, {1, 0}}).castTo(type);
        INDArray nsp = Nd4j.create(new double[][]{{0}, {1}, {1}}).castTo(type);
        return new MultiDataSet(new INDArray[]{ids, types, pos}, new INDArray[]{lmIds, nsp},
                new INDArray[]{mask, mask, lmW}, new INDArray[]{lmW, null});
    }
}
