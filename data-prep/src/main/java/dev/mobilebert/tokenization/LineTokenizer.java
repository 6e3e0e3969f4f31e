package dev.mobilebert.tokenization;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/**
 * {@code bin/mobilebert tokenize}: one output line per input line (lines end at "\n" only; a "\r" before it is
 * whitespace to the tokenizer anyway), the line's pieces as space-separated ids or as the pieces themselves, no
 * [CLS]/[SEP]. Invalid UTF-8 is decoded to U+FFFD, which the tokenizer drops — the reference's
 * {@code convert_to_unicode} drops undecodable bytes too ({@code errors="ignore"}).
 */
public final class LineTokenizer {
    private final FullTokenizer tokenizer;
    private final boolean pieces;

    public LineTokenizer(FullTokenizer tokenizer, boolean pieces) {
        this.tokenizer = tokenizer;
        this.pieces = pieces;
    }

    /** Tokenizes every line of {@code in} to {@code out}; returns the number of lines. */
    public long run(InputStream in, OutputStream out) throws IOException {
        Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8);
        Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        char[] buf = new char[1 << 16];
        StringBuilder line = new StringBuilder();
        long lines = 0;
        int n;
        boolean pending = false;
        while ((n = reader.read(buf)) > 0) {
            int from = 0;
            for (int i = 0; i < n; i++) {
                if (buf[i] == '\n') {
                    line.append(buf, from, i - from);
                    write(line, writer);
                    line.setLength(0);
                    lines++;
                    from = i + 1;
                }
            }
            line.append(buf, from, n - from);
            pending = line.length() > 0;
        }
        if (pending) {
            write(line, writer);
            lines++;
        }
        writer.flush();
        return lines;
    }

    private void write(CharSequence line, Writer w) throws IOException {
        boolean[] first = {true};
        IOException[] error = {null};
        tokenizer.encode(line, (id, start, end) -> {
            try {
                if (!first[0]) w.write(' ');
                first[0] = false;
                if (pieces) w.write(tokenizer.vocab().token(id));
                else w.write(Integer.toString(id));
            } catch (IOException e) {
                error[0] = e;
            }
        });
        if (error[0] != null) throw error[0];
        w.write('\n');
    }
}
