package dev.mobilebert.tasks;

import dev.mobilebert.io.Fs;
import org.apache.hadoop.fs.Path;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A GLUE TSV file read the way BERT's {@code _read_tsv} does ({@code csv.reader(delimiter="\t", quotechar=None)}):
 * fields split at every tab, quotes are ordinary characters, lines end at \n, \r\n or \r. A byte-order mark at the
 * start of the file (MRPC has one) is dropped. Each row keeps its 1-based line number for error messages.
 */
public record TsvFile(String name, List<Row> rows) {

    public record Row(long line, String[] fields) {
        public int size() {
            return fields.length;
        }

        public String get(int i) {
            return fields[i];
        }

        @Override
        public String toString() {
            return line + ":" + Arrays.toString(fields);
        }
    }

    public static TsvFile read(Path path) throws IOException {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Fs.open(path), StandardCharsets.UTF_8))) {
            return parse(path.toString(), in);
        }
    }

    public static TsvFile parse(String name, BufferedReader in) throws IOException {
        List<Row> rows = new ArrayList<>();
        long lineNo = 0;
        // BufferedReader.readLine splits at \n, \r and \r\n, like Python's universal newlines
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            lineNo++;
            if (lineNo == 1 && line.startsWith("\uFEFF")) line = line.substring(1);
            rows.add(new Row(lineNo, split(line)));
        }
        return new TsvFile(name, rows);
    }

    /** Splits at every tab; an empty line has no fields (as csv.reader gives {@code []}). */
    static String[] split(String line) {
        if (line.isEmpty()) return new String[0];
        return line.split("\t", -1);
    }
}
