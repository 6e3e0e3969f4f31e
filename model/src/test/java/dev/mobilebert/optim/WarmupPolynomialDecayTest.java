package dev.mobilebert.optim;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WarmupPolynomialDecayTest {
    private static final double LR = 1e-3;

    @Test
    void warmupIsLinearFromZero() {
        var s = WarmupPolynomialDecay.linear(LR, 10, 100);
        assertEquals(0.0, s.valueAt(0, 0), 0);
        assertEquals(LR * 0.5, s.valueAt(5, 0), 1e-15);
        assertEquals(LR * 0.9, s.valueAt(9, 0), 1e-15);
    }

    @Test
    void decayIsBertsPolynomialNotRebasedAfterWarmup() {
        var s = WarmupPolynomialDecay.linear(LR, 10, 100);
        // BERT: polynomial_decay(init_lr, t, N, 0, power=1) = init_lr * (1 - t/N), also at the end of warmup
        assertEquals(LR * (1 - 10 / 100.0), s.valueAt(10, 0), 1e-15);
        assertEquals(LR * (1 - 55 / 100.0), s.valueAt(55, 3), 1e-15);
        assertEquals(0.0, s.valueAt(100, 0), 0);
        assertEquals(0.0, s.valueAt(250, 0), 0); // cycle=False: stays at the end value
    }

    @Test
    void polynomialPowerAndEndValue() {
        var s = new WarmupPolynomialDecay(LR, 0, 100, 2.0, 1e-5);
        assertEquals(LR, s.valueAt(0, 0), 1e-15);
        assertEquals((LR - 1e-5) * 0.25 + 1e-5, s.valueAt(50, 0), 1e-15);
        assertEquals(1e-5, s.valueAt(100, 0), 1e-15);
    }

    @Test
    void rejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> WarmupPolynomialDecay.linear(LR, 10, 0));
        assertThrows(IllegalArgumentException.class, () -> new WarmupPolynomialDecay(LR, 10, 100, 0.0, 0));
    }
}
