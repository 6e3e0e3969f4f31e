package dev.mobilebert.tokenization;

import java.util.Arrays;

/**
 * The word pieces of a vocabulary as a trie over UTF-16 units, so that the longest piece starting at a position
 * is found in one forward walk (the reference tries every shorter substring from the end instead; the result is
 * the same: the longest match). Edges live in one open-addressing hash table keyed by (node, char): no objects
 * per node and no substring allocation while tokenizing.
 */
final class PieceTrie {
    private long[] keys = new long[1 << 12];
    private int[] children = new int[1 << 12];
    private int edges;
    private int[] tokenIds = new int[1024];
    private int nodes = 1; // node 0 is the root

    PieceTrie() {
        Arrays.fill(keys, -1L);
        Arrays.fill(tokenIds, -1);
    }

    /** Adds {@code s.substring(from)} with its id (a later add of the same piece overwrites). */
    void add(String s, int from, int id) {
        int node = 0;
        for (int i = from; i < s.length(); i++) {
            int next = child(node, s.charAt(i));
            if (next < 0) next = addChild(node, s.charAt(i));
            node = next;
        }
        tokenIds[node] = id;
    }

    /** The child of {@code node} along {@code c}, or -1. */
    int child(int node, char c) {
        long key = ((long) node << 16) | c;
        int mask = keys.length - 1;
        int slot = mix(key) & mask;
        while (true) {
            long k = keys[slot];
            if (k == key) return children[slot];
            if (k == -1L) return -1;
            slot = (slot + 1) & mask;
        }
    }

    /** The token id ending at {@code node}, or -1. */
    int tokenId(int node) { return tokenIds[node]; }

    private int addChild(int node, char c) {
        if ((edges + 1) * 2 > keys.length) grow();
        int id = nodes++;
        if (id >= tokenIds.length) {
            int old = tokenIds.length;
            tokenIds = Arrays.copyOf(tokenIds, old * 2);
            Arrays.fill(tokenIds, old, tokenIds.length, -1);
        }
        put(((long) node << 16) | c, id);
        edges++;
        return id;
    }

    private void put(long key, int child) {
        int mask = keys.length - 1;
        int slot = mix(key) & mask;
        while (keys[slot] != -1L) slot = (slot + 1) & mask;
        keys[slot] = key;
        children[slot] = child;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldChildren = children;
        keys = new long[oldKeys.length * 2];
        children = new int[oldKeys.length * 2];
        Arrays.fill(keys, -1L);
        for (int i = 0; i < oldKeys.length; i++) if (oldKeys[i] != -1L) put(oldKeys[i], oldChildren[i]);
    }

    private static int mix(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29));
    }
}
