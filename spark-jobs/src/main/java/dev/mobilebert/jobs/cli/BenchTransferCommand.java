package dev.mobilebert.jobs.cli;

import dev.mobilebert.io.AtomicOutput;
import dev.mobilebert.io.Fs;
import dev.mobilebert.io.Json;
import dev.mobilebert.jobs.transfer.StoredModels;
import dev.mobilebert.model.Bench;
import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.model.transfer.TransferBench;
import org.nd4j.linalg.learning.config.NoOp;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "transfer", description = "Time per PKT stage step (first and last layer) and per PD step on one worker, split into "
        + "teacher forward / student forward+backward+update / averaging arithmetic; random batches, float32; JSON to --out.")
public final class BenchTransferCommand implements Callable<Integer> {
    @Option(names = "--teacher", paramLabel = "CKPT", description = "Teacher checkpoint / run directory / model zip (default: a random teacher of --teacher-config).")
    String teacher;
    @Option(names = "--teacher-config", paramLabel = "FILE", description = "Teacher model JSON when no --teacher is given.")
    String teacherConfig;
    @Option(names = "--student-config", required = true, paramLabel = "FILE", description = "Student model JSON.")
    String studentConfig;
    @Option(names = "--batch", defaultValue = "8", description = "Sequences per worker step.")
    int batch;
    @Option(names = "--seq-len", defaultValue = "32", description = "Sequence length.")
    int seqLen;
    @Option(names = "--predictions", defaultValue = "5", description = "Masked positions per sequence.")
    int predictions;
    @Option(names = "--workers", defaultValue = "2", description = "Copies averaged in the averaging measurement.")
    int workers;
    @Option(names = "--threads", defaultValue = "0", description = "ND4J/BLAS threads (0 = leave as configured).")
    int threads;
    @Option(names = "--warmup", defaultValue = "2", description = "Untimed steps first.")
    int warmup;
    @Option(names = "--runs", defaultValue = "10", description = "Timed steps (medians are reported).")
    int runs;
    @Option(names = "--out", defaultValue = "bench-results/transfer.json", description = "Result JSON file.")
    String out;

    @Override
    public Integer call() throws Exception {
        if ((teacher == null) == (teacherConfig == null)) throw new IllegalArgumentException("give exactly one of --teacher and --teacher-config");
        Bench.pinThreads(threads);
        MobileBertModel t = teacher != null ? StoredModels.load(teacher, "--teacher") : MobileBertModel.pretraining(MobileBertConfig.load(teacherConfig), new NoOp(), 1);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("teacher", teacher != null ? teacher : teacherConfig);
        result.put("student_config", studentConfig);
        result.put("batch", batch);
        result.put("seq_len", seqLen);
        result.put("predictions", predictions);
        result.put("workers", workers);
        result.put("threads", threads);
        result.put("load_average_before", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        result.putAll(TransferBench.run(t, MobileBertConfig.load(studentConfig), batch, seqLen, predictions, workers, warmup, runs));
        result.put("load_average_after", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        String json = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(result);
        AtomicOutput.writeString(Fs.path(out), json);
        System.out.println(json);
        return 0;
    }
}
