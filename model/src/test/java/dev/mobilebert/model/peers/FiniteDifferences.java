package dev.mobilebert.model.peers;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Central differences in double precision, element by element, against an analytic gradient. */
final class FiniteDifferences {
    private FiniteDifferences() {}

    static void check(INDArray x, INDArray analytic, DoubleSupplier loss, double h, double tol, String what) {
        INDArray flat = x.reshape(x.length()), g = analytic.reshape(analytic.length());
        for (long i = 0; i < flat.length(); i++) {
            double orig = flat.getDouble(i);
            flat.putScalar(i, orig + h);
            double plus = loss.getAsDouble();
            flat.putScalar(i, orig - h);
            double minus = loss.getAsDouble();
            flat.putScalar(i, orig);
            double numeric = (plus - minus) / (2 * h);
            assertEquals(numeric, g.getDouble(i), tol * Math.max(1.0, Math.abs(numeric)), what + ": element " + i);
        }
    }
}
