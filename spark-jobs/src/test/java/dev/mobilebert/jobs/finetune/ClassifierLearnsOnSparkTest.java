package dev.mobilebert.jobs.finetune;

import dev.mobilebert.io.RunDirectory;
import dev.mobilebert.jobs.spark.RecordsKryoRegistrator;
import dev.mobilebert.jobs.spark.Sparks;
import dev.mobilebert.jobs.train.ParameterAveragingTrainer;
import dev.mobilebert.jobs.train.RddBatchSource;
import dev.mobilebert.jobs.train.TrainingSettings;
import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.finetune.FinetuneBatches;
import dev.mobilebert.model.finetune.FinetuneGraphs;
import dev.mobilebert.model.finetune.FinetuneHead;
import dev.mobilebert.model.finetune.FinetuneModels;
import dev.mobilebert.optim.OptimizerSettings;
import dev.mobilebert.tasks.features.ClassifierFeatures;
import dev.mobilebert.testing.LocalSpark;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The toy sentiment task of the model module's ClassifierLearnsFromScratchTest, trained the way FinetuneJob trains:
 * ParameterAveragingTrainer on local[2], 2 workers x 16, averaging every step, AdamW + warmup/decay + clipping.
 */
class ClassifierLearnsOnSparkTest {
    static final int T = 16, VOCAB = 60, POSITIVE = 3, NEGATIVE = 10, NEUTRAL = 17;
    @TempDir Path tmp;

    static List<ClassifierFeatures> sentences(int n, long seed) {
        Random r = new Random(seed);
        List<ClassifierFeatures> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int label = r.nextInt(2), len = 5 + r.nextInt(T - 5);
            int[] ids = new int[T], mask = new int[T], types = new int[T];
            ids[0] = 1;
            for (int j = 1; j < len - 1; j++) ids[j] = NEUTRAL + r.nextInt(VOCAB - NEUTRAL);
            ids[len - 1] = 2;
            for (int k = 0; k < 1 + r.nextInt(2); k++) ids[1 + r.nextInt(len - 2)] = (label == 1 ? POSITIVE : NEGATIVE) + r.nextInt(7);
            for (int j = 0; j < len; j++) mask[j] = 1;
            out.add(new ClassifierFeatures("s" + i, ids, mask, types, label, Double.NaN));
        }
        return out;
    }

    @Test
    void parameterAveragingTrainerLearnsTheToySentimentTask() throws Exception {
        MobileBertConfig c = MobileBertConfig.load(Path.of(System.getProperty("mobilebert.home", ".."))
                .resolve("conf/models/finetune_base_tiny.json").toString());
        c.vocabSize = VOCAB;
        int steps = Integer.getInteger("toy.steps", 80), workers = 2, perWorker = 16, freq = Integer.getInteger("toy.freq", 1);
        double lr = Double.parseDouble(System.getProperty("toy.lr", "1e-3"));
        List<ClassifierFeatures> train = sentences(steps * workers * perWorker, 1), dev = sentences(256, 2);
        List<MultiDataSet> batches = new ArrayList<>();
        for (int i = 0; i < steps * workers; i++) batches.add(FinetuneBatches.classification(train.subList(i * perWorker, (i + 1) * perWorker), false));
        SparkSession spark = SparkSession.builder().config(LocalSpark.conf("local[2]")
                .set("spark.kryo.registrator", "org.nd4j.kryo.Nd4jRegistrator," + RecordsKryoRegistrator.class.getName())).getOrCreate();
        var sc = Sparks.context(spark);
        OptimizerSettings opt = OptimizerSettings.adamW(lr, steps / 10, steps);
        TrainingSettings settings = new TrainingSettings(workers, perWorker, freq, "direct", null, "MEMORY_ONLY_SER", steps, 1, 10, 7, false, true, opt);
        var source = new RddBatchSource(sc.parallelize(batches, 8), perWorker, workers * freq, StorageLevel.MEMORY_ONLY_SER());
        var result = new ParameterAveragingTrainer(sc, settings, RunDirectory.open(tmp.resolve("run").toString()))
                .train(() -> FinetuneGraphs.conf(c, FinetuneHead.classification(2), T, opt.updater(), 3, DataType.FLOAT), source, false);
        ComputationGraph g = result.net();
        MultiDataSet d = FinetuneBatches.classification(dev, false);
        int[] p = FinetuneModels.argMax(FinetuneModels.logits(g, d.getFeatures(0), d.getFeatures(1), d.getFeaturesMaskArray(0)));
        int ok = 0;
        for (int i = 0; i < p.length; i++) if (p[i] == dev.get(i).labelId()) ok++;
        double acc = ok / (double) p.length;
        System.out.println("TOY held-out accuracy " + acc + " lr " + lr + " freq " + freq + " final loss " + result.lastLoss());
        assertTrue(acc > 0.9, "held-out accuracy " + acc);
    }
}
