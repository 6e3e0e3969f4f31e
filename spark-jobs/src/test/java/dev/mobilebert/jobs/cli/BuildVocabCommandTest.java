package dev.mobilebert.jobs.cli;

import dev.mobilebert.jobs.Main;
import dev.mobilebert.testing.LocalSpark;
import dev.mobilebert.testing.SharedData;
import dev.mobilebert.tokenization.FullTokenizer;
import dev.mobilebert.tokenization.Vocab;
import dev.mobilebert.tokenization.VocabularyBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** build-vocab on local[2]: the Spark word counts give exactly the vocabulary the library builds from local counts. */
class BuildVocabCommandTest {
    @TempDir Path dir;

    @Test
    void sparkCountsGiveTheSameVocabularyAsLocalCounts() throws Exception {
        LocalSpark.session(); // the shared local[2] session: the command reuses it
        Path book = SharedData.require(SharedData.gutenberg().resolve("christmas_carol.txt"));
        List<String> lines = Files.readAllLines(book, StandardCharsets.UTF_8);
        // the same text split over a plain file and a gzipped one in a directory
        Path corpus = Files.createDirectories(dir.resolve("corpus"));
        int half = lines.size() / 2;
        Files.write(corpus.resolve("a.txt"), lines.subList(0, half), StandardCharsets.UTF_8);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(corpus.resolve("b.txt.gz")))) {
            out.write((String.join("\n", lines.subList(half, lines.size())) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        Path vocab = dir.resolve("out/vocab.txt");
        int code = Main.run("build-vocab", "--input", corpus.toString(), "--size", "600", "--out", vocab.toString(),
                "--master", "local[2]");
        assertEquals(0, code);
        List<String> built = Files.readAllLines(vocab, StandardCharsets.UTF_8);
        List<String> expected = VocabularyBuilder.build(VocabularyBuilder.countWords(lines, true),
                VocabularyBuilder.Options.of(600)).tokens();
        assertEquals(expected, built);
        assertEquals(600, built.size());
        assertEquals("[UNK]", built.get(1 + 6));  // [PAD], 6 x [unused], [UNK]
        // no temporary leftovers next to the output
        try (var files = Files.list(vocab.getParent())) {
            assertEquals(List.of(), files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("_tmp.")).toList());
        }
        FullTokenizer tok = new FullTokenizer(Vocab.load(vocab), true);
        List<String> pieces = new ArrayList<>(tok.tokenize("Marley was dead: to begin with."));
        assertFalse(pieces.contains("[UNK]"), pieces.toString());
        assertTrue(pieces.size() <= 14, pieces.toString());
    }
}
