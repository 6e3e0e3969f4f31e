package dev.mobilebert.model.transfer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.io.Json;
import dev.mobilebert.io.RunDirectory;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.optim.OptimizerSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.learning.config.NoOp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressiveTransferTest {
    private static final int STEPS = 4;
    private static final MultiDataSet[] BATCHES = {
            TransferFixtures.batch(TransferFixtures.student(), 21, DataType.FLOAT),
            TransferFixtures.batch(TransferFixtures.student(), 22, DataType.FLOAT)};

    private static final LongFunction<MultiDataSet> DATA = i -> BATCHES[(int) (i % 2)];

    private static ProgressiveTransfer transfer(Path dir, MobileBertModel teacher) throws Exception {
        var stage = ProgressiveStage.Settings.official(0, OptimizerSettings.lamb(1e-2, 1, 100));
        var plan = new ProgressiveTransfer.Plan(STEPS, 2, 1, stage, 5);
        return new ProgressiveTransfer(RunDirectory.open(dir.toString()), teacher, TransferFixtures.student(), plan);
    }

    private static MobileBertModel initialStudent(MobileBertModel teacher) {
        MobileBertModel s = MobileBertModel.pretraining(TransferFixtures.student(), new NoOp(), 4);
        StudentInitialisation.fromTeacher(teacher, s);
        return s;
    }

    private static List<JsonNode> rows(Path dir) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("metrics.jsonl"))) out.add(Json.MAPPER.readTree(line));
        return out;
    }

    @Test
    void everyStageLowersItsLossAndAKilledStageResumesWithoutRetrainingEarlierOnes(@TempDir Path tmp) throws Exception {
        MobileBertModel teacher = MobileBertModel.pretraining(TransferFixtures.teacher(), new NoOp(), 3);
        Path a = tmp.resolve("a"), b = tmp.resolve("b");
        INDArray uninterrupted = transfer(a, teacher).run(initialStudent(teacher), DATA, false);

        List<JsonNode> rowsA = rows(a);
        for (int layer = 0; layer < 3; layer++) {
            String name = ProgressiveTransfer.stageName(layer);
            List<JsonNode> stage = rowsA.stream().filter(r -> r.get("stage").asText().equals(name)).toList();
            assertEquals(STEPS, stage.size(), name);
            // same batch: step 1 vs step 3 (the loss logged at step s is measured before update s; update 1 has lr 0)
            double first = stage.get(0).get("loss").asDouble(), later = stage.get(2).get("loss").asDouble();
            assertTrue(later < first, name + " loss " + first + " -> " + later);
            for (String key : List.of("fmt", "fmt_mean", "fmt_variance", "at", "learning_rate", "grad_norm")) assertTrue(stage.get(2).has(key), key);
        }

        // crash in the middle of stage 1 (its 4th step), then rerun with resume
        int crashAt = STEPS + 3;
        LongFunction<MultiDataSet> crashing = i -> {
            if (i == crashAt) throw new IllegalStateException("simulated crash");
            return DATA.apply(i);
        };
        assertThrows(IllegalStateException.class, () -> transfer(b, teacher).run(initialStudent(teacher), crashing, false));
        assertThrows(IllegalStateException.class, () -> transfer(b, teacher).run(initialStudent(teacher), DATA, false),
                "refuses to start over a run that has checkpoints");
        INDArray resumed = transfer(b, teacher).run(null, DATA, true);

        List<JsonNode> rowsB = rows(b);
        long stage0Rows = rowsB.stream().filter(r -> r.get("stage").asText().equals(ProgressiveTransfer.stageName(0)) && r.has("loss")).count();
        assertEquals(STEPS, stage0Rows, "stage 0 was not retrained");
        JsonNode resume = rowsB.stream().filter(r -> r.has("event")).findFirst().orElseThrow();
        assertEquals(ProgressiveTransfer.stageName(1), resume.get("stage").asText());
        assertEquals(2, resume.get("step").asInt(), "resumed from the stage's checkpoint at step 2");
        assertEquals(0.0, uninterrupted.sub(resumed).amaxNumber().doubleValue(), 1e-6, "resumed run ends like the uninterrupted one");
    }
}
