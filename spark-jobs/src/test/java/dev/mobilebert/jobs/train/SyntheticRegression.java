package dev.mobilebert.jobs.train;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;

/**
 * A stand-in for the pretraining data: y = x . w* + noise, batches built on the executors from their index, in a
 * seeded order per epoch; batch i is built from seed {@code firstIndex + i} (a disjoint held-out set uses another
 * range). {@code poisonFromEpoch} fills the features of every batch from that epoch on with NaN.
 */
record SyntheticRegression(long batchesPerEpoch, int batchSize, int poisonFromEpoch, long firstIndex) implements BatchSource {
    static final int N_IN = 4;

    static ComputationGraphConfiguration graph() {
        return new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT).updater(new Sgd(0.1)).graphBuilder()
                .addInputs("x")
                .addLayer("hidden", new DenseLayer.Builder().nIn(N_IN).nOut(16).activation(Activation.TANH).build(), "x")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(16).nOut(1)
                        .activation(Activation.IDENTITY).build(), "hidden")
                .setOutputs("out").build();
    }

    @Override
    public JavaRDD<MultiDataSet> batches(JavaSparkContext sc, int epoch, long from, long count, long seed) {
        List<Long> positions = LongStream.range(from, from + count).boxed().toList();
        long n = batchesPerEpoch;
        int size = batchSize;
        int poison = poisonFromEpoch;
        long first = firstIndex;
        return sc.parallelize(positions, (int) Math.min(count, 4)).map(pos -> {
            List<Long> order = new ArrayList<>(LongStream.range(0, n).boxed().toList());
            Collections.shuffle(order, new Random(seed * 1_000_003L + epoch));
            return batch(first + order.get(pos.intValue()), size, epoch >= poison);
        });
    }

    static MultiDataSet batch(long index, int size, boolean poisoned) {
        Random r = new Random(index * 7919L + 1);
        float[][] x = new float[size][N_IN];
        float[][] y = new float[size][1];
        float[] w = {0.5f, -1.0f, 0.25f, 2.0f};
        for (int i = 0; i < size; i++) {
            float acc = 0;
            for (int j = 0; j < N_IN; j++) {
                x[i][j] = poisoned ? Float.NaN : (float) r.nextGaussian();
                acc += x[i][j] * w[j];
            }
            y[i][0] = acc + 0.01f * (float) r.nextGaussian();
        }
        INDArray fx = Nd4j.create(x);
        INDArray fy = Nd4j.create(y);
        return new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{fx}, new INDArray[]{fy});
    }
}
