package dev.mobilebert.jobs.pipeline;

import dev.mobilebert.corpus.EmbeddedCorpus;
import dev.mobilebert.corpus.SentenceSplitter;
import dev.mobilebert.io.AtomicOutput;
import dev.mobilebert.io.Fs;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the embedded English Europarl speeches to {@code RUN/corpus/} in BERT's input layout (a sentence per line,
 * a blank line between documents; a speech is a document), split by the project's sentence splitter — what the
 * prose reader would do with one file per speech, but as a few files instead of 1,266, so Spark runs a few tasks
 * instead of one per speech. Written atomically: an existing corpus directory is complete and reused.
 */
public final class EmbeddedCorpusFiles {
    public static final String DIR = "corpus";

    private EmbeddedCorpusFiles() {}

    /** Writes at most {@code maxSpeeches} speeches (0: all) into {@code files} files; returns the speeches written. */
    public static int write(Path dir, int maxSpeeches, int files) throws IOException {
        List<EmbeddedCorpus.Speech> speeches = EmbeddedCorpus.englishSpeeches();
        int n = maxSpeeches > 0 ? Math.min(maxSpeeches, speeches.size()) : speeches.size();
        List<StringBuilder> parts = new ArrayList<>();
        for (int f = 0; f < files; f++) parts.add(new StringBuilder());
        for (int i = 0; i < n; i++) {
            StringBuilder sb = parts.get(i % files);
            for (String paragraph : speeches.get(i).paragraphs()) {
                for (String sentence : SentenceSplitter.split(paragraph)) sb.append(sentence).append('\n');
            }
            sb.append('\n');
        }
        AtomicOutput.writeDirectory(dir, tmp -> {
            for (int f = 0; f < files; f++) {
                if (parts.get(f).length() == 0) continue;
                Path file = new Path(tmp, String.format("europarl-en-%02d.txt", f));
                try (var out = Fs.fs(file).create(file)) {
                    out.write(parts.get(f).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
            }
        });
        return n;
    }
}
