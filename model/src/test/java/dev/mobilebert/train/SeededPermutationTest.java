package dev.mobilebert.train;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class SeededPermutationTest {
    @Test
    void isABijectionForAssortedSizes() {
        for (long n : new long[]{1, 2, 3, 7, 10, 64, 100, 1000, 4097}) {
            SeededPermutation p = new SeededPermutation(n, 42);
            Set<Long> seen = new HashSet<>();
            for (long i = 0; i < n; i++) {
                long v = p.apply(i);
                assertTrue(v >= 0 && v < n, "out of range for n=" + n);
                assertTrue(seen.add(v), "collision for n=" + n);
            }
        }
    }

    @Test
    void dependsOnTheSeedAndIsReproducible() {
        SeededPermutation a = new SeededPermutation(1000, 1);
        SeededPermutation b = new SeededPermutation(1000, 2);
        int same = 0;
        for (long i = 0; i < 1000; i++) {
            assertEquals(a.apply(i), new SeededPermutation(1000, 1).apply(i));
            if (a.apply(i) == b.apply(i)) same++;
        }
        assertTrue(same < 20, "two seeds agree on " + same + " of 1000 positions");
        int fixed = 0;
        for (long i = 0; i < 1000; i++) if (a.apply(i) == i) fixed++;
        assertTrue(fixed < 20, fixed + " fixed points: not shuffled");
    }
}
