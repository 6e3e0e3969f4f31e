package dev.mobilebert.jobs;

import dev.mobilebert.io.CodeVersion;
import dev.mobilebert.jobs.cli.BenchCommand;
import dev.mobilebert.jobs.cli.BuildVocabCommand;
import dev.mobilebert.jobs.cli.DoctorCommand;
import dev.mobilebert.jobs.cli.EvaluateCommand;
import dev.mobilebert.jobs.cli.FinetuneCommand;
import dev.mobilebert.jobs.cli.PipelineCommand;
import dev.mobilebert.jobs.cli.PreparePretrainingCommand;
import dev.mobilebert.jobs.cli.PretrainCommand;
import dev.mobilebert.jobs.cli.DistillCommand;
import dev.mobilebert.jobs.cli.TransferCommand;
import dev.mobilebert.jobs.cli.DistillPeerCommand;
import dev.mobilebert.jobs.cli.DistillTaskCommand;
import dev.mobilebert.jobs.cli.ComparePeersCommand;
import dev.mobilebert.jobs.cli.QuickstartCommand;
import dev.mobilebert.jobs.cli.TokenizeCommand;
import dev.mobilebert.jobs.cli.ExportHfCommand;
import dev.mobilebert.jobs.cli.ForwardCommand;
import dev.mobilebert.jobs.cli.ImportHfCommand;
import dev.mobilebert.jobs.cli.ParamsCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/**
 * The single entry point: {@code bin/mobilebert <command>} locally and
 * {@code spark-submit --class dev.mobilebert.jobs.Main app.jar <command>} on a cluster run the same code.
 */
@Command(name = "mobilebert",
        scope = ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        versionProvider = Main.Version.class,
        usageHelpAutoWidth = true,
        description = "MobileBERT (Sun et al., 2020) trained as the paper does it, on Apache Spark with Deeplearning4j.",
        subcommands = {
                DoctorCommand.class,
                EvaluateCommand.class,
                TokenizeCommand.class,
                BuildVocabCommand.class,
                PreparePretrainingCommand.class,
                PretrainCommand.class,
                FinetuneCommand.class,
                DistillCommand.class,
                TransferCommand.class,
                DistillPeerCommand.class,
                DistillTaskCommand.class,
                ComparePeersCommand.class,
                ParamsCommand.class,
                ImportHfCommand.class,
                ExportHfCommand.class,
                ForwardCommand.class,
                BenchCommand.class,
                PipelineCommand.class,
                QuickstartCommand.class,
        })
public final class Main implements Runnable {

    public static void main(String[] args) {
        int code = run(args);
        // Spark and ND4J leave non-daemon threads behind; exit explicitly once the command is done.
        System.exit(code);
    }

    /** Runs a command without exiting the JVM (tests, and callers that embed the CLI). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println(cmd.getColorScheme().errorText("error: " + describe(e)));
            if (Boolean.getBoolean("mobilebert.debug")) e.printStackTrace(cmd.getErr());
            else cmd.getErr().println("(run with MOBILEBERT_DEBUG=1 for the stack trace)");
            return 1;
        });
        return cli.execute(DistillCommand.route(args));
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c.getMessage() != null && !sb.toString().contains(c.getMessage())) sb.append("\n  caused by: ").append(c.getMessage());
        }
        return sb.toString();
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            CodeVersion v = CodeVersion.current();
            return new String[]{"mobilebert-spark " + v.projectVersion() + " (commit " + v.shortCommit() + (v.dirty() ? ", modified" : "") + ")"};
        }
    }
}
