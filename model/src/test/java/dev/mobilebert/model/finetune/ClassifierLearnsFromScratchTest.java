package dev.mobilebert.model.finetune;

import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.optim.OptimizerSettings;
import dev.mobilebert.tasks.features.ClassifierFeatures;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The classification path as the fine-tuning job trains it — the real starting config's widths and N(0, 0.02)
 * initialisation (conf/models/finetune_base_tiny.json, only the vocabulary shrunk), BERT's AdamW with warmup and
 * decay set through {@link OptimizerSettings#applyTo}, [CLS] → pooler → classifier — learns a bag-of-words
 * sentiment task from random initialisation and predicts unseen sentences. SST-2 is largely this task; a pooler
 * that ignores its input, a head reset, labels mixed up or an optimizer that does not reach the encoder fail it.
 * Slow (157 s at load 10; 80 driver-side steps): the default suite has the same task through the Spark trainer
 * ({@code ClassifierLearnsOnSparkTest}, 72 s).
 */
@Tag("slow")
class ClassifierLearnsFromScratchTest {
    static final int T = 16, VOCAB = 60, POSITIVE = 3, NEGATIVE = 10, NEUTRAL = 17;

    /** [CLS] neutral words with one or two words of the label's sentiment [SEP]; label 1 = positive. */
    static List<ClassifierFeatures> sentences(int n, long seed) {
        Random r = new Random(seed);
        List<ClassifierFeatures> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int label = r.nextInt(2), len = 5 + r.nextInt(T - 5);
            int[] ids = new int[T], mask = new int[T], types = new int[T];
            ids[0] = 1;
            for (int j = 1; j < len - 1; j++) ids[j] = NEUTRAL + r.nextInt(VOCAB - NEUTRAL);
            ids[len - 1] = 2;
            for (int k = 0; k < 1 + r.nextInt(2); k++) {
                ids[1 + r.nextInt(len - 2)] = (label == 1 ? POSITIVE : NEGATIVE) + r.nextInt(7);
            }
            for (int j = 0; j < len; j++) mask[j] = 1;
            out.add(new ClassifierFeatures("s" + i, ids, mask, types, label, Double.NaN));
        }
        return out;
    }

    @Test
    void learnsBagOfWordsSentimentFromRandomInitialisationAtTheStartingConfigsWidths() {
        MobileBertConfig c = MobileBertConfig.load(Path.of(System.getProperty("mobilebert.home", ".."))
                .resolve("conf/models/finetune_base_tiny.json").toString());
        c.vocabSize = VOCAB;
        int steps = 80, batch = 32;
        List<ClassifierFeatures> train = sentences(steps * batch, 1), dev = sentences(256, 2);
        OptimizerSettings opt = OptimizerSettings.adamW(1e-3, steps / 10, steps);
        var conf = FinetuneGraphs.conf(c, FinetuneHead.classification(2), T, opt.updater(), 3, DataType.FLOAT);
        opt.applyTo(conf);
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        double before = accuracy(g, dev);
        for (int s = 0; s < steps; s++) g.fit(FinetuneBatches.classification(train.subList(s * batch, (s + 1) * batch), false));
        double after = accuracy(g, dev);
        assertTrue(after > 0.9, "held-out accuracy " + after + " after " + steps + " steps (before: " + before + ")");
    }

    static double accuracy(ComputationGraph g, List<ClassifierFeatures> dev) {
        MultiDataSet d = FinetuneBatches.classification(dev, false);
        int[] p = FinetuneModels.argMax(FinetuneModels.logits(g, d.getFeatures(0), d.getFeatures(1), d.getFeaturesMaskArray(0)));
        int ok = 0;
        for (int i = 0; i < p.length; i++) if (p[i] == dev.get(i).labelId()) ok++;
        return ok / (double) p.length;
    }
}
