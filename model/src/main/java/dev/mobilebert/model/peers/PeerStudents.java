package dev.mobilebert.model.peers;

import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The two peers' students, in the model family of the project (so they run in the same graph, trainer, checkpoints,
 * benchmark and HuggingFace export as MobileBERT).
 *
 * <p><b>DistilBERT</b>: the teacher's architecture with the layers of a {@link LayerMap} (every other by default),
 * every tensor initialised from the teacher — encoder layer m from teacher layer map(m). Unlike HuggingFace's
 * DistilBERT the student keeps the token-type embeddings (the pretraining contract carries segment ids; it is
 * 2·H parameters) and the pooler/NSP head (DL4J's {@code fit()} needs a parameterised layer; with α_nsp = 0 they get no
 * gradient); {@code bin/mobilebert params} counts them.
 *
 * <p><b>TinyBERT</b>: a narrower BERT-like student (no bottleneck, LayerNorm, GELU, embedding width = hidden width),
 * freshly initialised, with the teacher's number of attention heads (attention-score distillation compares heads one
 * to one) — TinyBERT's 4 layers, 312 wide, 1200 intermediate by default.
 */
public final class PeerStudents {
    private PeerStudents() {}

    public static MobileBertConfig distilBert(MobileBertConfig teacher, LayerMap map) {
        if (map.teacherDepth() != teacher.numHiddenLayers) {
            throw new IllegalArgumentException("layer map " + map + " is for a teacher of " + map.teacherDepth()
                    + " layers, the teacher has " + teacher.numHiddenLayers);
        }
        MobileBertConfig c = teacher.copy();
        c.numHiddenLayers = map.studentDepth();
        return c;
    }

    /** TinyBERT's published student shape (General_TinyBERT_4L_312D) with the teacher's vocabulary, positions and heads. */
    public static MobileBertConfig tinyBert(MobileBertConfig teacher) {
        return tinyBert(teacher, 4, 312, 1200);
    }

    public static MobileBertConfig tinyBert(MobileBertConfig teacher, int layers, int hidden, int intermediate) {
        int heads = teacher.numAttentionHeads;
        if (hidden % heads != 0) {
            throw new IllegalArgumentException("TinyBERT student width " + hidden + " is not a multiple of the teacher's "
                    + heads + " attention heads (attention distillation pairs heads one to one)");
        }
        MobileBertConfig c = new MobileBertConfig();
        c.vocabSize = teacher.vocabSize;
        c.maxPositionEmbeddings = teacher.maxPositionEmbeddings;
        c.typeVocabSize = teacher.typeVocabSize;
        c.padTokenId = teacher.padTokenId;
        c.initializerRange = teacher.initializerRange;
        c.embeddingSize = hidden; c.hiddenSize = hidden; c.intraBottleneckSize = hidden; c.intermediateSize = intermediate;
        c.numHiddenLayers = layers; c.numAttentionHeads = heads; c.numFeedforwardNetworks = 1;
        c.trigramInput = false; c.useBottleneck = false; c.useBottleneckAttention = false; c.keyQuerySharedBottleneck = false;
        c.normalizationType = "layer_norm"; c.hiddenAct = "gelu"; c.classifierActivation = true;
        c.hiddenDropoutProb = 0.1; c.attentionProbsDropoutProb = 0.1; c.layerNormEps = 1e-12;
        return c.validate("TinyBERT student");
    }

    /** What {@link #initialiseDistilBert} copied, by student name ← teacher name. */
    public record Copied(List<String> names) {}

    /**
     * Copies every student tensor from the teacher: {@code mobilebert.encoder.layer.m.*} from layer map(m), all others
     * (embeddings, pooler, MLM/NSP heads) by the same name. A missing or differently shaped tensor is an error naming it.
     */
    public static Copied initialiseDistilBert(MobileBertModel teacher, MobileBertModel student, LayerMap map) {
        if (map.studentDepth() != student.config().numHiddenLayers) {
            throw new IllegalArgumentException("layer map " + map + " has " + map.studentDepth() + " layers, the student "
                    + student.config().numHiddenLayers);
        }
        Map<String, INDArray> from = teacher.hfParams();
        List<String> copied = new ArrayList<>();
        for (Map.Entry<String, INDArray> e : student.hfParams().entrySet()) {
            String source = teacherName(e.getKey(), map);
            INDArray src = from.get(source);
            if (src == null) throw new IllegalArgumentException("teacher has no tensor " + source + " for the student's " + e.getKey());
            if (!Arrays.equals(src.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException("student " + e.getKey() + " " + Arrays.toString(e.getValue().shape())
                        + " cannot come from teacher " + source + " " + Arrays.toString(src.shape()));
            }
            e.getValue().assign(src);
            copied.add(e.getKey() + " <- " + source);
        }
        return new Copied(copied);
    }

    static String teacherName(String studentName, LayerMap map) {
        String prefix = "mobilebert.encoder.layer.";
        if (!studentName.startsWith(prefix)) return studentName;
        int dot = studentName.indexOf('.', prefix.length());
        int m = Integer.parseInt(studentName.substring(prefix.length(), dot));
        return prefix + map.teacherLayer(m) + studentName.substring(dot);
    }
}
