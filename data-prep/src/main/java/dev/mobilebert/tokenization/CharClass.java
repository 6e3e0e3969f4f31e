package dev.mobilebert.tokenization;

import java.text.Normalizer;
import java.util.Arrays;

/**
 * The character classes of google-research/bert's tokenization.py, precomputed for every code point so that the
 * tokenizer does one array read per character:
 * <ul>
 * <li>DROP: {@code _clean_text} removes U+0000, U+FFFD and {@code _is_control} characters, i.e. categories Cc and
 *     Cf except \t \n \r (the reference tests {@code cat in ("Cc", "Cf")}, not every C* category: unassigned Cn,
 *     private-use Co and surrogates Cs are kept);</li>
 * <li>SPACE: {@code _is_whitespace} (space, \t, \n, \r, Zs), which {@code _clean_text} turns into " "; plus U+2028
 *     and U+2029, which survive cleaning but on which Python's {@code str.split()} in {@code whitespace_tokenize}
 *     still splits (every other {@code str.isspace()} character is Cc and already dropped);</li>
 * <li>CJK: {@code _is_chinese_char}, the reference's exact ranges;</li>
 * <li>PUNCT: {@code _is_punctuation}, ASCII 33-47, 58-64, 91-96, 123-126 or category P*;</li>
 * <li>UNCASED_CHANGES: in do_lower_case mode the character is not kept as it is: {@code lower()}, then NFD, then
 *     dropping category Mn gives something else (see {@link #uncasedForm}).</li>
 * </ul>
 * Categories come from Java's {@link Character#getType(int)} (Unicode 13 on Java 17) with the overrides in
 * {@link UnicodeOverrides} that make them equal Python 3.11's {@code unicodedata} (Unicode 14) where the
 * versions differ; see docs/tokenizer.md.
 */
final class CharClass {
    static final byte DROP = 1;
    static final byte SPACE = 2;
    static final byte CJK = 4;
    static final byte PUNCT = 8;
    static final byte UNCASED_CHANGES = 16;

    private static final byte[] FLAGS = new byte[Character.MAX_CODE_POINT + 1];
    /** cp -> offset in FORM_POOL of {length, cp...}; filled for UNCASED_CHANGES code points. */
    private static final IntIntMap FORM_INDEX = new IntIntMap(1 << 16);
    private static int[] formPool = new int[1 << 16];
    private static int formPoolSize;

    static {
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) FLAGS[cp] = computeFlags(cp);
        for (int cp = 0x80; cp <= Character.MAX_CODE_POINT; cp++) computeUncasedForm(cp);
    }

    private CharClass() {}

    static int flags(int cp) { return FLAGS[cp]; }

    static boolean isPunctuation(int cp) { return (FLAGS[cp] & PUNCT) != 0; }

    static boolean isChineseChar(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF)
                || (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F)
                || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }

    /** Python's {@code unicodedata.category} as a Java type constant (with the Unicode-version overrides). */
    static int type(int cp) {
        int t = UnicodeOverrides.type(cp);
        return t >= 0 ? t : Character.getType(cp);
    }

    static boolean isPunctuationCategory(int type) {
        return type == Character.CONNECTOR_PUNCTUATION || type == Character.DASH_PUNCTUATION
                || type == Character.START_PUNCTUATION || type == Character.END_PUNCTUATION
                || type == Character.INITIAL_QUOTE_PUNCTUATION || type == Character.FINAL_QUOTE_PUNCTUATION
                || type == Character.OTHER_PUNCTUATION;
    }

    private static byte computeFlags(int cp) {
        int type = type(cp);
        int f = 0;
        boolean tabOrNewline = cp == '\t' || cp == '\n' || cp == '\r';
        if (cp == 0 || cp == 0xFFFD || (!tabOrNewline && (type == Character.CONTROL || type == Character.FORMAT))) {
            f |= DROP;
        } else if (cp == ' ' || tabOrNewline || type == Character.SPACE_SEPARATOR || cp == 0x2028 || cp == 0x2029) {
            f |= SPACE;
        }
        if (isChineseChar(cp)) f |= CJK;
        if (cp >= 'A' && cp <= 'Z') f |= UNCASED_CHANGES; // non-ASCII ones are found by computeUncasedForm
        if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)
                || isPunctuationCategory(type)) {
            f |= PUNCT;
        }
        return (byte) f;
    }

    /**
     * What one code point becomes in do_lower_case mode, character by character: Python's {@code lower()} (full
     * case mapping; U+0130 is the only unconditional multi-character one, U+03A3 is context-dependent and handled
     * by the tokenizer), then NFD, then without category Mn. The reference applies these to a whole
     * whitespace-delimited token; per character is the same except for canonical reordering of combining marks,
     * which only reorders characters that are almost all Mn and dropped anyway.
     */
    private static void computeUncasedForm(int cp) {
        int[] out = UnicodeOverrides.hasForm(cp) ? UnicodeOverrides.form(cp) : javaUncasedForm(cp, true);
        if (out == null || (out.length == 1 && out[0] == cp)) return;
        FLAGS[cp] |= UNCASED_CHANGES;
        if (formPoolSize + out.length + 1 > formPool.length) formPool = Arrays.copyOf(formPool, formPool.length * 2);
        FORM_INDEX.put(cp, formPoolSize);
        formPool[formPoolSize++] = out.length;
        for (int c : out) formPool[formPoolSize++] = c;
    }

    /**
     * The do_lower_case form of {@code cp} from Java's own Unicode data (categories with or without the overrides),
     * or null when the code point cannot change (unassigned, private use, surrogate, CJK unified ideograph).
     */
    static int[] javaUncasedForm(int cp, boolean withOverrides) {
        int type = withOverrides ? type(cp) : Character.getType(cp);
        if (type == Character.UNASSIGNED || type == Character.SURROGATE || type == Character.PRIVATE_USE) return null;
        if (isChineseChar(cp) && !(cp >= 0xF900 && cp <= 0xFAFF) && !(cp >= 0x2F800 && cp <= 0x2FA1F)) return null;
        String lower = cp == 0x130 ? "i\u0307" : new String(Character.toChars(Character.toLowerCase(cp)));
        String nfd = Normalizer.normalize(lower, Normalizer.Form.NFD);
        return nfd.codePoints()
                .filter(c -> (withOverrides ? type(c) : Character.getType(c)) != Character.NON_SPACING_MARK)
                .toArray();
    }

    /** The do_lower_case form the tokenizer uses for {@code cp}: its code points ({@code [cp]} when unchanged). */
    static int[] uncasedFormOf(int cp) {
        if (cp < 0x80) return new int[]{cp >= 'A' && cp <= 'Z' ? cp + 32 : cp};
        if ((FLAGS[cp] & UNCASED_CHANGES) == 0) return new int[]{cp};
        int at = FORM_INDEX.get(cp);
        return Arrays.copyOfRange(formPool, at + 1, at + 1 + formPool[at]);
    }

    /** Offset into {@link #formPool()} of {length, code points...} for a code point flagged UNCASED_CHANGES. */
    static int uncasedForm(int cp) { return FORM_INDEX.get(cp); }

    static int[] formPool() { return formPool; }

    /** Unicode's Cased property (Lowercase, Uppercase or Lt), for the final-sigma rule of {@code lower()}. */
    static boolean isCased(int cp) {
        return Character.isLowerCase(cp) || Character.isUpperCase(cp) || Character.isTitleCase(cp);
    }

    /**
     * Unicode's Case_Ignorable property: categories Mn, Me, Cf, Lm, Sk, or Word_Break MidLetter, MidNumLet or
     * Single_Quote (the explicit list).
     */
    static boolean isCaseIgnorable(int cp) {
        int t = type(cp);
        if (t == Character.NON_SPACING_MARK || t == Character.ENCLOSING_MARK || t == Character.FORMAT
                || t == Character.MODIFIER_LETTER || t == Character.MODIFIER_SYMBOL) return true;
        switch (cp) {
            case 0x27, 0x2E, 0x3A, 0xB7, 0x387, 0x55F, 0x5F4, 0x2018, 0x2019, 0x2024, 0x2027, 0xFE13, 0xFE52,
                 0xFE55, 0xFF07, 0xFF0E, 0xFF1A:
                return true;
            default:
                return false;
        }
    }

    /** A small open-addressing int -> int map (no boxing). */
    static final class IntIntMap {
        private int[] keys;
        private int[] values;
        private int size;

        IntIntMap(int capacity) {
            keys = new int[capacity];
            values = new int[capacity];
            Arrays.fill(keys, -1);
        }

        void put(int key, int value) {
            if ((size + 1) * 2 > keys.length) grow();
            int mask = keys.length - 1;
            int slot = mix(key) & mask;
            while (keys[slot] != -1 && keys[slot] != key) slot = (slot + 1) & mask;
            if (keys[slot] == -1) size++;
            keys[slot] = key;
            values[slot] = value;
        }

        int get(int key) {
            int mask = keys.length - 1;
            int slot = mix(key) & mask;
            while (true) {
                int k = keys[slot];
                if (k == key) return values[slot];
                if (k == -1) return -1;
                slot = (slot + 1) & mask;
            }
        }

        private void grow() {
            int[] oldKeys = keys, oldValues = values;
            keys = new int[oldKeys.length * 2];
            values = new int[oldKeys.length * 2];
            Arrays.fill(keys, -1);
            size = 0;
            for (int i = 0; i < oldKeys.length; i++) if (oldKeys[i] != -1) put(oldKeys[i], oldValues[i]);
        }

        private static int mix(int key) {
            int h = key * 0x9E3779B9;
            return h ^ (h >>> 16);
        }
    }
}
