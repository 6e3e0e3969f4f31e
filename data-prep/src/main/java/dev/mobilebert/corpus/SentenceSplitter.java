package dev.mobilebert.corpus;

import opennlp.tools.sentdetect.SentenceDetectorME;
import opennlp.tools.sentdetect.SentenceModel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * English sentence splitting with Apache OpenNLP's maximum-entropy detector and its English UD-EWT model (from
 * Maven Central), plus one correction: the model splits after some honorifics that it rarely saw in its training
 * data ("Mrs. Bennet", "St. Paul's"); a split right after one of those abbreviations is undone.
 * java.text.BreakIterator was rejected: it splits after "Mr." and "Dr." too.
 * Thread-confined detectors (OpenNLP's are not thread-safe) share one loaded model.
 */
public final class SentenceSplitter {
    private static final String MODEL = "/opennlp-en-ud-ewt-sentence-1.3-2.5.4.bin";
    private static volatile SentenceModel model;
    private static final ThreadLocal<SentenceDetectorME> DETECTOR = ThreadLocal.withInitial(() -> new SentenceDetectorME(model()));

    /** Titles that precede a name, after which prose practically never ends a sentence (lower-cased, no dot). */
    private static final Set<String> NO_BREAK_AFTER = Set.of(
            "mr", "mrs", "ms", "messrs", "mme", "mlle", "dr", "st", "prof", "rev", "capt", "col", "gen", "lt", "sgt",
            "maj", "gov", "mt", "vs");
    private static final Pattern LAST_WORD = Pattern.compile("(\\p{L}+)\\.$");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private SentenceSplitter() {}

    private static SentenceModel model() {
        if (model == null) {
            synchronized (SentenceSplitter.class) {
                if (model == null) {
                    try (InputStream in = SentenceSplitter.class.getResourceAsStream(MODEL)) {
                        if (in == null) throw new IllegalStateException("OpenNLP sentence model " + MODEL + " not on the classpath");
                        model = new SentenceModel(in);
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot load the OpenNLP sentence model " + MODEL, e);
                    }
                }
            }
        }
        return model;
    }

    /** Splits one paragraph (line breaks inside it already turned into spaces) into trimmed sentences. */
    public static List<String> split(String paragraph) {
        String text = WHITESPACE.matcher(paragraph).replaceAll(" ").trim();
        List<String> out = new ArrayList<>();
        if (text.isEmpty()) return out;
        String[] parts = DETECTOR.get().sentDetect(text);
        StringBuilder pending = null;
        for (String p : parts) {
            String s = p.trim();
            if (s.isEmpty()) continue;
            if (pending != null) {
                pending.append(' ').append(s);
            } else {
                pending = new StringBuilder(s);
            }
            if (!endsWithNoBreakAbbreviation(pending)) {
                out.add(pending.toString());
                pending = null;
            }
        }
        if (pending != null) out.add(pending.toString());
        return out;
    }

    private static boolean endsWithNoBreakAbbreviation(CharSequence s) {
        int n = s.length();
        int from = Math.max(0, n - 12);
        var m = LAST_WORD.matcher(s.subSequence(from, n));
        if (!m.find()) return false;
        // "Mr." but not "Hamr.": the abbreviation must be a whole word
        int start = from + m.start(1);
        if (start > 0 && Character.isLetter(s.charAt(start - 1))) return false;
        return NO_BREAK_AFTER.contains(m.group(1).toLowerCase(Locale.ROOT));
    }
}
