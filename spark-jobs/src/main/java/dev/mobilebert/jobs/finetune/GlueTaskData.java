package dev.mobilebert.jobs.finetune;

import dev.mobilebert.io.Fs;
import dev.mobilebert.model.finetune.FinetuneBatches;
import dev.mobilebert.model.finetune.FinetuneModels;
import dev.mobilebert.tasks.GlueDataset;
import dev.mobilebert.tasks.GlueReader;
import dev.mobilebert.tasks.GlueSubmission;
import dev.mobilebert.tasks.GlueTask;
import dev.mobilebert.tasks.Split;
import dev.mobilebert.tasks.eval.GlueEvaluator;
import dev.mobilebert.tasks.features.ClassifierFeatures;
import dev.mobilebert.tasks.features.ClassifierFeaturizer;
import dev.mobilebert.tokenization.FullTokenizer;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** GLUE: run_classifier.py featurisation, GLUE metrics, submission files. */
final class GlueTaskData implements TaskData {
    private final GlueTask task;
    private final List<ClassifierFeatures> train;
    private final GlueDataset dev;
    private final List<ClassifierFeatures> devFeatures;
    private final GlueDataset test;
    private final ClassifierFeaturizer featurizer;

    GlueTaskData(GlueTask task, FullTokenizer tokenizer, int maxSeqLength, String trainFile, String devFile, String testFile,
                 int maxTrainExamples, long seed) throws IOException {
        this.task = task;
        this.featurizer = new ClassifierFeaturizer(tokenizer, task, maxSeqLength);
        List<dev.mobilebert.tasks.GlueExample> examples = new ArrayList<>(GlueReader.read(task, Split.TRAIN, Fs.path(trainFile)).examples());
        if (maxTrainExamples > 0 && maxTrainExamples < examples.size()) {
            // a seeded random subset (train files can be ordered), the same for every learning rate
            Collections.shuffle(examples, new Random(seed));
            examples = examples.subList(0, maxTrainExamples);
        }
        this.train = examples.stream().map(featurizer::convert).toList();
        this.dev = GlueReader.read(task, Split.DEV, Fs.path(devFile));
        this.devFeatures = dev.examples().stream().map(featurizer::convert).toList();
        this.test = testFile != null && Fs.exists(Fs.path(testFile)) ? GlueReader.read(task, Split.TEST, Fs.path(testFile)) : null;
    }

    @Override public int trainSize() { return train.size(); }

    @Override
    public List<MultiDataSet> trainBatches(int batchSize, int count, long seed) {
        List<ClassifierFeatures> order = new ArrayList<>(train);
        Collections.shuffle(order, new Random(seed));
        List<MultiDataSet> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(FinetuneBatches.classification(order.subList(i * batchSize, (i + 1) * batchSize), task.isRegression()));
        }
        return out;
    }

    /** Logits of every feature, in order. */
    private List<INDArray> logits(ComputationGraph net, List<ClassifierFeatures> features) {
        List<INDArray> rows = new ArrayList<>();
        for (int i = 0; i < features.size(); i += EVAL_BATCH) {
            MultiDataSet d = FinetuneBatches.classification(features.subList(i, Math.min(features.size(), i + EVAL_BATCH)), task.isRegression());
            INDArray l = FinetuneModels.logits(net, d.getFeatures(0), d.getFeatures(1), d.getFeaturesMaskArray(0));
            for (int r = 0; r < l.size(0); r++) rows.add(l.getRow(r).dup());
        }
        return rows;
    }

    private List<GlueSubmission.Prediction> predictions(ComputationGraph net, GlueDataset data, List<ClassifierFeatures> features) {
        List<INDArray> l = logits(net, features);
        List<GlueSubmission.Prediction> out = new ArrayList<>(l.size());
        for (int i = 0; i < l.size(); i++) {
            String index = data.examples().get(i).index();
            out.add(task.isRegression() ? GlueSubmission.Prediction.ofScore(index, l.get(i).getDouble(0))
                    : GlueSubmission.Prediction.ofLabelId(task, index, l.get(i).argMax().getInt(0)));
        }
        return out;
    }

    @Override
    public Map<String, Object> evaluate(ComputationGraph net, Path predictionsDir) throws IOException {
        List<GlueSubmission.Prediction> p = predictions(net, dev, devFeatures);
        Path file = GlueSubmission.write(predictionsDir, task, p);
        Map<String, String> byIndex = new LinkedHashMap<>();
        for (GlueSubmission.Prediction x : p) byIndex.put(x.index(), x.label());
        Map<String, Object> m = new LinkedHashMap<>(GlueEvaluator.evaluate(dev, byIndex, file.toString()).metrics());
        m.putAll(baseline());
        return m;
    }

    /**
     * The bar to clear: accuracy (and F1) of always predicting the dev set's most frequent label; for STS-B a
     * constant prediction has no correlation (0).
     */
    private Map<String, Object> baseline() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (task.isRegression()) {
            m.put("constant_baseline_pearson", 0.0);
            return m;
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (var e : dev.examples()) counts.merge(e.label(), 1, Integer::sum);
        var top = counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow();
        m.put("majority_label", top.getKey());
        m.put("majority_baseline_accuracy", top.getValue() / (double) dev.size());
        return m;
    }

    @Override
    public boolean predictTest(ComputationGraph net, Path dir, Map<String, Object> devMetrics) throws IOException {
        if (test == null) return false;
        List<ClassifierFeatures> features = test.examples().stream().map(featurizer::convert).toList();
        GlueSubmission.write(dir, task, predictions(net, test, features));
        return true;
    }
}
