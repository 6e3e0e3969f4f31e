package dev.mobilebert.model.finetune;

import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.model.graph.BlockVertex;
import dev.mobilebert.model.io.HfFormat;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Starting a fine-tuning model from pretrained parameters, and running it. */
public final class FinetuneModels {
    private FinetuneModels() {}

    /** Head parameters may start from scratch; everything else must come from the source. */
    public static boolean isHeadParameter(String hfName) {
        return hfName.startsWith("classifier.") || hfName.startsWith("qa_outputs.");
    }

    /**
     * Copies every parameter of {@code to} that {@code from} has under the same HuggingFace name (encoder, pooler,
     * and a head of the same kind and size). Encoder/pooler parameters must all be present with equal shapes; head
     * parameters that are absent keep their initialisation.
     *
     * @return the names of {@code to} that were not copied (fresh heads)
     */
    public static List<String> copyMatching(Map<String, INDArray> from, MobileBertModel to, String source) {
        List<String> fresh = new ArrayList<>(), missing = new ArrayList<>();
        for (var e : to.hfParams().entrySet()) {
            INDArray src = from.get(e.getKey());
            boolean head = isHeadParameter(e.getKey());
            if (src == null || (head && !Arrays.equals(src.shape(), e.getValue().shape()))) {
                // a head of another task (other label count) is not reused
                if (head) fresh.add(e.getKey());
                else missing.add(e.getKey());
                continue;
            }
            if (!Arrays.equals(src.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException(source + ": parameter " + e.getKey() + " has shape " + Arrays.toString(src.shape())
                        + ", the model needs " + Arrays.toString(e.getValue().shape()));
            }
            e.getValue().assign(src.castTo(e.getValue().dataType()));
        }
        if (!missing.isEmpty()) throw new IllegalArgumentException(source + ": missing parameters " + missing);
        return fresh;
    }

    /** The model config a graph was built from (every block vertex carries it). */
    public static MobileBertConfig configOf(ComputationGraph g) {
        for (GraphVertex v : g.getConfiguration().getVertices().values()) {
            if (v instanceof BlockVertex b) return b.config();
        }
        throw new IllegalArgumentException("the graph has no MobileBERT block vertices");
    }

    /** A fine-tuning model initialised from a HuggingFace directory (config.json + model.safetensors). */
    public static Loaded fromHf(String dir, FinetuneHead head, int seqLength, long seed) throws IOException {
        MobileBertConfig c = HfFormat.readConfig(dir);
        MobileBertModel m = FinetuneGraphs.build(c, head, seqLength, null, seed, DataType.FLOAT);
        HfFormat.ImportReport r = HfFormat.importWeights(m, HfFormat.readWeights(dir), dir, FinetuneModels::isHeadParameter);
        return new Loaded(m, r.freshlyInitialised());
    }

    /** A fine-tuning model initialised from any graph of the family (pretraining or fine-tuning). */
    public static Loaded fromGraph(ComputationGraph source, FinetuneHead head, int seqLength, long seed, String sourceName) {
        MobileBertConfig c = configOf(source);
        MobileBertModel m = FinetuneGraphs.build(c, head, seqLength, null, seed, DataType.FLOAT);
        List<String> fresh = copyMatching(new MobileBertModel(c, source).hfParams(), m, sourceName);
        return new Loaded(m, fresh);
    }

    /** A model and the head parameters that start from their initialisation. */
    public record Loaded(MobileBertModel model, List<String> freshHeadParameters) {}

    /**
     * Inference: the head's logits ([B, num_labels]; [B, 1] for regression; [B, 2T] start then end logits for spans).
     * Ids and mask in any numeric type.
     */
    public static INDArray logits(ComputationGraph g, INDArray inputIds, INDArray tokenTypeIds, INDArray inputMask) {
        DataType t = g.getConfiguration().getDataType();
        INDArray mask = inputMask.castTo(t);
        g.setLayerMaskArrays(new INDArray[]{mask, mask}, null);
        try {
            return g.output(false, inputIds.castTo(t), tokenTypeIds.castTo(t))[0].dup();
        } finally {
            g.clearLayerMaskArrays();
        }
    }

    /** Row-wise arg max of [B, n] logits. */
    public static int[] argMax(INDArray logits) {
        return Nd4j.argMax(logits, 1).castTo(DataType.INT).dup().data().asInt();
    }
}
