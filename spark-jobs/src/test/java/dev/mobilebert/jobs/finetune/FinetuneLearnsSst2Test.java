package dev.mobilebert.jobs.finetune;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.io.Json;
import dev.mobilebert.jobs.Main;
import dev.mobilebert.testing.SharedData;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The claim of docs/finetune.md, kept true: `finetune --task sst2` on local[2] gets SST-2 dev accuracy clearly above
 * the majority-class baseline (0.5092) on a small budget. Starts from a random initialisation of
 * conf/models/finetune_base_tiny.json (the config of the evidence script's pretrained base), so the test needs no
 * pretraining; {@code -Dfinetune.test.checkpoint=DIR} starts from a checkpoint instead (e.g. the base run of
 * bin/finetune-evidence.sh). {@code -Dfinetune.test.examples=N} (3200), {@code -Dfinetune.test.lr=X} (1e-3), {@code -Dfinetune.test.workers=N} (1)
 * change the budget (2 epochs, batch 32, max_seq_length 64: 200 steps).
 * <pre>mvn -q -pl spark-jobs -am test -Dtest=FinetuneLearnsSst2Test -Dtest.excludedGroups= -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
@Tag("slow")
class FinetuneLearnsSst2Test {
    @TempDir Path tmp;

    @Test
    void sst2DevAccuracyClearlyAboveTheMajorityBaseline() throws Exception {
        Path sst2 = SharedData.require(SharedData.glue("SST-2"));
        Path out = tmp.resolve("sst2");
        String ckpt = System.getProperty("finetune.test.checkpoint");
        List<String> args = new ArrayList<>(List.of("finetune", "--master", "local[2]", "--task", "sst2",
                "--vocab", SharedData.vocab().toString(), "--data", sst2.toString(), "--out", out.toString(),
                "--max-seq-length", "64", "--max-train-examples", System.getProperty("finetune.test.examples", "3200"),
                "--epochs", "2", "--learning-rates", System.getProperty("finetune.test.lr", "1e-3"), "--batch-size", "32",
                "--workers", System.getProperty("finetune.test.workers", "1")));
        if (ckpt != null) {
            args.addAll(List.of("--checkpoint", ckpt));
        } else {
            args.addAll(List.of("--random-init",
                    Path.of(System.getProperty("mobilebert.home", ".."), "conf/models/finetune_base_tiny.json").toString()));
        }
        long t0 = System.nanoTime();
        assertEquals(0, Main.run(args.toArray(String[]::new)));
        JsonNode best = Json.MAPPER.readTree(out.resolve("summary.json").toFile()).get("best");
        double accuracy = best.get("accuracy").asDouble(), majority = best.get("majority_baseline_accuracy").asDouble();
        System.out.printf("SST-2 dev accuracy %.4f vs majority %.4f (epoch %d) in %.0f s%n", accuracy, majority,
                best.get("epoch").asInt(), (System.nanoTime() - t0) / 1e9);
        // 872 dev sentences: one standard error of an accuracy near 0.5 is 0.017; +0.03 is about 1.8 of them (measured
        // at this budget: 0.5539 vs 0.5092). Two workers averaging every step stayed at the majority class (docs/finetune.md)
        assertTrue(accuracy > majority + 0.03, "SST-2 dev accuracy " + accuracy + " vs majority baseline " + majority);
    }
}
