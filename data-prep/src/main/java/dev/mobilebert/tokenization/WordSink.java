package dev.mobilebert.tokenization;

/**
 * Receives the words of {@link BasicTokenizer} without a String per word: the word is {@code chars[0, length)}
 * ({@code codePoints} code points); character k came from {@code text[starts[k], ends[k])} of the original text.
 * The arrays are reused for the next word: copy what you keep.
 */
@FunctionalInterface
public interface WordSink {
    void word(char[] chars, int length, int codePoints, int[] starts, int[] ends);
}
