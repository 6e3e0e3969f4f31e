package dev.mobilebert.jobs.pretrain;

import dev.mobilebert.jobs.train.StepProbe;
import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.optim.OptimizerSettings;
import dev.mobilebert.pretraining.PretrainingBatch;
import dev.mobilebert.pretraining.PretrainingInstance;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** The per-step MLM/NSP probe and the held-out evaluator agree with DL4J's own loss on a real pretraining graph. */
class PretrainingProbeTest {
    static MobileBertConfig tiny() throws Exception {
        MobileBertConfig c = MobileBertConfig.load(Path.of(PretrainingProbeTest.class.getResource("/pretrain/tiny_teacher.json").toURI()).toString());
        c.vocabSize = 50;
        return c;
    }

    /** Random instances of length t with p predictions, some padding and some unused prediction slots. */
    static MultiDataSet batch(int b, int t, int p, int vocab, long seed) {
        Random r = new Random(seed);
        List<PretrainingInstance> xs = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            int len = t - r.nextInt(4);
            int[] ids = new int[t], mask = new int[t], seg = new int[t], pos = new int[p], lm = new int[p];
            float[] w = new float[p];
            for (int j = 0; j < len; j++) {
                ids[j] = 1 + r.nextInt(vocab - 1);
                mask[j] = 1;
                seg[j] = j < len / 2 ? 0 : 1;
            }
            int real = 1 + r.nextInt(p);
            for (int k = 0; k < real; k++) {
                pos[k] = 1 + k * 2;
                lm[k] = ids[pos[k]];
                w[k] = 1;
            }
            xs.add(new PretrainingInstance(ids, mask, seg, pos, lm, w, r.nextInt(2), len));
        }
        return PretrainingBatch.of(xs);
    }

    @Test
    void probeAndEvaluatorMatchTheGraphsLoss() throws Exception {
        MobileBertConfig c = tiny();
        OptimizerSettings opt = OptimizerSettings.lamb(1e-3, 0, 10);
        ComputationGraphConfiguration conf = MobileBertModel.pretrainingConf(c, opt.updater(), 7, DataType.FLOAT);
        var policies = opt.applyTo(conf);
        assertTrue(policies.stream().anyMatch(x -> x.name().contains("LayerNorm") && !x.weightDecay() && !x.trustRatio()), policies.toString());
        assertTrue(policies.stream().anyMatch(x -> x.name().endsWith("query.weight") && x.weightDecay() && x.trustRatio()), policies.toString());
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        MultiDataSet data = batch(6, 16, 4, c.vocabSize, 3);

        // held-out path (inference) against DL4J's score of the same batch
        var part = PretrainingEvaluator.evaluatePartition(List.of(data).iterator(), net.getConfiguration().toJson(), net.params());
        double score = net.score(data, false);
        assertEquals(score, part.metrics().mlmLossMean() + part.metrics().nspLossMean(), 1e-3 * score);
        assertEquals(6, part.metrics().examples());

        // training path: the probe sees the forward pass of fit()
        List<StepProbe.Record> seen = new ArrayList<>();
        net.setListeners(new StepProbe.Listener(new PretrainingProbe(), seen::add));
        net.fit(data);
        assertEquals(1, seen.size(), "one record per step");
        Map<String, Double> v = seen.get(0).values();
        assertEquals(0, seen.get(0).iteration());
        assertEquals(score, v.get("mlm_loss") + v.get("nsp_loss"), 1e-3 * score, v.toString());
        assertTrue(v.get("mlm_accuracy") >= 0 && v.get("mlm_accuracy") <= 1);
    }
}
