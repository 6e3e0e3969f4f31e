package dev.mobilebert.jobs.cli;

import com.typesafe.config.Config;
import dev.mobilebert.io.Fs;
import dev.mobilebert.jobs.pipeline.EmbeddedCorpusFiles;
import dev.mobilebert.jobs.pipeline.Pipeline;
import dev.mobilebert.jobs.pipeline.PipelineConfig;
import dev.mobilebert.jobs.pipeline.PipelineRun;
import dev.mobilebert.jobs.spark.SparkOptions;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "quickstart",
        description = {"The pipeline on the embedded default: English Europarl speeches shipped inside the build, a vocabulary "
                + "built from them, Spark local mode, the laptop config: teacher, knowledge transfer, distillation, benchmark, report "
                + "(and fine-tuning with --glue-dir/--squad). Then says which stages ran and where the report is."})
public final class QuickstartCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "runs/quickstart", paramLabel = "RUN", description = "Run directory; rerunning resumes it.")
    String out;

    @Option(names = "--config", paramLabel = "FILE", description = "Pipeline config (default: conf/pipelines/laptop.conf of this installation).")
    java.nio.file.Path config;

    @Option(names = "--max-speeches", defaultValue = "0", description = "Use only the first N embedded speeches (0: all 1,266).")
    int maxSpeeches;

    @Option(names = "--glue-dir", paramLabel = "DIR", description = "GLUE data (one sub-directory per task): also fine-tune and evaluate on finetune.tasks.")
    String glueDir;

    @Option(names = "--squad", paramLabel = "DIR", description = "SQuAD v1.1 directory (train-v1.1.json, dev-v1.1.json): also fine-tune and evaluate on it.")
    String squad;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config setting, e.g. prepare.dupe_factor=2 (repeatable).")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Mixin SparkOptions spark;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        java.nio.file.Path file = config != null ? config : defaultConfig();
        Path corpus = new Path(Fs.path(out), EmbeddedCorpusFiles.DIR);
        if (Fs.exists(corpus)) {
            System.out.println("[corpus] " + PipelineRun.display(corpus) + " exists, reused");
        } else {
            int n = EmbeddedCorpusFiles.write(corpus, maxSpeeches, 8);
            System.out.println("[corpus] " + n + " English Europarl speeches (embedded in the build) written to " + PipelineRun.display(corpus));
        }
        Map<String, String> all = new LinkedHashMap<>();
        all.put("prepare.input", "\"" + corpus + "\"");
        all.put("prepare.format", "bert");
        all.put("prepare.vocab", "\"\"");
        if (glueDir != null) all.put("finetune.glue_dir", "\"" + glueDir + "\"");
        if (squad != null) all.put("finetune.squad", "\"" + squad + "\"");
        all.putAll(overrides);
        Config c = PipelineConfig.load(file, all);
        // no --master: spark-submit's master (the spark.master system property it sets), else local[*] (Sparks.session);
        // forcing local[*] here made a submitted quickstart ignore the cluster
        List<Pipeline.Outcome> outcomes = PipelineRun.execute(c, out, null, null, spark, true, System.out, "quickstart",
                spec.commandLine().getParseResult().originalArgs());
        PipelineRun.printSummary(outcomes, Fs.path(out), System.out);
        long missing = outcomes.stream().filter(o -> o.status() == Pipeline.Status.NOT_IMPLEMENTED).count();
        if (missing > 0) System.out.println(missing + " of " + outcomes.size() + " stages are not available in this build yet; "
                + "the report shows what the available ones produced.");
        return 0;
    }

    static java.nio.file.Path defaultConfig() {
        String home = System.getProperty("mobilebert.home", ".");
        return java.nio.file.Path.of(home, "conf", "pipelines", "laptop.conf");
    }
}
