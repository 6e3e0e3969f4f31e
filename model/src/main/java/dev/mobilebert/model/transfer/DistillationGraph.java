package dev.mobilebert.model.transfer;

import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * Pre-training distillation as a plain DL4J graph, so that {@code fit()} — and therefore the Spark parameter-averaging
 * trainer — can run it: the pretraining graph with the MLM loss replaced by {@link SoftTargetCrossEntropy}, trained on
 * batches whose {@code masked_lm_ids} label is replaced by the mixture target distribution of
 * {@link PretrainingDistillation} ({@link #withTeacherTargets}); NSP keeps the true labels. The parameter layout is
 * the pretraining graph's, so the student's parameters move between the two unchanged.
 */
public final class DistillationGraph {
    private DistillationGraph() {}

    public static ComputationGraphConfiguration conf(MobileBertConfig student, IUpdater updater, long seed, DataType type) {
        ComputationGraphConfiguration conf = MobileBertModel.pretrainingConf(student, updater, seed, type);
        LayerVertex mlmLoss = (LayerVertex) conf.getVertices().get(MobileBertModel.MLM_LOSS);
        ((LossLayer) mlmLoss.getLayerConf().getLayer()).setLossFn(new SoftTargetCrossEntropy());
        return conf;
    }

    /**
     * The batch with labels[0] = α·softmax(teacher MLM logits / T) + (1−α)·one_hot(masked_lm_ids), [B, P·V]; padded
     * prediction slots (weight 0) get an all-zero row. Computed from the teacher batch by batch.
     */
    public static MultiDataSet withTeacherTargets(MobileBertModel teacher, org.nd4j.linalg.dataset.api.MultiDataSet batch,
                                                  PretrainingDistillation.Settings settings) {
        INDArray positions = batch.getFeatures(2), ids = batch.getLabels(0), weights = batch.getLabelsMaskArray(0);
        int b = (int) positions.size(0), p = (int) positions.size(1);
        var out = teacher.forwardWithIntermediates(batch.getFeatures(0), batch.getFeatures(1), batch.getFeaturesMaskArray(0));
        INDArray logits = out.get("mlm_logits"); // [B, T, V]
        int v = (int) logits.size(2);
        DataType type = batch.getFeatures(0).dataType();
        INDArray targets = Nd4j.zeros(type, b, (long) p * v);
        for (int i = 0; i < b; i++) for (int j = 0; j < p; j++) {
            if (weights.getDouble(i, j) == 0) continue;
            INDArray z = logits.get(NDArrayIndex.point(i), NDArrayIndex.point(positions.getInt(i, j)), NDArrayIndex.all())
                    .reshape(1, v).castTo(type).div(settings.temperature());
            INDArray row = org.nd4j.linalg.ops.transforms.Transforms.exp(TransferMath.logSoftmax(z), false).muli(settings.alpha());
            row.putScalar(0, ids.getInt(i, j), row.getDouble(0, ids.getInt(i, j)) + 1.0 - settings.alpha());
            targets.get(NDArrayIndex.point(i), NDArrayIndex.interval((long) j * v, (long) (j + 1) * v)).assign(row.reshape(v));
        }
        INDArray[] labels = batch.getLabels().clone();
        labels[0] = targets;
        return new MultiDataSet(batch.getFeatures(), labels, batch.getFeaturesMaskArrays(), batch.getLabelsMaskArrays());
    }
}
