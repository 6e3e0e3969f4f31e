package dev.mobilebert.model.transfer;

import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.model.graph.BlockGraphVertex;
import dev.mobilebert.model.nn.Blocks;
import dev.mobilebert.model.nn.F;
import dev.mobilebert.model.nn.Var;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the teacher provides for one batch and one transferred layer: its layer output [B, T, H] and attention
 * distribution [B, heads, T, T] (computed in inference mode, no dropout).
 */
public record TeacherTargets(INDArray hidden, INDArray attention) {

    /**
     * Runs the teacher's embeddings and layers 0..{@code layer} on a pretraining-contract batch and keeps layer
     * {@code layer}'s targets. Only what the stage needs: no upper layers, no pooler, no MLM logits (the full
     * {@link MobileBertModel#forwardWithIntermediates} computes logits at every position, which dominated a PKT step).
     */
    public static TeacherTargets of(MobileBertModel teacher, MultiDataSet batch, int layer) {
        MobileBertConfig c = teacher.config();
        if (layer < 0 || layer >= c.numHiddenLayers) {
            throw new IllegalArgumentException("layer " + layer + " outside the teacher's " + c.numHiddenLayers + " layers");
        }
        INDArray idsA = batch.getFeatures(0);
        int b = (int) idsA.size(0), t = (int) idsA.size(1);
        DataType type = teacher.graph().params().dataType();
        Blocks.Dims d = new Blocks.Dims(b, t);
        INDArray maskBias = F.maskBias(batch.getFeaturesMaskArray(0).castTo(type), type);
        Var table = params(teacher, MobileBertModel.WORD_TABLE).get("weight");
        Var x = Blocks.embeddings(null, c, params(teacher, MobileBertModel.EMBEDDINGS), ids(idsA), ids(batch.getFeatures(1)), table, d, false);
        Blocks.Out out = null;
        for (int i = 0; i <= layer; i++) {
            out = Blocks.layer(null, c, params(teacher, MobileBertModel.layerName(i)), x, maskBias, d, false);
            x = out.output();
        }
        return new TeacherTargets(x.value.reshape('c', b, t, c.hiddenSize), out.attention());
    }

    /** A block vertex's parameters under their HF-relative names, as constants. */
    private static Map<String, Var> params(MobileBertModel m, String vertex) {
        BlockGraphVertex v = (BlockGraphVertex) m.graph().getVertex(vertex);
        String prefix = Blocks.hfPrefix(v.kind(), v.index());
        Map<String, Var> out = new LinkedHashMap<>();
        v.hfParams().forEach((name, view) -> out.put(name.substring(prefix.length()), Var.of(view)));
        return out;
    }

    private static int[] ids(INDArray a) {
        return a.castTo(DataType.INT).dup('c').data().asInt();
    }
}
