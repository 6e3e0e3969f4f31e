package dev.mobilebert.jobs.finetune;

import dev.mobilebert.model.finetune.FinetuneBatches;
import dev.mobilebert.model.finetune.FinetuneModels;
import dev.mobilebert.tasks.SquadDataset;
import dev.mobilebert.tasks.SquadExample;
import dev.mobilebert.tasks.SquadExamples;
import dev.mobilebert.tasks.SquadPredictionWriter;
import dev.mobilebert.tasks.SquadReader;
import dev.mobilebert.tasks.eval.SquadV1Evaluator;
import dev.mobilebert.tasks.eval.SquadV2Evaluator;
import dev.mobilebert.tasks.features.SquadDecoder;
import dev.mobilebert.tasks.features.SquadFeature;
import dev.mobilebert.tasks.features.SquadFeaturizer;
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

/**
 * SQuAD v1.1 / v2.0: run_squad.py featurisation (doc stride windows), span decoding (n-best 20, max answer length
 * 30), the official evaluation; for v2.0 the null-score threshold is chosen on dev (evaluate-v2.0.py's best_f1_thresh
 * over run_squad's null odds) and used for the test predictions.
 */
final class SquadTaskData implements TaskData {
    private final boolean v2;
    private final boolean doLowerCase;
    private final int seqLength;
    private final List<SquadFeature> train;
    private final SquadDataset dev;
    private final List<SquadExample> devExamples;
    private final List<SquadFeature> devFeatures;
    private final String testFile;
    private final SquadFeaturizer featurizer;
    private final int skippedTrain;

    SquadTaskData(int version, FullTokenizer tokenizer, int maxSeqLength, int docStride, int maxQueryLength,
                  String trainFile, String devFile, String testFile, int maxTrainExamples, long seed) throws IOException {
        this.v2 = version == 2;
        this.doLowerCase = tokenizer.doLowerCase();
        this.seqLength = maxSeqLength;
        this.featurizer = new SquadFeaturizer(tokenizer, maxSeqLength, docStride, maxQueryLength);
        SquadExamples.Result tr = SquadExamples.read(SquadReader.read(trainFile), true, v2);
        this.skippedTrain = tr.skippedIds().size();
        List<SquadExample> examples = new ArrayList<>(tr.examples());
        if (maxTrainExamples > 0 && maxTrainExamples < examples.size()) {
            Collections.shuffle(examples, new Random(seed));
            examples = examples.subList(0, maxTrainExamples);
        }
        this.train = featurizer.convert(examples, true);
        this.dev = SquadReader.read(devFile);
        this.devExamples = SquadExamples.read(dev, false, v2).examples();
        this.devFeatures = featurizer.convert(devExamples, false);
        this.testFile = testFile;
    }

    /** Training features (windows), which is what a batch holds. */
    @Override public int trainSize() { return train.size(); }

    int skippedTrainQuestions() { return skippedTrain; }

    @Override
    public List<MultiDataSet> trainBatches(int batchSize, int count, long seed) {
        List<SquadFeature> order = new ArrayList<>(train);
        Collections.shuffle(order, new Random(seed));
        List<MultiDataSet> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) out.add(FinetuneBatches.span(order.subList(i * batchSize, (i + 1) * batchSize)));
        return out;
    }

    private List<SquadDecoder.RawResult> results(ComputationGraph net, List<SquadFeature> features) {
        List<SquadDecoder.RawResult> out = new ArrayList<>(features.size());
        for (int i = 0; i < features.size(); i += EVAL_BATCH) {
            List<SquadFeature> part = features.subList(i, Math.min(features.size(), i + EVAL_BATCH));
            MultiDataSet d = FinetuneBatches.span(part);
            INDArray l = FinetuneModels.logits(net, d.getFeatures(0), d.getFeatures(1), d.getFeaturesMaskArray(0));
            for (int r = 0; r < part.size(); r++) {
                float[] row = l.getRow(r).dup().toFloatVector();
                float[] start = java.util.Arrays.copyOfRange(row, 0, seqLength), end = java.util.Arrays.copyOfRange(row, seqLength, 2 * seqLength);
                out.add(new SquadDecoder.RawResult(part.get(r).uniqueId(), start, end));
            }
        }
        return out;
    }

    @Override
    public Map<String, Object> evaluate(ComputationGraph net, Path predictionsDir) throws IOException {
        // v2.0: decode with threshold 0 to get run_squad's null odds, then let the official search pick the threshold
        SquadDecoder.Output o = new SquadDecoder(doLowerCase, v2, 0.0).decode(devExamples, devFeatures, results(net, devFeatures));
        SquadPredictionWriter.writeAll(predictionsDir, o);
        Map<String, Object> m = new LinkedHashMap<>(v2
                ? SquadV2Evaluator.evaluate(dev, o.predictions(), o.nullOdds(), 1.0).metrics()
                : SquadV1Evaluator.evaluate(dev, o.predictions()).metrics());
        m.put("dev_features", devFeatures.size());
        return m;
    }

    @Override
    public boolean predictTest(ComputationGraph net, Path dir, Map<String, Object> devMetrics) throws IOException {
        if (testFile == null) return false;
        List<SquadExample> examples = SquadExamples.read(SquadReader.read(testFile), false, v2).examples();
        List<SquadFeature> features = featurizer.convert(examples, false);
        double threshold = v2 && devMetrics.get("best_f1_thresh") instanceof Number n ? n.doubleValue() : 0.0;
        SquadPredictionWriter.writeAll(dir, new SquadDecoder(doLowerCase, v2, threshold).decode(examples, features, results(net, features)));
        return true;
    }
}
