package dev.mobilebert.tasks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Python 3 {@code str} behaviour the official scripts rely on, reproduced exactly where Java differs:
 * {@code str.split()} splits at Python's whitespace (which includes U+00A0, U+202F, U+3000, U+001C..U+001F and
 * U+0085, unlike {@link Character#isWhitespace}), and {@code re}'s {@code \w} is {@code str.isalnum()} or '_'.
 */
public final class PyStrings {
    private PyStrings() {}

    /** {@code str.isspace()} for one character: general category Zs, or bidirectional class WS, B or S. */
    public static boolean isSpace(int c) {
        return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F
                || c == 0x3000;
    }

    /** {@code str.split()} without arguments: runs of whitespace separate, no empty strings. */
    public static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        int n = s.length();
        int i = 0;
        while (i < n) {
            while (i < n && isSpace(s.charAt(i))) i++; // every Python space is in the BMP
            int start = i;
            while (i < n && !isSpace(s.charAt(i))) i++;
            if (i > start) out.add(s.substring(start, i));
        }
        return out;
    }

    /** {@code str.lower()}: full Unicode lower-casing (İ becomes i + U+0307; final sigma), locale-independent. */
    public static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    /** Python {@code re}'s {@code \w} for str patterns: {@code str.isalnum()} (letters and numerics) or '_'. */
    public static boolean isWordChar(int c) {
        if (c == '_' || Character.isLetter(c)) return true;
        int t = Character.getType(c);
        return t == Character.DECIMAL_DIGIT_NUMBER || t == Character.LETTER_NUMBER || t == Character.OTHER_NUMBER;
    }
}
