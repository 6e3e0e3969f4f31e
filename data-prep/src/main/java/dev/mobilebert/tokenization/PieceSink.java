package dev.mobilebert.tokenization;

/** Receives word pieces as vocabulary ids with the span {@code [start, end)} of the original text they came from. */
@FunctionalInterface
public interface PieceSink {
    void piece(int id, int start, int end);
}
