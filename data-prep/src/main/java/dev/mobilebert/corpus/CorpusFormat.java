package dev.mobilebert.corpus;

/** How a corpus file is laid out. */
public enum CorpusFormat {
    /** BERT's create_pretraining_data.py input: one sentence per line, blank lines between documents. */
    BERT,
    /** Plain prose: paragraphs separated by blank lines, hard-wrapped lines joined; one file is one document. */
    PROSE,
    /** A Project Gutenberg book: license header and footer removed, then read as prose; one book is one document. */
    GUTENBERG,
    /** GUTENBERG when the file carries a Project Gutenberg START marker in its first 64 KB, else BERT. */
    AUTO
}
