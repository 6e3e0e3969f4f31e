package dev.mobilebert.corpus;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every repair or skip made while reading a corpus, counted by reason, with the first place each reason occurred
 * (file:line), so a report can say what was changed and where to look. Mergeable across Spark tasks.
 */
public final class Repairs implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Reasons used by the readers (kept as constants so reports and tests agree on the wording). */
    public static final String INVALID_UTF8 = "invalid UTF-8 byte sequence replaced by U+FFFD";
    public static final String NUL = "NUL character removed";
    public static final String BOM = "byte order mark removed";
    public static final String CRLF = "CR line ending normalized";
    public static final String LONG_LINE = "line longer than 1 MB kept whole (read as one paragraph/sentence)";
    public static final String GUTENBERG_NO_START = "Gutenberg START marker not found: header kept";
    public static final String GUTENBERG_NO_END = "Gutenberg END marker not found: footer kept";
    public static final String EMPTY_SENTENCE = "sentence without tokens dropped";
    public static final String EMPTY_DOCUMENT = "empty document dropped";
    public static final String EMPTY_FILE = "file without any text";
    public static final String SINGLE_SENTENCE_DOCUMENT = "one-sentence document kept (yields random-next pairs only)";

    private final TreeMap<String, Long> counts = new TreeMap<>();
    private final TreeMap<String, String> firstSeen = new TreeMap<>();

    public void add(String reason, String where) {
        add(reason, where, 1);
    }

    public void add(String reason, String where, long n) {
        if (n <= 0) return;
        counts.merge(reason, n, Long::sum);
        firstSeen.putIfAbsent(reason, where);
    }

    public long count(String reason) {
        return counts.getOrDefault(reason, 0L);
    }

    public Map<String, Long> counts() {
        return java.util.Collections.unmodifiableMap(counts);
    }

    public String firstSeen(String reason) {
        return firstSeen.get(reason);
    }

    public boolean isEmpty() {
        return counts.isEmpty();
    }

    /** Adds {@code other} into this one; the first place seen is the smallest location string (deterministic). */
    public Repairs merge(Repairs other) {
        other.counts.forEach((k, v) -> counts.merge(k, v, Long::sum));
        other.firstSeen.forEach((k, v) -> firstSeen.merge(k, v, (a, b) -> a.compareTo(b) <= 0 ? a : b));
        return this;
    }

    /** reason → {count, first} for stats.json. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new TreeMap<>();
        counts.forEach((k, v) -> m.put(k, Map.of("count", v, "first", firstSeen.getOrDefault(k, ""))));
        return m;
    }

    @Override
    public String toString() {
        return counts.toString();
    }
}
