package dev.mobilebert.jobs.finetune;

import dev.mobilebert.jobs.train.BatchSource;
import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.finetune.FinetuneGraphs;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * What a fine-tuning run optimises on the task's minibatches: the task's own loss ({@link #TASK_LOSS}, plain
 * fine-tuning), or a distillation objective on the same fine-tuning graph — e.g. TinyBERT's task-specific stages
 * ({@code jobs.peers.TinyBertTaskJob}), whose graph adds loss outputs and whose batches carry a teacher's targets.
 * Everything else (the epochs, the dev evaluation after each, the best checkpoint, resume) is {@link FinetuneJob}'s.
 */
public interface FinetuneObjective {
    /** The graph to train; output 0 must be the task head (its output is what dev evaluation reads). */
    ComputationGraphConfiguration conf(MobileBertConfig model, FinetuneTask task, int maxSeqLength, IUpdater updater, long seed);

    /** The training batches: the task's minibatches, or those with teacher targets added (computed on the executors). */
    BatchSource batches(JavaSparkContext sc, BatchSource taskBatches);

    /** The task's own loss on {@link FinetuneGraphs}. */
    FinetuneObjective TASK_LOSS = new FinetuneObjective() {
        @Override
        public ComputationGraphConfiguration conf(MobileBertConfig model, FinetuneTask task, int maxSeqLength, IUpdater updater, long seed) {
            return FinetuneGraphs.conf(model, task.head(), maxSeqLength, updater, seed, DataType.FLOAT);
        }

        @Override
        public BatchSource batches(JavaSparkContext sc, BatchSource taskBatches) {
            return taskBatches;
        }
    };
}
