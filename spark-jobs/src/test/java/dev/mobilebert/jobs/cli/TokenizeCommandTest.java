package dev.mobilebert.jobs.cli;

import dev.mobilebert.jobs.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenizeCommandTest {
    @TempDir Path dir;

    Path vocab() throws Exception {
        Path v = dir.resolve("vocab.txt");
        Files.write(v, List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "!", "un", "##want", "##ed", "Hello"));
        return v;
    }

    static String run(InputStream stdin, String... args) {
        PrintStream oldOut = System.out;
        InputStream oldIn = System.in;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            if (stdin != null) System.setIn(stdin);
            assertEquals(0, Main.run(args));
        } finally {
            System.setOut(oldOut);
            System.setIn(oldIn);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void oneLineOfIdsPerInputLine() throws Exception {
        Path in = dir.resolve("in.txt");
        // CRLF, an empty line, invalid UTF-8 (dropped like the reference's errors="ignore"), no final newline
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write("Hello world!\r\n\nunwant".getBytes(StandardCharsets.UTF_8));
        bytes.write(0xFF);                      // never valid in UTF-8
        bytes.write("ed\n".getBytes(StandardCharsets.UTF_8));
        bytes.write(0xC3);                      // a truncated sequence
        bytes.write("un".getBytes(StandardCharsets.UTF_8));
        Files.write(in, bytes.toByteArray());
        String ids = run(null, "tokenize", "--vocab", vocab().toString(), "--input", in.toString());
        assertEquals("5 6 7\n\n8 9 10\n8\n", ids);
        String pieces = run(null, "tokenize", "--vocab", vocab().toString(), "--input", in.toString(), "--pieces", "--cased");
        assertEquals("Hello world !\n\nun ##want ##ed\nun\n", pieces); // "Hello" is in the vocab as it is
    }

    @Test
    void readsStandardInput() throws Exception {
        String out = run(new java.io.ByteArrayInputStream("hello\nworld\n".getBytes(StandardCharsets.UTF_8)),
                "tokenize", "--vocab", vocab().toString(), "--pieces");
        assertEquals("hello\nworld\n", out);
    }

    @Test
    void missingSpecialTokensNameTheFile() throws Exception {
        Path bad = dir.resolve("bad-vocab.txt");
        Files.write(bad, List.of("[PAD]", "[UNK]", "hello"));
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = Main.run("tokenize", "--vocab", bad.toString());
        } finally {
            System.setErr(oldErr);
        }
        assertNotEquals(0, code);
        String msg = err.toString(StandardCharsets.UTF_8);
        assertTrue(msg.contains("bad-vocab.txt") && msg.contains("[CLS]"), msg);
    }
}
