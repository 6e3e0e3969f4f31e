package dev.mobilebert.corpus;

import dev.mobilebert.io.Fs;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Reads a corpus file (any Hadoop filesystem; .gz, .bz2 and the other Hadoop codecs decompressed by extension)
 * into {@link Document}s, streaming: a BERT-format file of any size is never held whole in memory, a prose or
 * Gutenberg file (one document) is. Never throws on content; repairs go to {@link Repairs}.
 */
public final class CorpusReader {
    /** Current and older Gutenberg header ends: "*** START OF THE/THIS PROJECT GUTENBERG EBOOK ...", "*END*THE SMALL PRINT". */
    static final Pattern GUTENBERG_START = Pattern.compile(
            "(?i)^\\s*\\*{3}\\s*START OF (THE |THIS )?PROJECT GUTENBERG.*|^\\s*\\*END\\*THE SMALL PRINT.*");
    /** Footer starts: "*** END OF THE/THIS PROJECT GUTENBERG EBOOK", "End of (the) Project Gutenberg('s) EBook/Etext". */
    static final Pattern GUTENBERG_END = Pattern.compile(
            "(?i)^\\s*\\*{3}\\s*END OF (THE |THIS )?PROJECT GUTENBERG.*|^\\s*End of (the )?Project Gutenberg('s)? (e-?book|etext).*"
                    + "|^\\s*\\*{3}\\s*START: FULL LICENSE.*");
    private static final int SNIFF_BYTES = 64 * 1024;

    private CorpusReader() {}

    /**
     * Reads {@code file} in {@code format}, handing each document to {@code sink} (a prose/Gutenberg file's one
     * document even when it is empty); returns the number of decompressed bytes read.
     */
    public static long read(Path file, CorpusFormat format, Repairs repairs, Consumer<Document> sink) throws IOException {
        CorpusFormat f = format == CorpusFormat.AUTO ? sniff(file) : format;
        String source = file.toString();
        try (LineReader lines = new LineReader(open(file), source, repairs)) {
            switch (f) {
                case BERT -> readBert(lines, source, sink);
                case PROSE -> sink.accept(readProse(lines, source, repairs, false));
                case GUTENBERG -> sink.accept(readProse(lines, source, repairs, true));
                default -> throw new IllegalArgumentException("format " + f);
            }
            return lines.bytesRead();
        }
    }

    public static List<Document> readAll(Path file, CorpusFormat format, Repairs repairs) throws IOException {
        List<Document> docs = new ArrayList<>();
        read(file, format, repairs, docs::add);
        return docs;
    }

    /** The decompressed content of {@code file}, the codec chosen by its extension. */
    public static InputStream open(Path file) throws IOException {
        Configuration conf = Fs.conf();
        CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(file);
        InputStream raw = Fs.open(file);
        return new BufferedInputStream(codec == null ? raw : codec.createInputStream(raw), 1 << 16);
    }

    /** What {@link CorpusFormat#AUTO} resolves to for this file. */
    public static CorpusFormat sniff(Path file) throws IOException {
        try (InputStream in = open(file)) {
            String head = new String(in.readNBytes(SNIFF_BYTES), StandardCharsets.UTF_8);
            for (String line : head.split("\r\n|\r|\n")) {
                if (GUTENBERG_START.matcher(line).matches()) return CorpusFormat.GUTENBERG;
            }
            return CorpusFormat.BERT;
        }
    }

    /** BERT's reader: stripped lines are sentences, a blank (or whitespace-only) line ends a document. */
    private static void readBert(LineReader lines, String source, Consumer<Document> sink) throws IOException {
        int ordinal = 0;
        List<String> sentences = new ArrayList<>();
        long first = 1;
        String line;
        while ((line = lines.readLine()) != null) {
            String s = line.strip();
            if (s.isEmpty()) {
                if (!sentences.isEmpty()) sink.accept(new Document(source, ordinal++, first, sentences));
                sentences = new ArrayList<>();
                continue;
            }
            if (sentences.isEmpty()) first = lines.lineNumber();
            sentences.add(s);
        }
        if (!sentences.isEmpty()) sink.accept(new Document(source, ordinal, first, sentences));
    }

    /** Paragraphs (blank-line separated, wrapped lines joined) split into sentences; the whole file is one document. */
    private static Document readProse(LineReader lines, String source, Repairs repairs, boolean gutenberg) throws IOException {
        List<String> all = new ArrayList<>();
        String line;
        while ((line = lines.readLine()) != null) all.add(line);
        int from = 0;
        int to = all.size();
        if (gutenberg) {
            int start = indexOf(all, GUTENBERG_START, 0);
            if (start < 0) repairs.add(Repairs.GUTENBERG_NO_START, source);
            else from = start + 1;
            int end = indexOf(all, GUTENBERG_END, from);
            if (end < 0) repairs.add(Repairs.GUTENBERG_NO_END, source);
            else to = end;
        }
        List<String> sentences = new ArrayList<>();
        StringBuilder paragraph = new StringBuilder();
        long firstLine = from + 1;
        for (int i = from; i <= to; i++) {
            String l = i < to ? all.get(i).strip() : "";
            if (!l.isEmpty()) {
                if (paragraph.length() > 0) paragraph.append(' ');
                paragraph.append(l);
            } else if (paragraph.length() > 0) {
                sentences.addAll(SentenceSplitter.split(paragraph.toString()));
                paragraph.setLength(0);
            }
        }
        if (all.isEmpty()) repairs.add(Repairs.EMPTY_FILE, source);
        return new Document(source, 0, firstLine, sentences);
    }

    private static int indexOf(List<String> lines, Pattern p, int from) {
        for (int i = from; i < lines.size(); i++) {
            if (p.matcher(lines.get(i)).matches()) return i;
        }
        return -1;
    }
}
