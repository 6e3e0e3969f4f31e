package dev.mobilebert.model.transfer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Small helpers shared by the transfer losses (row masks, log-softmax, shape checks). */
final class TransferMath {
    private TransferMath() {}

    /** The token mask as an [N, 1] column in {@code type} (all ones when {@code mask} is null). */
    static INDArray column(INDArray mask, long n, DataType type) {
        if (mask == null) return Nd4j.ones(type, n, 1);
        if (mask.length() != n) throw new IllegalArgumentException("mask has " + mask.length() + " entries, expected " + n);
        return mask.castTo(type).reshape('c', n, 1);
    }

    /** log softmax along axis 1 of [N, C], stable. */
    static INDArray logSoftmax(INDArray z) {
        INDArray max = z.max(true, 1);
        INDArray shifted = z.subColumnVector(max);
        INDArray lse = Transforms.log(Transforms.exp(shifted, true).sum(true, 1), false);
        return z.subColumnVector(max).subiColumnVector(lse);
    }

    static void sameShape(String what, INDArray student, INDArray teacher) {
        if (!java.util.Arrays.equals(student.shape(), teacher.shape())) {
            throw new IllegalArgumentException(what + ": student shape " + java.util.Arrays.toString(student.shape())
                    + " differs from teacher shape " + java.util.Arrays.toString(teacher.shape()));
        }
    }

    static double seed(INDArray g) { return g == null ? 0.0 : g.getDouble(0); }
}
