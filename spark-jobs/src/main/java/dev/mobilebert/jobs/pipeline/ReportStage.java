package dev.mobilebert.jobs.pipeline;

import dev.mobilebert.jobs.report.RunReport;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** report: RUN/report.html from whatever the run holds. Cheap and about the whole run, so it is redone every time. */
public final class ReportStage implements Stage {
    public static final String NAME = "report";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "RUN/report.html: curves, tables and provenance of the run";
    }

    @Override
    public boolean alwaysRuns() {
        return true;
    }

    @Override
    public Map<String, Object> run(StageContext ctx) throws IOException {
        int charts = RunReport.write(ctx.runRoot(), infos(Stages.all()));
        Path file = new Path(ctx.runRoot(), RunReport.FILE);
        ctx.out().printf("[report] %s (%d charts)%n", PipelineRun.display(file), charts);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("report", file.toString());
        summary.put("charts", charts);
        return summary;
    }

    public static List<RunReport.StageInfo> infos(List<Stage> stages) {
        return stages.stream().map(s -> new RunReport.StageInfo(s.name(), s.description(), s.implemented())).toList();
    }
}
