package dev.mobilebert.model.transfer;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Central differences in double precision, element by element, against an analytic gradient. */
final class FiniteDifferences {
    private FiniteDifferences() {}

    static void check(INDArray x, INDArray analytic, DoubleSupplier loss, double h, double tol) {
        INDArray flat = x.reshape(x.length()), g = analytic.reshape(analytic.length());
        for (long i = 0; i < flat.length(); i++) {
            double orig = flat.getDouble(i);
            flat.putScalar(i, orig + h);
            double plus = loss.getAsDouble();
            flat.putScalar(i, orig - h);
            double minus = loss.getAsDouble();
            flat.putScalar(i, orig);
            double numeric = (plus - minus) / (2 * h);
            assertEquals(numeric, g.getDouble(i), tol * Math.max(1.0, Math.abs(numeric)), "element " + i);
        }
    }

    /** [rows][cols] of an array in double. */
    static double[][] rows(INDArray a, int rows, int cols) {
        double[][] out = new double[rows][cols];
        INDArray m = a.reshape('c', rows, cols);
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) out[r][c] = m.getDouble(r, c);
        return out;
    }
}
