package dev.mobilebert.jobs.cli;

import dev.mobilebert.io.Fs;
import dev.mobilebert.tokenization.FullTokenizer;
import dev.mobilebert.tokenization.LineTokenizer;
import dev.mobilebert.tokenization.Vocab;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.InputStream;
import java.util.concurrent.Callable;

@Command(name = "tokenize",
        description = "Tokenize text with BERT's FullTokenizer: one output line of word-piece ids (or pieces) per input line, without [CLS]/[SEP].")
public final class TokenizeCommand implements Callable<Integer> {
    @Option(names = "--vocab", required = true, paramLabel = "FILE", description = "WordPiece vocabulary (one token per line, BERT format).")
    String vocab;

    @Option(names = "--cased", description = "Keep case and accents (do_lower_case=false).")
    boolean cased;

    @Option(names = "--pieces", description = "Print the word pieces instead of their ids.")
    boolean pieces;

    @Option(names = "--input", paramLabel = "FILE", description = "Text to tokenize (any Hadoop path); standard input when absent.")
    String input;

    @Override
    public Integer call() throws Exception {
        FullTokenizer tokenizer = new FullTokenizer(Vocab.load(vocab), !cased);
        LineTokenizer lines = new LineTokenizer(tokenizer, pieces);
        if (input == null) {
            lines.run(System.in, System.out);
        } else {
            try (InputStream in = Fs.open(Fs.path(input))) {
                lines.run(in, System.out);
            }
        }
        System.out.flush();
        return 0;
    }
}
