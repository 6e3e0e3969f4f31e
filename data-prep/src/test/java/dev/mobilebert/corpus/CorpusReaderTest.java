package dev.mobilebert.corpus;

import dev.mobilebert.io.Fs;
import dev.mobilebert.testing.SharedData;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.compress.BZip2Codec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.*;

class CorpusReaderTest {
    @TempDir Path dir;

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    List<Document> read(String name, byte[] content, CorpusFormat format, Repairs repairs) throws Exception {
        Path f = dir.resolve(name);
        Files.write(f, content);
        return CorpusReader.readAll(Fs.path(f.toString()), format, repairs);
    }

    @Test
    void bertFormatSplitsDocumentsAtBlankLinesAndRepairsBadBytes() throws Exception {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] bad = {(byte) 0xC3, (byte) 0x28, (byte) 0xFF};
        byte[] content = concat(bom, utf8("First sentence.\r\nSecond one.\r\n\r\n   \r\n"),
                utf8("Other doc with NUL\0 inside.\n"), utf8("Bad "), bad, utf8(" bytes.\n\n\n"), utf8("Lonely sentence without newline"));
        Repairs r = new Repairs();
        List<Document> docs = read("c.txt", content, CorpusFormat.BERT, r);
        assertEquals(3, docs.size());
        assertEquals(List.of("First sentence.", "Second one."), docs.get(0).sentences());
        assertEquals("Other doc with NUL inside.", docs.get(1).sentences().get(0));
        assertEquals("Bad \uFFFD(\uFFFD bytes.", docs.get(1).sentences().get(1));
        assertEquals(List.of("Lonely sentence without newline"), docs.get(2).sentences());
        assertEquals(List.of(0, 1, 2), docs.stream().map(Document::ordinal).toList());
        assertEquals(1, r.count(Repairs.BOM));
        assertEquals(1, r.count(Repairs.NUL));
        assertEquals(2, r.count(Repairs.INVALID_UTF8));
        assertEquals(4, r.count(Repairs.CRLF));
        assertTrue(r.firstSeen(Repairs.INVALID_UTF8).endsWith("c.txt:6"), r.firstSeen(Repairs.INVALID_UTF8));
        assertTrue(r.firstSeen(Repairs.NUL).endsWith("c.txt:5"));
    }

    @Test
    void compressedInputsAreDecodedByExtension() throws Exception {
        String text = "One.\nTwo.\n\nThree.\n";
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (OutputStream o = new GZIPOutputStream(gz)) { o.write(utf8(text)); }
        ByteArrayOutputStream bz = new ByteArrayOutputStream();
        BZip2Codec codec = new BZip2Codec();
        codec.setConf(new Configuration());
        try (OutputStream o = codec.createOutputStream(bz)) { o.write(utf8(text)); }
        for (var e : List.of(new Object[]{"a.txt.gz", gz.toByteArray()}, new Object[]{"a.txt.bz2", bz.toByteArray()})) {
            List<Document> docs = read((String) e[0], (byte[]) e[1], CorpusFormat.BERT, new Repairs());
            assertEquals(List.of(List.of("One.", "Two."), List.of("Three.")), docs.stream().map(Document::sentences).toList(), (String) e[0]);
        }
    }

    @Test
    void aOneMegabyteLineIsReadWholeAndNoted() throws Exception {
        String big = "word ".repeat(250_000); // 1.25 MB
        Repairs r = new Repairs();
        List<Document> docs = read("big.txt", utf8("short.\n" + big + "\nend.\n"), CorpusFormat.BERT, r);
        assertEquals(1, docs.size());
        assertEquals(big.strip(), docs.get(0).sentences().get(1));
        assertEquals(1, r.count(Repairs.LONG_LINE));
    }

    @Test
    void proseIsSplitIntoSentencesAcrossWrappedLines() throws Exception {
        String prose = "Mr. Smith went to\nWashington. He met Dr. Jones at 5 p.m. and they\ntalked.\n\nMrs. Bennet spoke. It ended.\n";
        List<Document> docs = read("p.txt", utf8(prose), CorpusFormat.PROSE, new Repairs());
        assertEquals(1, docs.size());
        assertEquals(List.of("Mr. Smith went to Washington.", "He met Dr. Jones at 5 p.m. and they talked.",
                "Mrs. Bennet spoke.", "It ended."), docs.get(0).sentences());
    }

    @Test
    void gutenbergHeaderAndFooterAreStripped() throws Exception {
        String book = "The Project Gutenberg EBook of X\r\nLicense blah.\r\n\r\n*** START OF THIS PROJECT GUTENBERG EBOOK X ***\r\n\r\n"
                + "CHAPTER I.\r\n\r\nIt was a dark night. The end came.\r\n\r\n*** END OF THIS PROJECT GUTENBERG EBOOK X ***\r\nMore license.\r\n";
        Repairs r = new Repairs();
        List<Document> docs = read("b.txt", utf8(book), CorpusFormat.AUTO, r);
        assertEquals(List.of("CHAPTER I.", "It was a dark night.", "The end came."), docs.get(0).sentences());
        String old = "Header\n*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*\n\nBody text here.\n\nEnd of the Project Gutenberg Etext of Y\nfooter\n";
        assertEquals(List.of("Body text here."), read("o.txt", utf8(old), CorpusFormat.GUTENBERG, r).get(0).sentences());
        assertEquals(List.of("No markers at all."), read("n.txt", utf8("No markers at all.\n"), CorpusFormat.GUTENBERG, r).get(0).sentences());
        assertEquals(1, r.count(Repairs.GUTENBERG_NO_START));
        assertEquals(1, r.count(Repairs.GUTENBERG_NO_END));
    }

    @Test
    void realGutenbergBookLosesItsLicenseAndKeepsItsText() throws Exception {
        Path book = SharedData.require(SharedData.gutenberg().resolve("pride_and_prejudice.txt"));
        Repairs r = new Repairs();
        assertEquals(CorpusFormat.GUTENBERG, CorpusReader.sniff(Fs.path(book.toString())));
        List<Document> docs = CorpusReader.readAll(Fs.path(book.toString()), CorpusFormat.AUTO, r);
        assertEquals(1, docs.size());
        List<String> s = docs.get(0).sentences();
        assertTrue(s.size() > 4000, "sentences: " + s.size());
        assertTrue(s.stream().anyMatch(x -> x.startsWith("It is a truth universally acknowledged")));
        assertTrue(s.stream().noneMatch(x -> x.contains("Project Gutenberg") || x.contains("PROJECT GUTENBERG")),
                () -> s.stream().filter(x -> x.contains("Gutenberg")).findFirst().orElse(""));
        assertEquals(0, r.count(Repairs.GUTENBERG_NO_START));
        assertEquals(0, r.count(Repairs.GUTENBERG_NO_END));
    }
}
