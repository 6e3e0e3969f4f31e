package dev.mobilebert.tokenization;

/**
 * One word piece of a text: its vocabulary entry and the span of the ORIGINAL text it came from.
 * {@code start}/{@code end} are UTF-16 indices into the Java String that was tokenized
 * ({@code text.substring(start, end)} is the source of the piece). Pieces of one word that came from the same
 * source character (an NFD expansion) share that character's span; a word turned into [UNK] spans the whole word.
 */
public record Token(String piece, int id, int start, int end) {
}
