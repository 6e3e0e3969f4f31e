package dev.mobilebert.model.transfer;

import dev.mobilebert.model.MobileBertModel;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The official recipe's student initialisation: the embeddings (word table, embedding transformation, position and
 * token-type embeddings), the pooler and the MLM/NSP heads are copied from the teacher; the embedding norm only when
 * both use the same normalisation type (a LayerNorm's gamma/beta mean something else to a NoNorm); the encoder
 * layers keep their fresh initialisation. Copied tensors must have the same shape in both models.
 */
public final class StudentInitialisation {
    private StudentInitialisation() {}

    /** What was copied and what was left fresh, by HuggingFace name. */
    public record Report(List<String> copied, List<String> fresh) {}

    public static Report fromTeacher(MobileBertModel teacher, MobileBertModel student) {
        Map<String, INDArray> from = teacher.hfParams(), to = student.hfParams();
        boolean sameNorm = teacher.config().normalizationType.equals(student.config().normalizationType);
        List<String> copied = new ArrayList<>(), fresh = new ArrayList<>();
        for (Map.Entry<String, INDArray> e : to.entrySet()) {
            String name = e.getKey();
            if (!copies(name, sameNorm)) {
                fresh.add(name);
                continue;
            }
            INDArray src = from.get(name);
            if (src == null) throw new IllegalArgumentException("teacher has no tensor " + name + " to initialise the student from");
            if (!Arrays.equals(src.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException("cannot initialise the student's " + name + " " + Arrays.toString(e.getValue().shape())
                        + " from the teacher's " + Arrays.toString(src.shape()) + ": the shapes differ");
            }
            e.getValue().assign(src);
            copied.add(name);
        }
        return new Report(copied, fresh);
    }

    private static boolean copies(String name, boolean sameNorm) {
        if (name.startsWith("mobilebert.encoder.")) return false;
        if (name.startsWith("mobilebert.embeddings.LayerNorm.")) return sameNorm;
        return name.startsWith("mobilebert.embeddings.") || name.startsWith("mobilebert.pooler.") || name.startsWith("cls.");
    }
}
