package dev.mobilebert.model.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;

/** Records backward steps during a training forward pass and replays them in reverse. */
public final class Tape {
    private final List<Runnable> steps = new ArrayList<>();

    public void record(Runnable backward) { steps.add(backward); }

    /** Records a backward step timed under {@code op + ".bwd"} when {@link OpProfile} is on. */
    public void record(String op, Runnable backward) {
        if (!OpProfile.enabled()) { steps.add(backward); return; }
        String name = op + ".bwd";
        steps.add(() -> OpProfile.time(name, backward));
    }

    public void backward(Var output, INDArray dOutput) {
        output.accumulate(dOutput);
        for (int i = steps.size() - 1; i >= 0; i--) steps.get(i).run();
        steps.clear();
    }
}
