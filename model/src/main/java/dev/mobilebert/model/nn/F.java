package dev.mobilebert.model.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BiasAdd;
import org.nd4j.linalg.api.ops.impl.scatter.ScatterAdd;
import org.nd4j.linalg.api.ops.impl.transforms.custom.LayerNorm;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The operations MobileBERT is made of, each with a hand-written backward pass recorded on a {@link Tape}
 * (null tape = inference, nothing recorded). Token-level tensors are 2-D [B*T, features] so every dense layer is
 * one gemm; attention uses batched matmul on [B, heads, T, d].
 */
public final class F {
    private static final double SQRT2 = Math.sqrt(2.0);
    private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2.0 * Math.PI);
    /** Largest layer_norm_eps for which inference uses libnd4j's epsilon-free layer_norm op (see norm0). */
    static final double LAYER_NORM_OP_MAX_EPS = 1e-10;

    private F() {}

    private static Var out(INDArray v) { return Var.of(v); }

    /** y = x W^T + b with W in [out, in] (HuggingFace layout). */
    public static Var linear(Tape t, Var x, Var w, Var b) {
        OpProfile.Timer timer = OpProfile.start("linear");
        try {
            return linear0(t, x, w, b);
        } finally {
            timer.stop();
        }
    }

    private static Var linear0(Tape t, Var x, Var w, Var b) {
        INDArray y = mm(x.value, w.value, false, true);
        if (b != null) addBias(y, b.value);
        Var o = out(y);
        if (t != null) t.record("linear", () -> linearBackward(o.grad(), x, w, b));
        return o;
    }

    private static void linearBackward(INDArray dy, Var x, Var w, Var b) {
        if (dy == null) return;
        w.accumulate(mm(dy, x.value, true, false));
        if (b != null) b.accumulate(dy.sum(0));
        x.accumulate(mm(dy, w.value, false, false));
    }

    /**
     * op(a) · op(b) into a new row-major array, as one ND4J matmul op. Measured: {@code a.mmul(b.transpose())} costs two
     * allocations and a copy on top of the gemm (BaseNDArray.mmuli computes into a column-major temporary); this
     * path passes the transposes to BLAS instead.
     */
    public static INDArray mm(INDArray a, INDArray b, boolean transposeA, boolean transposeB) {
        long m = transposeA ? a.size(1) : a.size(0), n = transposeB ? b.size(0) : b.size(1);
        INDArray c = Nd4j.createUninitialized(a.dataType(), m, n);
        return Nd4j.gemm(a, b, c, transposeA, transposeB, 1.0, 0.0);
    }

    /**
     * act(x W^T + b) as one step that owns the intermediate: relu is applied in place and its backward uses
     * the output's sign (y > 0 exactly where the pre-activation is), saving an allocation and a copy per call.
     * Other activations fall back to {@link #linear} + {@link #act}.
     */
    public static Var linearAct(Tape t, Var x, Var w, Var b, String kind) {
        if (!kind.equals("relu")) return act(t, linear(t, x, w, b), kind);
        OpProfile.Timer timer = OpProfile.start("linearRelu");
        try {
            INDArray y = mm(x.value, w.value, false, true);
            if (b != null) addBias(y, b.value);
            Transforms.relu(y, false);
            Var o = out(y);
            if (t != null) t.record("linearRelu", () -> {
                INDArray dy = o.grad();
                if (dy == null) return;
                // sign(y) is 1 where y > 0 and 0 at relu's zeros (ND4J's lrelu_bp passes the gradient at 0)
                linearBackward(Transforms.sign(y, true).muli(dy), x, w, b);
            });
            return o;
        } finally {
            timer.stop();
        }
    }

    /**
     * norm(a + b) (the residual connection followed by NoNorm/LayerNorm) as one step that owns the sum: in inference
     * the NoNorm scale and shift run in place on it (one allocation instead of three).
     */
    public static Var addNorm(Tape t, Var a, Var b, Var w, Var bias, boolean layerNorm, double eps) {
        if (layerNorm || t != null) return norm(t, add(t, a, b), w, bias, layerNorm, eps);
        OpProfile.Timer timer = OpProfile.start("addNorm");
        try {
            INDArray y = a.value.add(b.value);
            Broadcast.mul(y, w.value, y, 1);
            return out(addBias(y, bias.value));
        } finally {
            timer.stop();
        }
    }

    /**
     * y[i, :] += bias in place. ND4J's bias_add custom op: measured 2-5x less per-call overhead than addiRowVector's
     * broadcast path on this machine (the ops here are small, so overhead dominates).
     */
    static INDArray addBias(INDArray y, INDArray bias) {
        Nd4j.exec(new BiasAdd(y, bias.rank() == 1 ? bias : bias.reshape(bias.length()), y, false));
        return y;
    }

    public static Var add(Tape t, Var a, Var b) {
        OpProfile.Timer timer = OpProfile.start("add");
        try {
            return add0(t, a, b);
        } finally {
            timer.stop();
        }
    }

    private static Var add0(Tape t, Var a, Var b) {
        Var o = out(a.value.add(b.value));
        if (t != null) t.record("add", () -> {
            if (o.grad() == null) return;
            a.accumulate(o.grad());
            b.accumulate(o.grad());
        });
        return o;
    }

    /** NoNorm (x*w + b) or LayerNorm over the feature axis. */
    public static Var norm(Tape t, Var x, Var w, Var b, boolean layerNorm, double eps) {
        OpProfile.Timer timer = OpProfile.start("norm");
        try {
            return norm0(t, x, w, b, layerNorm, eps);
        } finally {
            timer.stop();
        }
    }

    private static Var norm0(Tape t, Var x, Var w, Var b, boolean layerNorm, double eps) {
        INDArray wr = w.value.reshape(1, w.value.length()), br = b.value.reshape(1, b.value.length());
        if (!layerNorm) {
            Var o = out(addBias(x.value.mulRowVector(wr), b.value));
            if (t != null) t.record("norm", () -> {
                INDArray dy = o.grad();
                if (dy == null) return;
                w.accumulate(dy.mul(x.value).sum(0));
                b.accumulate(dy.sum(0));
                x.accumulate(dy.mulRowVector(wr));
            });
            return o;
        }
        if (t == null && eps <= LAYER_NORM_OP_MAX_EPS) {
            // Inference: libnd4j's layer_norm op, one call instead of the nine below (measured 1.7x less CPU per
            // [128, 512] call). It normalizes without an epsilon: equal to eps = 1e-12 (HF's layer_norm_eps) within
            // ~1e-6 unless a row's variance is itself ~1e-12.
            INDArray y = Nd4j.createUninitialized(x.value.dataType(), x.value.shape());
            Nd4j.exec(new LayerNorm(x.value, w.value.reshape(w.value.length()), b.value.reshape(b.value.length()), y, true, 1));
            return out(y);
        }
        INDArray mean = x.value.mean(true, 1);
        INDArray xc = x.value.subColumnVector(mean);
        INDArray var = xc.mul(xc).mean(true, 1);
        INDArray inv = Transforms.pow(var.addi(eps), -0.5, false);
        INDArray xhat = xc.muliColumnVector(inv);
        Var o = out(addBias(xhat.mulRowVector(wr), b.value));
        if (t != null) t.record("norm", () -> {
            INDArray dy = o.grad();
            if (dy == null) return;
            w.accumulate(dy.mul(xhat).sum(0));
            b.accumulate(dy.sum(0));
            INDArray dxhat = dy.mulRowVector(wr);
            INDArray m1 = dxhat.mean(true, 1);
            INDArray m2 = dxhat.mul(xhat).mean(true, 1);
            INDArray dx = dxhat.subColumnVector(m1).subi(xhat.mulColumnVector(m2)).muliColumnVector(inv);
            x.accumulate(dx);
        });
        return o;
    }

    /** The activation functions of the config's hidden_act; the derivative is computed only when backpropagating. */
    public static Var act(Tape t, Var x, String kind) {
        OpProfile.Timer timer = OpProfile.start("act");
        try {
            return act0(t, x, kind);
        } finally {
            timer.stop();
        }
    }

    private static Var act0(Tape t, Var x, String kind) {
        INDArray v = x.value;
        if (t == null && kind.equals("gelu")) {
            // inference: one allocation (x/sqrt2, erf in place, +1, *x, *0.5) instead of three; nothing kept for backward
            INDArray y = v.mul(1.0 / SQRT2);
            Nd4j.exec(new Erf(y, y));
            return out(y.addi(1.0).muli(v).muli(0.5));
        }
        INDArray y = switch (kind) {
            case "relu" -> Transforms.relu(v, true);
            case "relu6" -> Transforms.min(Transforms.relu(v, true), 6.0, false);
            case "tanh" -> Transforms.tanh(v, true);
            case "gelu" -> v.mul(geluCdf(v));
            case "gelu_new" -> Transforms.tanh(geluNewInner(v), false).addi(1.0).muli(v).muli(0.5);
            default -> throw new IllegalArgumentException("unsupported activation " + kind);
        };
        Var o = out(y);
        if (t != null) t.record("act", () -> { if (o.grad() != null) x.accumulate(o.grad().mul(derivative(kind, v, y))); });
        return o;
    }

    private static INDArray geluCdf(INDArray v) {
        return Nd4j.exec(new Erf(v.div(SQRT2))).addi(1.0).muli(0.5);
    }

    private static INDArray geluNewInner(INDArray v) {
        return v.mul(v).muli(v).muli(0.044715).addi(v).muli(Math.sqrt(2.0 / Math.PI));
    }

    private static INDArray derivative(String kind, INDArray v, INDArray y) {
        DataType dt = v.dataType();
        switch (kind) {
            case "relu": return v.gt(0).castTo(dt);
            case "relu6": return v.gt(0).castTo(dt).muli(v.lt(6).castTo(dt));
            case "tanh": return y.mul(y).rsubi(1.0);
            case "gelu": {
                INDArray pdf = Transforms.exp(v.mul(v).muli(-0.5), false).muli(INV_SQRT_2PI);
                return geluCdf(v).addi(pdf.muli(v));
            }
            default: { // gelu_new
                double c = Math.sqrt(2.0 / Math.PI);
                INDArray th = Transforms.tanh(geluNewInner(v), false);
                INDArray dinner = v.mul(v).muli(3 * 0.044715).addi(1.0).muli(c);
                return th.add(1.0).muli(0.5).addi(th.mul(th).rsubi(1.0).muli(dinner).muli(v).muli(0.5));
            }
        }
    }

    /** Inverted dropout; identity outside training or at p = 0. */
    public static Var dropout(Tape t, Var x, double p, boolean training) {
        OpProfile.Timer timer = OpProfile.start("dropout");
        try {
            return dropout0(t, x, p, training);
        } finally {
            timer.stop();
        }
    }

    private static Var dropout0(Tape t, Var x, double p, boolean training) {
        if (!training || p <= 0) return x;
        INDArray keep = Nd4j.rand(x.value.dataType(), x.value.shape()).gt(p).castTo(x.value.dataType()).muli(1.0 / (1.0 - p));
        Var o = out(x.value.mul(keep));
        if (t != null) t.record("dropout", () -> { if (o.grad() != null) x.accumulate(o.grad().mul(keep)); });
        return o;
    }

    /** Rows of {@code table} at {@code ids} (an embedding lookup); the backward scatters into the table. */
    public static Var gather(Tape t, Var table, int[] ids) {
        OpProfile.Timer timer = OpProfile.start("gather");
        try {
            return gather0(t, table, ids);
        } finally {
            timer.stop();
        }
    }

    private static Var gather0(Tape t, Var table, int[] ids) {
        Var o = out(Nd4j.pullRows(table.value, 1, ids));
        if (t != null) t.record("gather", () -> {
            INDArray dy = o.grad();
            if (dy == null) return;
            table.accumulate(scatterAddRows(table.value, ids, dy));
        });
        return o;
    }

    /** zeros like {@code like}, with row {@code index[i]} += {@code rows[i]} (repeated indices add up). */
    private static INDArray scatterAddRows(INDArray like, int[] index, INDArray rows) {
        INDArray zeros = Nd4j.zeros(like.dataType(), like.shape());
        // scatter_add writes to a new output array unless told otherwise: take the op's output
        return Nd4j.exec(new ScatterAdd(zeros, Nd4j.createFromArray(index), rows))[0];
    }

    /** Trigram input: [e(t+1) (0 at the end), e(t), e(t-1) (0 at the start)] along features; x is [B*T, E]. */
    public static Var trigram(Tape t, Var x, int batch, int seq) {
        OpProfile.Timer timer = OpProfile.start("trigram");
        try {
            return trigram0(t, x, batch, seq);
        } finally {
            timer.stop();
        }
    }

    private static Var trigram0(Tape t, Var x, int batch, int seq) {
        long e = x.value.size(1);
        INDArray x3 = x.value.reshape(batch, seq, e);
        INDArray y3 = Nd4j.zeros(x.value.dataType(), batch, seq, 3 * e);
        INDArrayIndex all = NDArrayIndex.all();
        if (seq > 1) {
            y3.get(all, NDArrayIndex.interval(0, seq - 1), NDArrayIndex.interval(0, e)).assign(x3.get(all, NDArrayIndex.interval(1, seq), all));
            y3.get(all, NDArrayIndex.interval(1, seq), NDArrayIndex.interval(2 * e, 3 * e)).assign(x3.get(all, NDArrayIndex.interval(0, seq - 1), all));
        }
        y3.get(all, all, NDArrayIndex.interval(e, 2 * e)).assign(x3);
        Var o = out(y3.reshape(batch * (long) seq, 3 * e));
        if (t != null) t.record("trigram", () -> {
            INDArray dy = o.grad();
            if (dy == null) return;
            INDArray d3 = dy.reshape(batch, seq, 3 * e);
            INDArray dx = d3.get(all, all, NDArrayIndex.interval(e, 2 * e)).dup('c');
            if (seq > 1) {
                dx.get(all, NDArrayIndex.interval(1, seq), all).addi(d3.get(all, NDArrayIndex.interval(0, seq - 1), NDArrayIndex.interval(0, e)));
                dx.get(all, NDArrayIndex.interval(0, seq - 1), all).addi(d3.get(all, NDArrayIndex.interval(1, seq), NDArrayIndex.interval(2 * e, 3 * e)));
            }
            x.accumulate(dx.reshape(batch * (long) seq, e));
        });
        return o;
    }

    /**
     * The result of attention: the context [B*T, heads*d], the probabilities [B, heads, T, T] and the pre-softmax
     * scores [B, heads, T, T] (q·kᵀ/√d plus the −10000 mask bias of padded keys, TinyBERT's attention-distillation
     * target). A loss on the probabilities (attention transfer) or on the scores adds its gradient to that Var and it
     * flows into q and k.
     */
    public record Attention(Var context, Var probabilities, Var scores) {
        public Attention(Var context, Var probabilities) { this(context, probabilities, null); }
        public INDArray probs() { return probabilities.value; }
    }

    /**
     * Scaled dot-product attention over heads. q, k, v are [B*T, heads*d]; {@code maskBias} is [B, T] holding
     * (1 - mask) * -10000 (null = no padding), added to every query row's scores.
     */
    public static Attention attention(Tape t, Var q, Var k, Var v, int batch, int seq, int heads, INDArray maskBias,
                                      double dropP, boolean training) {
        OpProfile.Timer timer = OpProfile.start("attention");
        try {
            return attention0(t, q, k, v, batch, seq, heads, maskBias, dropP, training);
        } finally {
            timer.stop();
        }
    }

    private static Attention attention0(Tape t, Var q, Var k, Var v, int batch, int seq, int heads, INDArray maskBias,
                                      double dropP, boolean training) {
        long d = q.value.size(1) / heads;
        double scale = 1.0 / Math.sqrt(d);
        INDArray qh = toHeads(q.value, batch, seq, heads), kh = toHeads(k.value, batch, seq, heads), vh = toHeads(v.value, batch, seq, heads);
        INDArray scores = Nd4j.matmul(qh, kh, false, true, false).muli(scale);
        if (maskBias != null) Broadcast.add(scores, maskBias, scores, 0, 3);
        Var s = out(scores.dup()); // the softmax below runs in place
        INDArray probs = Nd4j.exec(new SoftMax(scores, scores, 3))[0];
        INDArray keep = null, used = probs;
        if (training && dropP > 0) {
            keep = Nd4j.rand(probs.dataType(), probs.shape()).gt(dropP).castTo(probs.dataType()).muli(1.0 / (1.0 - dropP));
            used = probs.mul(keep);
        }
        INDArray ctx = Nd4j.matmul(used, vh);
        Var o = out(fromHeads(ctx, batch, seq));
        Var p = out(probs);
        final INDArray keepF = keep, usedF = used;
        if (t != null) t.record("attention", () -> {
            INDArray dy = o.grad();
            if (dy == null && p.grad() == null && s.grad() == null) return;
            INDArray dProbs = p.grad() == null ? Nd4j.zeros(probs.dataType(), probs.shape()) : p.grad().dup();
            if (dy != null) {
                INDArray dctx = toHeads(dy, batch, seq, heads);
                INDArray dUsed = Nd4j.matmul(dctx, vh, false, true, false);
                dProbs.addi(keepF == null ? dUsed : dUsed.muli(keepF));
                v.accumulate(fromHeads(Nd4j.matmul(usedF, dctx, true, false, false), batch, seq));
            }
            INDArray rowDot = dProbs.mul(probs).sum(3);
            INDArray dScores = Broadcast.sub(dProbs, rowDot, dProbs, 0, 1, 2).muli(probs);
            if (s.grad() != null) dScores.addi(s.grad()); // a loss on the pre-softmax scores (TinyBERT)
            dScores.muli(scale);
            q.accumulate(fromHeads(Nd4j.matmul(dScores, kh), batch, seq));
            k.accumulate(fromHeads(Nd4j.matmul(dScores, qh, true, false, false), batch, seq));
        });
        return new Attention(o, p, s);
    }

    private static INDArray toHeads(INDArray x, int batch, int seq, int heads) {
        long d = x.size(1) / heads;
        return x.reshape(batch, seq, heads, d).permute(0, 2, 1, 3).dup('c');
    }

    private static INDArray fromHeads(INDArray x, int batch, int seq) {
        long width = x.size(1) * x.size(3);
        return x.permute(0, 2, 1, 3).dup('c').reshape(batch * (long) seq, width);
    }

    /** Rows {@code index[i]} of x [N, F] (positions inside the flattened batch); backward scatters. */
    public static Var rows(Tape t, Var x, int[] index) {
        OpProfile.Timer timer = OpProfile.start("rows");
        try {
            return rows0(t, x, index);
        } finally {
            timer.stop();
        }
    }

    private static Var rows0(Tape t, Var x, int[] index) {
        Var o = out(Nd4j.pullRows(x.value, 1, index));
        if (t != null) t.record("rows", () -> {
            INDArray dy = o.grad();
            if (dy == null) return;
            x.accumulate(scatterAddRows(x.value, index, dy));
        });
        return o;
    }

    /**
     * MobileBERT's factorized output layer: logits = x [:, :E] table^T + x[:, E:] dense + bias, i.e.
     * x · concat([word_embeddings^T (E x V), dense (H-E x V)]) + bias without building the concatenation.
     */
    public static Var factorizedDecoder(Tape t, Var x, Var table, Var dense, Var bias) {
        OpProfile.Timer timer = OpProfile.start("factorizedDecoder");
        try {
            return factorizedDecoder0(t, x, table, dense, bias);
        } finally {
            timer.stop();
        }
    }

    private static Var factorizedDecoder0(Tape t, Var x, Var table, Var dense, Var bias) {
        long e = table.value.size(1), h = x.value.size(1);
        // contiguous copies: ND4J's matmul gave wrong results for these column-slice views as transposed operands
        INDArray xe = x.value.get(NDArrayIndex.all(), NDArrayIndex.interval(0, e)).dup('c');
        INDArray y = mm(xe, table.value, false, true);
        INDArray xr = dense == null ? null : x.value.get(NDArrayIndex.all(), NDArrayIndex.interval(e, h)).dup('c');
        if (dense != null) y.addi(mm(xr, dense.value, false, false));
        y.addiRowVector(bias.value.reshape(1, bias.value.length()));
        Var o = out(y);
        if (t != null) t.record("factorizedDecoder", () -> {
            INDArray dy = o.grad();
            if (dy == null) return;
            bias.accumulate(dy.sum(0));
            table.accumulate(mm(dy, xe, true, false));
            INDArray dx = Nd4j.create(x.value.dataType(), x.value.shape());
            dx.get(NDArrayIndex.all(), NDArrayIndex.interval(0, e)).assign(mm(dy, table.value, false, false));
            if (dense != null) {
                dense.accumulate(mm(xr, dy, true, false));
                dx.get(NDArrayIndex.all(), NDArrayIndex.interval(e, h)).assign(mm(dy, dense.value, false, true));
            }
            x.accumulate(dx);
        });
        return o;
    }

    /** (1 - mask) * -10000 as [B, T], in the model's data type; null when there is no mask. */
    public static INDArray maskBias(INDArray mask, DataType type) {
        if (mask == null) return null;
        return mask.castTo(type).rsub(1.0).muli(-10000.0).reshape(mask.size(0), mask.size(mask.rank() - 1));
    }
}
