package dev.mobilebert.tasks;

import dev.mobilebert.io.Fs;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the official GLUE files into {@link GlueExample}s with the columns, guids and labels of BERT's
 * {@code run_classifier.py} processors (CoLA, MRPC, MNLI) and, for the tasks BERT has no processor for,
 * Hugging Face's GLUE processors, which follow the same conventions. Every row is checked: a wrong column count,
 * an unknown label or an unparsable score is an error naming the file and line.
 */
public final class GlueReader {
    /** Label column "last field", as the processors' {@code line[-1]}. */
    private static final int LAST = -2;
    private static final int NONE = -1;

    /**
     * Where things are in one file type. {@code idColumn} NONE: the index is the row position and the guid uses
     * the line number (BERT's {@code "%s-%s" % (set_type, i)}); otherwise both use that column.
     * {@code exactColumns}: every row has as many fields as the header (or {@code fixedColumns} when header-less).
     */
    private record Layout(boolean header, int fixedColumns, int textA, int textB, int label, int idColumn,
                          boolean exactColumns, boolean skipShortRows) {
        /** CoLA, SST-2 and MRPC processors number guids by line even where the file has an index column. */
        boolean guidByLine(GlueTask task) {
            return idColumn == NONE || task == GlueTask.COLA || task == GlueTask.SST2 || task == GlueTask.MRPC;
        }

        int needed() {
            return Math.max(Math.max(textA, textB), Math.max(label, idColumn)) + 1;
        }
    }

    private GlueReader() {}

    public static GlueDataset read(GlueTask task, String location) throws IOException {
        Path p = Fs.path(location);
        return read(task, Split.fromFileName(p.getName()), p);
    }

    public static GlueDataset read(GlueTask task, Split split, Path path) throws IOException {
        checkMnliHalf(task, path.getName());
        return read(task, split, TsvFile.read(path));
    }

    /** dev_mismatched.tsv scored as MNLI (matched) would silently give the wrong number. */
    static void checkMnliHalf(GlueTask task, String fileName) {
        String n = fileName.toLowerCase(java.util.Locale.ROOT);
        if (task == GlueTask.MNLI && n.contains("mismatched")) {
            throw new IllegalArgumentException(fileName + " is MNLI's mismatched half: use the task MNLI-mm");
        }
        if (task == GlueTask.MNLI_MM && n.contains("_matched")) {
            throw new IllegalArgumentException(fileName + " is MNLI's matched half: use the task MNLI (MNLI-m)");
        }
    }

    public static GlueDataset read(GlueTask task, Split split, TsvFile file) {
        Layout layout = layout(task, split);
        List<GlueExample> examples = new ArrayList<>();
        List<Long> skipped = new ArrayList<>();
        List<TsvFile.Row> rows = file.rows();
        int columns = layout.fixedColumns;
        int first = 0;
        if (layout.header) {
            if (rows.isEmpty()) throw new BadInputException(file.name() + ": empty file, expected a header row");
            columns = rows.get(0).size();
            if (columns < layout.needed()) {
                throw BadInputException.at(file.name(), 1, "the header has " + columns + " columns; "
                        + task.serverName() + " " + split.name().toLowerCase() + " files have at least " + layout.needed());
            }
            first = 1;
        }
        for (int i = first; i < rows.size(); i++) {
            TsvFile.Row row = rows.get(i);
            if (row.size() < layout.needed() && layout.skipShortRows) {
                skipped.add(row.line());
                continue;
            }
            checkColumns(file.name(), row, layout, columns);
            examples.add(example(task, split, layout, row, i, examples.size(), file.name()));
        }
        return new GlueDataset(task, split, file.name(), List.copyOf(examples), List.copyOf(skipped));
    }

    private static void checkColumns(String file, TsvFile.Row row, Layout layout, int columns) {
        if (row.size() == 0) throw BadInputException.at(file, row.line(), "empty line");
        boolean ok = layout.exactColumns ? row.size() == columns : row.size() >= layout.needed();
        if (!ok) {
            throw BadInputException.at(file, row.line(), "expected " + (layout.exactColumns ? "" : "at least ")
                    + (layout.exactColumns ? columns : layout.needed()) + " tab-separated columns, found " + row.size());
        }
    }

    private static GlueExample example(GlueTask task, Split split, Layout layout, TsvFile.Row row, int lineIndex,
                                       int position, String file) {
        String id = layout.idColumn == NONE ? null : row.get(layout.idColumn);
        String guid = setType(task, split) + "-" + (layout.guidByLine(task) ? Integer.toString(lineIndex) : id);
        String index = id == null ? Integer.toString(position) : id;
        String textA = row.get(layout.textA);
        String textB = layout.textB == NONE ? null : row.get(layout.textB);
        String label = null;
        if (layout.label != NONE) {
            label = row.get(layout.label == LAST ? row.size() - 1 : layout.label);
            checkLabel(task, label, file, row.line());
        }
        return new GlueExample(guid, textA, textB, label, index);
    }

    static void checkLabel(GlueTask task, String label, String file, long line) {
        if (task.isRegression()) {
            double v;
            try {
                v = Double.parseDouble(label);
            } catch (NumberFormatException e) {
                throw BadInputException.at(file, line, "the " + task.serverName() + " score '" + label + "' is not a number");
            }
            if (!Double.isFinite(v)) throw BadInputException.at(file, line, "the score '" + label + "' is not finite");
        } else if (task.labelId(label) < 0) {
            throw BadInputException.at(file, line, "unknown " + task.serverName() + " label '" + label
                    + "'; expected one of " + task.labels());
        }
    }

    /** The processors' set_type, which prefixes every guid. */
    static String setType(GlueTask task, Split split) {
        return switch (task) {
            case MNLI -> split == Split.TRAIN ? "train" : split == Split.DEV ? "dev_matched" : "test_matched";
            case MNLI_MM -> split == Split.TRAIN ? "train" : split == Split.DEV ? "dev_mismatched" : "test_mismatched";
            default -> split.name().toLowerCase();
        };
    }

    private static Layout layout(GlueTask task, Split split) {
        boolean test = split == Split.TEST;
        return switch (task) {
            // BERT's ColaProcessor: "Only the test set has a header"; train/dev: source, label, original label, sentence
            case COLA -> test ? new Layout(true, 0, 1, NONE, NONE, 0, true, false)
                    : new Layout(false, 4, 3, NONE, 1, NONE, true, false);
            case SST2 -> test ? new Layout(true, 0, 1, NONE, NONE, 0, true, false)
                    : new Layout(true, 0, 0, NONE, 1, NONE, true, false);
            // BERT's MrpcProcessor: Quality, #1 ID, #2 ID, #1 String, #2 String; guid from the line number
            case MRPC -> test ? new Layout(true, 0, 3, 4, NONE, 0, true, false)
                    : new Layout(true, 0, 3, 4, 0, NONE, true, false);
            case STSB -> new Layout(true, 0, 7, 8, test ? NONE : LAST, 0, true, false);
            // Hugging Face's QqpProcessor skips rows too short to index (IndexError): counted in skippedLines
            case QQP -> test ? new Layout(true, 0, 1, 2, NONE, 0, false, true)
                    : new Layout(true, 0, 3, 4, 5, 0, false, true);
            // BERT's MnliProcessor: sentence1/2 are columns 8/9, the gold label is line[-1]
            case MNLI, MNLI_MM -> new Layout(true, 0, 8, 9, test ? NONE : LAST, 0, false, false);
            case QNLI, RTE, WNLI -> new Layout(true, 0, 1, 2, test ? NONE : LAST, 0, true, false);
            // diagnostic.tsv: index, sentence1, sentence2; diagnostic-full.tsv: 5 category columns, Premise,
            // Hypothesis, Label
            case AX -> test ? new Layout(true, 0, 1, 2, NONE, 0, true, false)
                    : new Layout(true, 0, 5, 6, 7, NONE, true, false);
        };
    }
}
