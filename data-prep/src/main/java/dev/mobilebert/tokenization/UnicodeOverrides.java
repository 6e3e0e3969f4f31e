package dev.mobilebert.tokenization;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Where Java's Unicode data (Java 17: Unicode 13.0) and CPython 3.11's {@code unicodedata} (Unicode 14.0, what
 * the reference tokenizer runs on) disagree, the reference wins: {@code unicode-overrides.txt} lists, for each such
 * code point, Python's general category and what Python's {@code lower()} + NFD + dropping Mn makes of it. It is
 * generated and checked against CPython by {@code UnicodeTableTest} (rerun it with
 * {@code -Dmobilebert.writeUnicodeOverrides=true} after a JDK or Python upgrade). Line format:
 * {@code HEX CATEGORY FORM}, FORM being {@code =} (unchanged), {@code -} (nothing left) or comma-separated hex.
 */
final class UnicodeOverrides {
    static final String RESOURCE = "unicode-overrides.txt";
    private static final String[] CODES = new String[32];
    private static final Map<String, Integer> TYPES = new HashMap<>();
    private static final Map<Integer, Integer> TYPE = new HashMap<>();
    private static final Map<Integer, int[]> FORM = new HashMap<>();

    static {
        String[][] names = {
                {"Cn", "" + Character.UNASSIGNED}, {"Lu", "" + Character.UPPERCASE_LETTER}, {"Ll", "" + Character.LOWERCASE_LETTER},
                {"Lt", "" + Character.TITLECASE_LETTER}, {"Lm", "" + Character.MODIFIER_LETTER}, {"Lo", "" + Character.OTHER_LETTER},
                {"Mn", "" + Character.NON_SPACING_MARK}, {"Me", "" + Character.ENCLOSING_MARK}, {"Mc", "" + Character.COMBINING_SPACING_MARK},
                {"Nd", "" + Character.DECIMAL_DIGIT_NUMBER}, {"Nl", "" + Character.LETTER_NUMBER}, {"No", "" + Character.OTHER_NUMBER},
                {"Zs", "" + Character.SPACE_SEPARATOR}, {"Zl", "" + Character.LINE_SEPARATOR}, {"Zp", "" + Character.PARAGRAPH_SEPARATOR},
                {"Cc", "" + Character.CONTROL}, {"Cf", "" + Character.FORMAT}, {"Co", "" + Character.PRIVATE_USE},
                {"Cs", "" + Character.SURROGATE}, {"Pd", "" + Character.DASH_PUNCTUATION}, {"Ps", "" + Character.START_PUNCTUATION},
                {"Pe", "" + Character.END_PUNCTUATION}, {"Pc", "" + Character.CONNECTOR_PUNCTUATION}, {"Po", "" + Character.OTHER_PUNCTUATION},
                {"Sm", "" + Character.MATH_SYMBOL}, {"Sc", "" + Character.CURRENCY_SYMBOL}, {"Sk", "" + Character.MODIFIER_SYMBOL},
                {"So", "" + Character.OTHER_SYMBOL}, {"Pi", "" + Character.INITIAL_QUOTE_PUNCTUATION}, {"Pf", "" + Character.FINAL_QUOTE_PUNCTUATION}};
        for (String[] n : names) {
            int t = Integer.parseInt(n[1]);
            CODES[t] = n[0];
            TYPES.put(n[0], t);
        }
        load();
    }

    private UnicodeOverrides() {}

    /** Python's category of {@code cp} as a Java type constant, or -1 where Java already agrees. */
    static int type(int cp) {
        Integer t = TYPE.get(cp);
        return t == null ? -1 : t;
    }

    /** Python's do_lower_case form of {@code cp} where it differs from Java's computation, else null. */
    static int[] form(int cp) { return FORM.get(cp); }

    static boolean hasForm(int cp) { return FORM.containsKey(cp); }

    /** The two-letter category name of a Java type constant ("Lu", "Po", ...). */
    static String code(int javaType) { return CODES[javaType]; }

    /** The Java type constant of a two-letter category name. */
    static int javaType(String code) {
        Integer t = TYPES.get(code);
        if (t == null) throw new IllegalArgumentException("unknown Unicode category " + code);
        return t;
    }

    private static void load() {
        InputStream in = UnicodeOverrides.class.getResourceAsStream(RESOURCE);
        if (in == null) return;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] f = line.trim().split(" ");
                if (f.length != 3) throw new IllegalStateException(RESOURCE + " line " + n + ": expected 3 fields: " + line);
                int cp = Integer.parseInt(f[0], 16);
                TYPE.put(cp, javaType(f[1]));
                if (!f[2].equals("=")) FORM.put(cp, parseForm(f[2]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    static int[] parseForm(String s) {
        if (s.equals("-")) return new int[0];
        String[] parts = s.split(",");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) out[i] = Integer.parseInt(parts[i], 16);
        return out;
    }
}
