package dev.mobilebert.corpus;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads text lines from raw bytes without ever failing on them: invalid UTF-8 becomes U+FFFD (each malformed
 * sequence counted), NUL characters are removed, a leading BOM is dropped, and LF, CRLF and lone CR all end a
 * line. Lines of any length are read (a 1 MB line is kept whole and noted). Every repair goes to {@link Repairs}
 * with the file and line number.
 */
public final class LineReader implements Closeable {
    static final int LONG_LINE_BYTES = 1 << 20;

    private final InputStream in;
    private final String source;
    private final Repairs repairs;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int limit;
    private byte[] line = new byte[1024];
    private int lineLen;
    private long lineNumber;
    private long bytesRead;
    private boolean eof;
    private boolean pendingLf; // a CR ended the previous line: swallow a directly following LF
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);

    public LineReader(InputStream in, String source, Repairs repairs) {
        this.in = in;
        this.source = source;
        this.repairs = repairs;
    }

    /** The 1-based number of the line last returned. */
    public long lineNumber() {
        return lineNumber;
    }

    /** Bytes of (decompressed) input consumed so far. */
    public long bytesRead() {
        return bytesRead;
    }

    public String where() {
        return source + ":" + lineNumber;
    }

    /** The next line without its terminator, or null at the end of the input. */
    public String readLine() throws IOException {
        if (eof && pos >= limit) return null;
        lineLen = 0;
        boolean sawCr = false;
        boolean any = false;
        while (true) {
            if (pos >= limit) {
                limit = in.read(buf, 0, buf.length);
                pos = 0;
                if (limit > 0) bytesRead += limit;
                if (limit <= 0) {
                    limit = 0;
                    eof = true;
                    if (!any) return null;
                    break;
                }
            }
            byte b = buf[pos++];
            if (pendingLf) {
                pendingLf = false;
                if (b == '\n') continue;
            }
            any = true;
            if (b == '\n') break;
            if (b == '\r') {
                sawCr = true;
                pendingLf = true;
                break;
            }
            append(b);
        }
        lineNumber++;
        if (sawCr) repairs.add(Repairs.CRLF, where());
        return decode();
    }

    private void append(byte b) {
        if (lineLen == line.length) line = java.util.Arrays.copyOf(line, line.length * 2);
        line[lineLen++] = b;
    }

    private String decode() {
        int start = 0;
        if (lineNumber == 1 && lineLen >= 3 && (line[0] & 0xff) == 0xEF && (line[1] & 0xff) == 0xBB && (line[2] & 0xff) == 0xBF) {
            start = 3;
            repairs.add(Repairs.BOM, where());
        }
        if (lineLen > LONG_LINE_BYTES) repairs.add(Repairs.LONG_LINE, where());
        ByteBuffer bytes = ByteBuffer.wrap(line, start, lineLen - start);
        CharBuffer out = CharBuffer.allocate(lineLen - start + 16);
        decoder.reset();
        long malformed = 0;
        while (true) {
            CoderResult r = decoder.decode(bytes, out, true);
            if (r.isUnderflow()) break;
            if (r.isOverflow()) {
                out = grow(out);
                continue;
            }
            // malformed or unmappable: one replacement character per bad sequence, as Python's 'replace' does
            if (!out.hasRemaining()) out = grow(out);
            out.put('\uFFFD');
            bytes.position(bytes.position() + r.length());
            malformed++;
        }
        decoder.flush(out);
        repairs.add(Repairs.INVALID_UTF8, where(), malformed);
        out.flip();
        String s = out.toString();
        if (s.indexOf('\0') >= 0) {
            int before = s.length();
            s = s.replace("\0", "");
            repairs.add(Repairs.NUL, where(), before - s.length());
        }
        // a BOM that survives elsewhere (concatenated files) is noise too
        if (s.indexOf('\uFEFF') >= 0) {
            int before = s.length();
            s = s.replace("\uFEFF", "");
            repairs.add(Repairs.BOM, where(), before - s.length());
        }
        return s;
    }

    private static CharBuffer grow(CharBuffer out) {
        CharBuffer bigger = CharBuffer.allocate(out.capacity() * 2 + 16);
        out.flip();
        bigger.put(out);
        return bigger;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
