package dev.mobilebert.model.peers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Objects;

/**
 * DistilBERT's hidden-state alignment: PyTorch's {@code CosineEmbeddingLoss} with target 1 on the student's and the
 * teacher's last hidden states, over real tokens only ({@code distiller.py} selects the rows with the attention mask),
 * mean over those tokens:
 * <pre>  loss = weight · Σ_real (1 − cos(s, t)) / N_real,   cos = s·t / (max(‖s‖, ε)·max(‖t‖, ε)),  ε = 1e-8</pre>
 * Labels: the teacher's hidden states [B, T·H]; mask: the input mask [B, T]. Needs equal widths (DistilBERT's
 * student has the teacher's width).
 */
public final class CosineEmbeddingLoss extends SlotLoss {
    static final double EPS = 1e-8;

    private CosineEmbeddingLoss() {}

    public CosineEmbeddingLoss(double weight, int hiddenSize) { super(weight, hiddenSize); }

    @Override
    protected INDArray[] perSlot(INDArray teacher, INDArray student) {
        INDArray ns = Transforms.max(student.norm2(true, 1), EPS, false);
        INDArray nt = Transforms.max(teacher.norm2(true, 1), EPS, false);
        INDArray den = ns.mul(nt);
        INDArray cos = student.mul(teacher).sum(true, 1).divi(den);
        INDArray loss = cos.rsub(1.0);
        // d(1 − cos)/ds = −(t/(‖s‖‖t‖) − cos·s/‖s‖²)
        INDArray grad = student.mulColumnVector(cos.div(ns.mul(ns))).subi(teacher.divColumnVector(den));
        return new INDArray[]{loss, grad};
    }

    @Override public boolean equals(Object o) { return o instanceof CosineEmbeddingLoss l && l.weight == weight && l.width == width; }
    @Override public int hashCode() { return Objects.hash(getClass(), weight, width); }
}
