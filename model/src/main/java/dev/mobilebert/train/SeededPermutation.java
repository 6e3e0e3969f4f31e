package dev.mobilebert.train;

import java.io.Serializable;

/**
 * A pseudo-random permutation of {@code [0, n)} computed element by element (a 4-round Feistel network on the
 * smallest even-bit power-of-two domain, cycle-walking back into range), so a distributed data set can be shuffled
 * per epoch without sorting or collecting it: position = {@code apply(index)}. Same (n, seed) = same permutation.
 */
public final class SeededPermutation implements Serializable {
    private static final int ROUNDS = 4;
    private final long n;
    private final int halfBits;
    private final long mask;
    private final long[] keys = new long[ROUNDS];

    public SeededPermutation(long n, long seed) {
        if (n <= 0) throw new IllegalArgumentException("permutation size must be > 0, got " + n);
        this.n = n;
        int bits = Math.max(2, 64 - Long.numberOfLeadingZeros(n - 1));
        if (bits % 2 == 1) bits++;
        this.halfBits = bits / 2;
        this.mask = (1L << halfBits) - 1;
        long s = seed;
        for (int i = 0; i < ROUNDS; i++) {
            s = mix(s + 0x9E3779B97F4A7C15L);
            keys[i] = s;
        }
    }

    public long size() {
        return n;
    }

    public long apply(long index) {
        if (index < 0 || index >= n) throw new IndexOutOfBoundsException(index + " not in [0, " + n + ")");
        long x = index;
        do {
            x = encrypt(x);
        } while (x >= n); // cycle-walking: stays a bijection on [0, n)
        return x;
    }

    private long encrypt(long x) {
        long left = x >>> halfBits;
        long right = x & mask;
        for (long k : keys) {
            long next = left ^ (mix(right ^ k) & mask);
            left = right;
            right = next;
        }
        return (left << halfBits) | right;
    }

    /** SplitMix64's finalizer. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
