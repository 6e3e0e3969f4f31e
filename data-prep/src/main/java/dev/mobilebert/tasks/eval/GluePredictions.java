package dev.mobilebert.tasks.eval;

import dev.mobilebert.tasks.BadInputException;
import dev.mobilebert.tasks.GlueTask;
import dev.mobilebert.tasks.TsvFile;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A GLUE prediction file in the server's submission format: a header {@code index\tprediction}, then one row per
 * example with the label spelled as the server expects (STS-B: a number). Rows with a wrong column count, a
 * repeated index or a label the task does not have are errors naming the file and line.
 */
public final class GluePredictions {
    private GluePredictions() {}

    public static Map<String, String> read(GlueTask task, Path path) throws IOException {
        return parse(task, TsvFile.read(path));
    }

    public static Map<String, String> parse(GlueTask task, TsvFile file) {
        if (file.rows().isEmpty()) throw new BadInputException(file.name() + ": empty prediction file");
        TsvFile.Row header = file.rows().get(0);
        if (header.size() != 2 || !header.get(0).equals("index")) {
            throw BadInputException.at(file.name(), 1, "expected the header 'index<TAB>prediction', found "
                    + String.join("<TAB>", header.fields()));
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (TsvFile.Row row : file.rows().subList(1, file.rows().size())) {
            if (row.size() != 2) {
                throw BadInputException.at(file.name(), row.line(), "expected 2 tab-separated columns (index, prediction), found " + row.size());
            }
            String index = row.get(0);
            String prediction = row.get(1);
            if (index.isEmpty()) throw BadInputException.at(file.name(), row.line(), "empty index");
            checkPrediction(task, prediction, file.name(), row.line());
            if (out.put(index, prediction) != null) {
                throw BadInputException.at(file.name(), row.line(), "index " + index + " appears more than once");
            }
        }
        return out;
    }

    private static void checkPrediction(GlueTask task, String prediction, String file, long line) {
        if (task.isRegression()) {
            try {
                if (Double.isFinite(Double.parseDouble(prediction))) return;
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw BadInputException.at(file, line, "the " + task.serverName() + " prediction '" + prediction + "' is not a finite number");
        }
        if (task.labelId(prediction) < 0) {
            throw BadInputException.at(file, line, "unknown " + task.serverName() + " label '" + prediction
                    + "'; the GLUE server expects one of " + task.labels());
        }
    }
}
