package dev.mobilebert.jobs.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 10's interface {@code distill --recipe distilbert|tinybert|mobilebert}: the peer recipes go to the
 * {@code distill-peer} job (which stays a command of its own), mobilebert stays PD. No Spark: only parsing and routing
 * (the jobs themselves are covered by DistillCommandTest and DistillPeerCommandTest, which runs TinyBERT through
 * {@code distill --recipe tinybert}).
 */
class DistillRoutingTest {

    @Test
    void peerRecipesAreRoutedToDistillPeerWithTheOtherArgumentsUnchanged() {
        assertArrayEquals(new String[]{"distill-peer", "--teacher", "t", "--recipe", "tinybert", "--out", "o"},
                DistillCommand.route(new String[]{"distill", "--teacher", "t", "--recipe", "tinybert", "--out", "o"}));
        assertArrayEquals(new String[]{"distill-peer", "--recipe=DistilBERT"},
                DistillCommand.route(new String[]{"distill", "--recipe=DistilBERT"}));
        String[] pd = {"distill", "--recipe", "mobilebert", "--out", "o"};
        assertSame(pd, DistillCommand.route(pd));
        String[] noRecipe = {"distill", "--out", "o"};
        assertSame(noRecipe, DistillCommand.route(noRecipe));
        String[] otherCommand = {"distill-peer", "--recipe", "distilbert"};
        assertSame(otherCommand, DistillCommand.route(otherCommand));
        String[] valueElsewhere = {"pretrain", "--recipe", "tinybert"};
        assertSame(valueElsewhere, DistillCommand.route(valueElsewhere));
        assertEquals(0, DistillCommand.route(new String[0]).length);
    }

    @Test
    void tinyBertsTaskStageIsRoutedToDistillTask() {
        assertArrayEquals(new String[]{"distill-task", "--recipe", "tinybert", "--stage", "task", "--task", "rte"},
                DistillCommand.route(new String[]{"distill", "--recipe", "tinybert", "--stage", "task", "--task", "rte"}));
        assertArrayEquals(new String[]{"distill-task", "--stage=task", "--recipe=TinyBERT"},
                DistillCommand.route(new String[]{"distill-peer", "--stage=task", "--recipe=TinyBERT"}));
        assertArrayEquals(new String[]{"distill-peer", "--recipe", "tinybert", "--stage", "general"},
                DistillCommand.route(new String[]{"distill", "--recipe", "tinybert", "--stage", "general"}));
        // the task stage needs distill-task's options; a DistilBERT task stage does not exist
        CliRun task = CliRun.of("distill", "--recipe", "tinybert", "--stage", "task", "--teacher", "t", "--out", "o");
        assertEquals(2, task.code(), task.err());
        assertTrue(task.err().contains("--student") && task.err().contains("--task"), task.err());
        CliRun distilbert = CliRun.of("distill", "--recipe", "distilbert", "--stage", "task", "--teacher", "t", "--teacher-config", "c",
                "--data", "d", "--out", "o");
        assertEquals(1, distilbert.code(), distilbert.err());
        assertTrue(distilbert.err().contains("--stage task"), distilbert.err());
    }

    @Test
    void theCliParsesPeerRecipesWithDistillPeersOptionsAndMobileBertWithPds() {
        // a peer recipe needs distill-peer's --teacher-config, not distill's --student
        CliRun tiny = CliRun.of("distill", "--recipe", "tinybert", "--teacher", "t", "--data", "d", "--out", "o");
        assertEquals(2, tiny.code(), tiny.err());
        assertTrue(tiny.err().contains("--teacher-config"), tiny.err());
        assertFalse(tiny.err().contains("--student="), tiny.err());
        CliRun pd = CliRun.of("distill", "--recipe", "mobilebert", "--teacher", "t", "--data", "d", "--out", "o");
        assertEquals(2, pd.code(), pd.err());
        assertTrue(pd.err().contains("--student"), pd.err());
        assertFalse(pd.err().contains("--teacher-config"), pd.err());
        CliRun unknown = CliRun.of("distill", "--recipe", "bert-pkd", "--teacher", "t", "--student", "s", "--data", "d", "--out", "o");
        assertEquals(2, unknown.code(), unknown.err());
        assertTrue(unknown.err().contains("--recipe"), unknown.err());
    }

    @Test
    void helpOfARoutedRecipeIsDistillPeersHelp() {
        CliRun help = CliRun.of("distill", "--recipe", "distilbert", "--help");
        assertEquals(0, help.code(), help.err());
        assertTrue(help.out().contains("distill-peer"), help.out());
        assertTrue(help.out().contains("--alpha-cos"), help.out());
        CliRun pdHelp = CliRun.of("distill", "--help");
        assertTrue(pdHelp.out().contains("--alpha ") || pdHelp.out().contains("--alpha="), pdHelp.out());
        assertTrue(pdHelp.out().replaceAll("\\s+", " ").contains("distilbert or tinybert: the peer distillation job"), pdHelp.out());
    }
}
