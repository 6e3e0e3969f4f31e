package dev.mobilebert.model.peers;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Which teacher layer each student layer learns from (0-based encoder layer indices): student layer m ↔ teacher layer
 * {@code teacherLayer(m)}. Used by DistilBERT (initialise student layer m from that teacher layer) and TinyBERT
 * (g(m): student hidden state m+1 ↔ teacher hidden state g(m)+1, student attention m ↔ teacher attention g(m);
 * embeddings ↔ embeddings). Strictly increasing, inside the teacher.
 */
public final class LayerMap implements Serializable {
    private final int[] teacherLayers;
    private final int teacherDepth;

    public LayerMap(int[] teacherLayers, int teacherDepth) {
        if (teacherLayers.length == 0) throw new IllegalArgumentException("layer map is empty");
        for (int m = 0; m < teacherLayers.length; m++) {
            int t = teacherLayers[m];
            if (t < 0 || t >= teacherDepth) {
                throw new IllegalArgumentException("layer map " + this.describe(teacherLayers) + ": teacher layer " + t
                        + " outside the teacher's " + teacherDepth + " layers");
            }
            if (m > 0 && t <= teacherLayers[m - 1]) {
                throw new IllegalArgumentException("layer map " + this.describe(teacherLayers) + " must be strictly increasing");
            }
        }
        this.teacherLayers = teacherLayers.clone();
        this.teacherDepth = teacherDepth;
    }

    /** DistilBERT: one layer out of two, 0, 2, 4, … (the student has ⌈N/2⌉ layers). */
    public static LayerMap everyOther(int teacherDepth) {
        int[] m = new int[(teacherDepth + 1) / 2];
        for (int i = 0; i < m.length; i++) m[i] = 2 * i;
        return new LayerMap(m, teacherDepth);
    }

    /**
     * TinyBERT's uniform strategy: with N teacher and M student layers, student layer m (1-based) learns from teacher
     * layer m·N/M (1-based), i.e. the last layer of each block of N/M. N must be a multiple of M (TinyBERT asserts it).
     */
    public static LayerMap uniform(int studentDepth, int teacherDepth) {
        if (studentDepth <= 0 || teacherDepth % studentDepth != 0) {
            throw new IllegalArgumentException("uniform layer mapping needs the teacher's depth (" + teacherDepth
                    + ") to be a multiple of the student's (" + studentDepth + "); give an explicit map instead");
        }
        int per = teacherDepth / studentDepth;
        int[] m = new int[studentDepth];
        for (int i = 0; i < studentDepth; i++) m[i] = (i + 1) * per - 1;
        return new LayerMap(m, teacherDepth);
    }

    /** "0,2,4" → that map. */
    public static LayerMap parse(String csv, int teacherDepth) {
        try {
            return new LayerMap(Arrays.stream(csv.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray(), teacherDepth);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("layer map '" + csv + "': expected comma-separated teacher layer numbers");
        }
    }

    public int studentDepth() { return teacherLayers.length; }
    public int teacherDepth() { return teacherDepth; }
    public int teacherLayer(int studentLayer) { return teacherLayers[studentLayer]; }
    public int[] teacherLayers() { return teacherLayers.clone(); }

    private String describe(int[] m) { return Arrays.toString(m); }

    @Override public String toString() { return describe(teacherLayers) + " of " + teacherDepth; }
    @Override public boolean equals(Object o) { return o instanceof LayerMap l && Arrays.equals(l.teacherLayers, teacherLayers) && l.teacherDepth == teacherDepth; }
    @Override public int hashCode() { return Arrays.hashCode(teacherLayers) * 31 + teacherDepth; }
}
