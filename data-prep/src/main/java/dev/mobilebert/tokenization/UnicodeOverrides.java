package dev.mobilebert.tokenization;

/**
 * Code points whose general category in Python 3.11's {@code unicodedata} (Unicode 14.0, what the reference
 * tokenizer sees) differs from Java 17's {@link Character#getType(int)} (Unicode 13.0). Empty until the
 * comparison (src/test/oracle/unicode_categories.py) is wired in.
 */
final class UnicodeOverrides {
    private UnicodeOverrides() {}

    /** Python's category of {@code cp} as a Java type constant, or -1 where Java already agrees. */
    static int type(int cp) {
        return -1;
    }
}
