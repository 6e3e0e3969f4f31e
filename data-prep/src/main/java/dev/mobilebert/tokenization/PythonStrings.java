package dev.mobilebert.tokenization;

/** The few Python {@code str} semantics the reference relies on, on Java strings. */
final class PythonStrings {
    private PythonStrings() {}

    /**
     * Python's {@code str.isspace()}: category Zs, or bidirectional class WS, B or S. Outside Zs those are
     * U+0009..U+000D, U+001C..U+001F, U+0085, U+2028 and U+2029.
     */
    static boolean isSpace(int cp) {
        if (cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x1F) || cp == 0x85
                || cp == 0x2028 || cp == 0x2029) return true;
        return Character.getType(cp) == Character.SPACE_SEPARATOR;
    }

    /** Python's {@code str.strip()} with no argument. */
    static String strip(String s) {
        int from = 0, to = s.length();
        while (from < to && isSpace(s.codePointAt(from))) from += Character.charCount(s.codePointAt(from));
        while (to > from && isSpace(s.codePointBefore(to))) to -= Character.charCount(s.codePointBefore(to));
        return s.substring(from, to);
    }
}
