package dev.mobilebert.pretraining;

import java.util.SplittableRandom;

/**
 * The random operations create_pretraining_data.py uses, on Java's SplittableRandom: same algorithms and
 * distributions as Python's {@code random.Random} (random(), randint(a, b) inclusive, Fisher-Yates shuffle from
 * the end), not the same random stream. Streams are keyed by (seed, document, duplicate, ...) so results never
 * depend on how the work is partitioned.
 */
public final class Rng {
    private final SplittableRandom random;

    private Rng(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** A stream for the given key: a hash of all parts, so (seed, 3, 1) and (seed, 1, 3) are unrelated. */
    public static Rng forKey(long seed, long... parts) {
        return new Rng(mix(seed, parts));
    }

    /** A well-mixed 64-bit hash of the seed and parts (SplitMix64's finalizer after each part). */
    public static long mix(long seed, long... parts) {
        long h = fmix(seed ^ 0x6A09E667F3BCC909L);
        for (long p : parts) h = fmix(h ^ fmix(p + 0x9E3779B97F4A7C15L));
        return h;
    }

    private static long fmix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Python's random.random(): uniform in [0, 1). */
    public double random() {
        return random.nextDouble();
    }

    /** Python's random.randint(a, b): uniform over a..b inclusive. */
    public int randint(int a, int b) {
        return a + random.nextInt(b - a + 1);
    }

    /** randint over a long range, for global document indices. */
    public long randlong(long a, long b) {
        return a + random.nextLong(b - a + 1);
    }

    /** Python's random.shuffle: Fisher-Yates from the last element down. */
    public void shuffle(int[] items) {
        for (int i = items.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = items[i];
            items[i] = items[j];
            items[j] = t;
        }
    }

    /** The same for objects. */
    public <T> void shuffle(T[] items) {
        for (int i = items.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            T t = items[i];
            items[i] = items[j];
            items[j] = t;
        }
    }
}
