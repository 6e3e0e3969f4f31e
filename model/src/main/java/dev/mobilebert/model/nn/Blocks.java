package dev.mobilebert.model.nn;

import dev.mobilebert.model.MobileBertConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parameters (HuggingFace names and shapes, relative to {@link #hfPrefix}) and forward computation of every block.
 * Token-level tensors are [B*T, width]; the backward pass comes from the {@link F} operations recorded on the tape.
 */
public final class Blocks {
    private Blocks() {}

    /** Where a block's parameters live in HuggingFace names ({@code index}: the layer number). */
    public static String hfPrefix(BlockKind kind, int index) {
        return switch (kind) {
            case WORD_TABLE -> "mobilebert.embeddings.word_embeddings.";
            case EMBEDDINGS -> "mobilebert.embeddings.";
            case LAYER -> "mobilebert.encoder.layer." + index + ".";
            case POOLER -> "mobilebert.pooler.";
            case MLM -> "cls.predictions.";
            case NSP -> "cls.seq_relationship.";
            case CLASSIFIER -> "classifier.";
            case SPAN -> "qa_outputs.";
        };
    }

    public static LinkedHashMap<String, long[]> params(BlockKind kind, MobileBertConfig c, int index) {
        LinkedHashMap<String, long[]> p = new LinkedHashMap<>();
        long h = c.hiddenSize, e = c.embeddingSize, tt = c.trueHiddenSize(), inter = c.intermediateSize;
        switch (kind) {
            case WORD_TABLE -> p.put("weight", new long[]{c.vocabSize, e});
            case EMBEDDINGS -> {
                if (c.embeddingTransformation()) dense(p, "embedding_transformation", h, e * (c.trigramInput ? 3 : 1));
                p.put("position_embeddings.weight", new long[]{c.maxPositionEmbeddings, h});
                p.put("token_type_embeddings.weight", new long[]{c.typeVocabSize, h});
                norm(p, "LayerNorm", h);
            }
            case LAYER -> {
                dense(p, "attention.self.query", tt, c.queryKeyInputSize());
                dense(p, "attention.self.key", tt, c.queryKeyInputSize());
                dense(p, "attention.self.value", tt, c.valueInputSize());
                dense(p, "attention.output.dense", tt, tt);
                norm(p, "attention.output.LayerNorm", tt);
                dense(p, "intermediate.dense", inter, tt);
                dense(p, "output.dense", tt, inter);
                norm(p, "output.LayerNorm", tt);
                if (c.useBottleneck) {
                    dense(p, "output.bottleneck.dense", h, tt);
                    norm(p, "output.bottleneck.LayerNorm", h);
                    dense(p, "bottleneck.input.dense", tt, h);
                    norm(p, "bottleneck.input.LayerNorm", tt);
                    if (c.sharedQueryKeyBottleneck()) {
                        dense(p, "bottleneck.attention.dense", tt, h);
                        norm(p, "bottleneck.attention.LayerNorm", tt);
                    }
                }
                for (int f = 0; f < c.numFeedforwardNetworks - 1; f++) {
                    dense(p, "ffn." + f + ".intermediate.dense", inter, tt);
                    dense(p, "ffn." + f + ".output.dense", tt, inter);
                    norm(p, "ffn." + f + ".output.LayerNorm", tt);
                }
            }
            case POOLER -> { if (c.classifierActivation) dense(p, "dense", h, h); }
            case MLM -> {
                p.put("bias", new long[]{c.vocabSize});
                dense(p, "transform.dense", h, h);
                norm(p, "transform.LayerNorm", h);
                if (h > e) p.put("dense.weight", new long[]{h - e, c.vocabSize});
            }
            case NSP -> dense(p, "", 2, h);
            case CLASSIFIER -> dense(p, "", index, h);
            case SPAN -> dense(p, "", 2, h);
        }
        return p;
    }

    private static void dense(Map<String, long[]> p, String name, long out, long in) {
        String pre = name.isEmpty() ? "" : name + ".";
        p.put(pre + "weight", new long[]{out, in});
        p.put(pre + "bias", new long[]{out});
    }

    private static void norm(Map<String, long[]> p, String name, long width) {
        p.put(name + ".weight", new long[]{width});
        p.put(name + ".bias", new long[]{width});
    }

    public static long numParams(BlockKind kind, MobileBertConfig c, int index) {
        long n = 0;
        for (long[] s : params(kind, c, index).values()) {
            long k = 1;
            for (long d : s) k *= d;
            n += k;
        }
        return n;
    }

    /** BERT initialisation: weights and embeddings N(0, initializer_range), biases 0, norm weights 1. */
    public static void init(MobileBertConfig c, Map<String, INDArray> params, Random rng) {
        params.forEach((name, a) -> {
            if (name.endsWith("LayerNorm.weight")) a.assign(1.0);
            else if (name.endsWith("bias")) a.assign(0.0);
            else a.assign(rng.nextGaussian(a.shape()).castTo(a.dataType()).muli(c.initializerRange));
        });
    }

    /**
     * What one block computed: its output and, for a transformer block, the attention distribution and the
     * pre-softmax attention scores (mask bias included).
     */
    public record Out(Var output, Var attentionProbs, Var attentionScores) {
        public Out(Var output, Var attentionProbs) { this(output, attentionProbs, null); }
        public INDArray attention() { return attentionProbs == null ? null : attentionProbs.value; }
        public INDArray scores() { return attentionScores == null ? null : attentionScores.value; }
    }

    /** Dimensions of the batch being run. */
    public record Dims(int batch, int seq) {}

    private static final double LN_EPS_FIXED = 1e-5; // embeddings.LayerNorm and output.LayerNorm as HF builds them

    public static Var embeddings(Tape t, MobileBertConfig c, Map<String, Var> p, int[] ids, int[] types, Var table,
                                 Dims d, boolean training) {
        Var x = F.gather(t, table, ids);
        if (c.trigramInput) x = F.trigram(t, x, d.batch(), d.seq());
        if (c.embeddingTransformation()) x = F.linear(t, x, p.get("embedding_transformation.weight"), p.get("embedding_transformation.bias"));
        int[] positions = new int[ids.length];
        for (int i = 0; i < positions.length; i++) positions[i] = i % d.seq();
        x = F.add(t, x, F.gather(t, p.get("position_embeddings.weight"), positions));
        x = F.add(t, x, F.gather(t, p.get("token_type_embeddings.weight"), types));
        x = F.norm(t, x, p.get("LayerNorm.weight"), p.get("LayerNorm.bias"), c.layerNorm(), LN_EPS_FIXED);
        return F.dropout(t, x, c.hiddenDropoutProb, training);
    }

    public static Out layer(Tape t, MobileBertConfig c, Map<String, Var> p, Var x, INDArray maskBias, Dims d, boolean training) {
        Var q, k, v, layerInput;
        if (c.useBottleneck) {
            layerInput = normDense(t, c, p, "bottleneck.input", x, c.layerNormEps);
            if (c.useBottleneckAttention) {
                q = k = v = layerInput;
            } else if (c.keyQuerySharedBottleneck) {
                q = k = normDense(t, c, p, "bottleneck.attention", x, c.layerNormEps);
                v = x;
            } else {
                q = k = v = x;
            }
        } else {
            q = k = v = layerInput = x;
        }
        F.Attention att = F.attention(t,
                linear(t, p, "attention.self.query", q), linear(t, p, "attention.self.key", k),
                linear(t, p, "attention.self.value", v), d.batch(), d.seq(), c.numAttentionHeads, maskBias,
                c.attentionProbsDropoutProb, training);
        Var a = linear(t, p, "attention.output.dense", att.context());
        if (!c.useBottleneck) a = F.dropout(t, a, c.hiddenDropoutProb, training);
        Var h = addNorm(t, c, p, "attention.output.LayerNorm", a, layerInput, c.layerNormEps);
        for (int f = 0; f < c.numFeedforwardNetworks - 1; f++) {
            String pre = "ffn." + f + ".";
            Var inner = linearAct(t, c, p, pre + "intermediate.dense", h);
            h = addNorm(t, c, p, pre + "output.LayerNorm", linear(t, p, pre + "output.dense", inner), h, c.layerNormEps);
        }
        Var inner = linearAct(t, c, p, "intermediate.dense", h);
        Var o = linear(t, p, "output.dense", inner);
        Var out;
        if (!c.useBottleneck) {
            o = F.dropout(t, o, c.hiddenDropoutProb, training);
            out = addNorm(t, c, p, "output.LayerNorm", o, h, LN_EPS_FIXED);
        } else {
            o = addNorm(t, c, p, "output.LayerNorm", o, h, LN_EPS_FIXED);
            Var b = F.dropout(t, linear(t, p, "output.bottleneck.dense", o), c.hiddenDropoutProb, training);
            out = addNorm(t, c, p, "output.bottleneck.LayerNorm", b, x, c.layerNormEps);
        }
        return new Out(out, att.probabilities(), att.scores());
    }

    public static Var pooler(Tape t, MobileBertConfig c, Map<String, Var> p, Var hidden, Dims d) {
        int[] first = new int[d.batch()];
        for (int b = 0; b < first.length; b++) first[b] = b * d.seq();
        Var cls = F.rows(t, hidden, first);
        if (!c.classifierActivation) return cls;
        return F.act(t, linear(t, p, "dense", cls), "tanh");
    }

    /** MLM logits [rows.length, V] at the given flattened token rows. */
    public static Var mlm(Tape t, MobileBertConfig c, Map<String, Var> p, Var hidden, int[] rows, Var table) {
        Var x = F.rows(t, hidden, rows);
        x = F.act(t, linear(t, p, "transform.dense", x), c.hiddenAct);
        x = F.norm(t, x, p.get("transform.LayerNorm.weight"), p.get("transform.LayerNorm.bias"), true, c.layerNormEps);
        return F.factorizedDecoder(t, x, table, p.get("dense.weight"), p.get("bias"));
    }

    /** A plain dense layer named "" (NSP, classifier, span heads). */
    public static Var head(Tape t, Map<String, Var> p, Var x) {
        return F.linear(t, x, p.get("weight"), p.get("bias"));
    }

    private static Var linear(Tape t, Map<String, Var> p, String name, Var x) {
        return F.linear(t, x, p.get(name + ".weight"), p.get(name + ".bias"));
    }

    private static Var linearAct(Tape t, MobileBertConfig c, Map<String, Var> p, String name, Var x) {
        return F.linearAct(t, x, p.get(name + ".weight"), p.get(name + ".bias"), c.hiddenAct);
    }

    private static Var addNorm(Tape t, MobileBertConfig c, Map<String, Var> p, String name, Var a, Var b, double eps) {
        return F.addNorm(t, a, b, p.get(name + ".weight"), p.get(name + ".bias"), c.layerNorm(), eps);
    }

    private static Var norm(Tape t, MobileBertConfig c, Map<String, Var> p, String name, Var x, double eps) {
        return F.norm(t, x, p.get(name + ".weight"), p.get(name + ".bias"), c.layerNorm(), eps);
    }

    private static Var normDense(Tape t, MobileBertConfig c, Map<String, Var> p, String name, Var x, double eps) {
        return norm(t, c, p, name + ".LayerNorm", linear(t, p, name + ".dense", x), eps);
    }
}
