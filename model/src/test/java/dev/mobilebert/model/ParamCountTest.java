package dev.mobilebert.model;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Parameter counts of the official configurations equal the reference implementation's
 * (../shared/oracle/param_counts_official.json, counted by HuggingFace), from the shape table and from built graphs.
 */
class ParamCountTest {
    static MobileBertConfig conf(String name) {
        Path root = Path.of(System.getProperty("mobilebert.home", "..")).resolve("conf/models");
        return MobileBertConfig.load(root.resolve(name + ".json").toString());
    }

    @Test
    void mobileBertMatchesGoogleMobilebertUncased() {
        MobileBertConfig c = conf("uncased_L-24_H-128_B-512_A-4_F-4_OPT");
        ParamReport r = ParamReport.of(c);
        assertEquals(24_581_888L, r.withoutHeads());
        assertEquals(36_597_564L, r.withPretrainingHeads());
        assertEquals(842_240L, r.perLayer());
        assertEquals(4_368_128L, r.byModule().get("mobilebert.embeddings"));
        assertEquals(12_014_650L, r.byModule().get("cls.predictions"));
        assertEquals(1_026L, r.byModule().get("cls.seq_relationship"));
        // the graph DL4J actually builds holds exactly these parameters
        assertEquals(36_597_564L, MobileBertModel.pretraining(c, null, 0).numParams());
    }

    @Test
    void tinyMatchesTheReferenceWithTfDefaults() {
        MobileBertConfig c = conf("uncased_L-24_H-128_B-512_A-4_F-2_tiny_OPT");
        ParamReport r = ParamReport.of(c);
        assertEquals(15_485_696L, r.withoutHeads());
        assertEquals(27_501_372L, r.withPretrainingHeads());
        assertEquals(463_232L, r.perLayer());
        assertEquals(27_501_372L, MobileBertModel.pretraining(c, null, 0).numParams());
    }

    @Test
    void bertBaseMatchesAnalyticCount() {
        ParamReport r = ParamReport.of(conf("bert-base-uncased"));
        assertEquals(109_482_240L, r.withoutHeads());
        assertEquals(7_087_872L, r.perLayer());
    }

    @Test
    void teacherCountNextToPaper() {
        ParamReport r = ParamReport.of(conf("uncased_L-24_H-1024_B-512_A-4"));
        System.out.printf("IB-BERT teacher: %,d parameters without heads (paper: 293M), %,d with MLM+NSP heads%n",
                r.withoutHeads(), r.withPretrainingHeads());
        // q, k, v read the 512-wide block input (TF semantics): 3 x (512 x 1024 + 1024) per layer
        assertEquals(13_649_408L - 3L * (1024 * 1024 + 1024) + 3L * (512 * 1024 + 1024), r.perLayer());
    }

    @Tag("slow")
    @Test
    void builtBertBaseGraphHasTheAnalyticCount() {
        MobileBertConfig c = conf("bert-base-uncased");
        assertEquals(ParamReport.of(c).withPretrainingHeads(), MobileBertModel.pretraining(c, null, 0).numParams());
    }
}
