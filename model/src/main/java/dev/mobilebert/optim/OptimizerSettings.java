package dev.mobilebert.optim;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.samediff.AbstractSameDiffLayer;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffVertex;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The optimizer of a training run, as in BERT's / MobileBERT's {@code optimization.py}: LAMB or AdamW, BERT's
 * warmup + polynomial decay ({@link WarmupPolynomialDecay}), decoupled weight decay with name-based exclusions, and
 * global-norm gradient clipping ({@link GlobalNormClipping}).
 *
 * @param optimizer              {@code lamb} (MobileBERT's pretraining) or {@code adamw} (BERT's)
 * @param learningRate           peak learning rate (BERT's {@code init_lr})
 * @param numWarmupSteps         linear warmup steps
 * @param numTrainSteps          steps at which the learning rate reaches {@code endLearningRate}
 * @param decayPower             1.0 = BERT's linear decay
 * @param endLearningRate        BERT: 0
 * @param beta1                  0.9
 * @param beta2                  0.999
 * @param epsilon                1e-6 (BERT and MobileBERT)
 * @param biasCorrection         false in BERT's AdamW and MobileBERT's LAMB; true gives the Hugging Face AdamW
 * @param weightDecay            0.01
 * @param excludeFromWeightDecay regular expressions searched in {@code vertexName_paramName}; a match gets neither
 *                               weight decay nor (LAMB) the trust ratio. DL4J bias parameters are always excluded.
 * @param clipNorm               global-norm clipping threshold, BERT's 1.0; 0 disables it
 */
public record OptimizerSettings(
        @JsonProperty("optimizer") String optimizer,
        @JsonProperty("learning_rate") double learningRate,
        @JsonProperty("num_warmup_steps") int numWarmupSteps,
        @JsonProperty("num_train_steps") int numTrainSteps,
        @JsonProperty("decay_power") double decayPower,
        @JsonProperty("end_learning_rate") double endLearningRate,
        @JsonProperty("beta1") double beta1,
        @JsonProperty("beta2") double beta2,
        @JsonProperty("epsilon") double epsilon,
        @JsonProperty("bias_correction") boolean biasCorrection,
        @JsonProperty("weight_decay") double weightDecay,
        @JsonProperty("exclude_from_weight_decay") List<String> excludeFromWeightDecay,
        @JsonProperty("clip_norm") double clipNorm) {

    /** BERT's list plus MobileBERT's NoNorm (its stand-in for LayerNorm). */
    public static final List<String> DEFAULT_EXCLUSIONS = List.of("LayerNorm", "layer_norm", "NoNorm", "bias");

    public OptimizerSettings {
        if (optimizer == null || !(optimizer.equals("lamb") || optimizer.equals("adamw"))) {
            throw new IllegalArgumentException("optimizer must be 'lamb' or 'adamw', got " + optimizer);
        }
        if (!(clipNorm >= 0)) throw new IllegalArgumentException("clip_norm must be >= 0, got " + clipNorm);
        excludeFromWeightDecay = excludeFromWeightDecay == null ? DEFAULT_EXCLUSIONS : List.copyOf(excludeFromWeightDecay);
        schedule(learningRate, numWarmupSteps, numTrainSteps, decayPower, endLearningRate); // validates
    }

    /** MobileBERT's pretraining optimizer: LAMB, weight decay 0.01, clipping 1.0, linear decay. */
    public static OptimizerSettings lamb(double learningRate, int numWarmupSteps, int numTrainSteps) {
        return new OptimizerSettings("lamb", learningRate, numWarmupSteps, numTrainSteps, 1.0, 0.0,
                Lamb.DEFAULT_BETA1, Lamb.DEFAULT_BETA2, Lamb.DEFAULT_EPSILON, false, 0.01, DEFAULT_EXCLUSIONS, 1.0);
    }

    /** BERT's AdamWeightDecayOptimizer (no bias correction), weight decay 0.01, clipping 1.0, linear decay. */
    public static OptimizerSettings adamW(double learningRate, int numWarmupSteps, int numTrainSteps) {
        return new OptimizerSettings("adamw", learningRate, numWarmupSteps, numTrainSteps, 1.0, 0.0,
                0.9, 0.999, 1e-6, false, 0.01, DEFAULT_EXCLUSIONS, 1.0);
    }

    public WarmupPolynomialDecay schedule() {
        return schedule(learningRate, numWarmupSteps, numTrainSteps, decayPower, endLearningRate);
    }

    private static WarmupPolynomialDecay schedule(double lr, int warmup, int steps, double power, double end) {
        return new WarmupPolynomialDecay(lr, warmup, steps, power, end);
    }

    public AdamStyle updater() {
        return optimizer.equals("lamb")
                ? new Lamb(learningRate, schedule(), beta1, beta2, epsilon, biasCorrection)
                : new AdamW(learningRate, schedule(), beta1, beta2, epsilon, biasCorrection);
    }

    public DecoupledWeightDecay decay() {
        return new DecoupledWeightDecay(weightDecay, optimizer.equals("lamb"));
    }

    public GlobalNormClipping clipping(GlobalNormClipping.Sink sink) {
        return new GlobalNormClipping(clipNorm, sink);
    }

    public boolean excluded(String fullParamName) {
        for (String p : excludeFromWeightDecay) {
            if (Pattern.compile(p).matcher(fullParamName).find()) return true;
        }
        return false;
    }

    /** What the optimizer does to one parameter tensor. */
    public record ParamPolicy(String name, boolean weightDecay, boolean trustRatio) {}

    /**
     * Sets this optimizer on every trainable vertex of {@code conf} (in place, before the graph is built): the
     * updater for weights and biases, {@link DecoupledWeightDecay} on the weight parameters not excluded by name,
     * nothing on biases and excluded ones. Per-layer gradient normalization is turned off: clipping is global
     * ({@link GlobalNormClipping}). DL4J attaches regularization per layer to all its weight parameters at once,
     * so a layer whose weight parameters are only partly excluded is rejected with a message saying so.
     *
     * @return the policy of every parameter tensor, in graph order
     */
    public List<ParamPolicy> applyTo(ComputationGraphConfiguration conf) {
        List<ParamPolicy> policies = new ArrayList<>();
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            String name = e.getKey();
            GraphVertex v = e.getValue();
            if (v instanceof LayerVertex lv) {
                configureLayer(name, lv.getLayerConf().getLayer(), policies);
            } else if (v instanceof SameDiffVertex sv) {
                List<Regularization> reg = weightRegularization(name, sv.getVertexParams(), policies);
                sv.setUpdater(updater());
                sv.setBiasUpdater(null);
                sv.setRegularization(reg);
                sv.setRegularizationBias(new ArrayList<>());
                sv.setGradientNormalization(GradientNormalization.None);
            } else if (v.numParams(true) > 0) {
                throw new IllegalArgumentException("vertex '" + name + "' (" + v.getClass().getSimpleName()
                        + ") has parameters but is not a layer or SameDiff vertex: cannot set its optimizer");
            }
        }
        return policies;
    }

    private void configureLayer(String name, Layer layer, List<ParamPolicy> policies) {
        if (layer.initializer().numParams(layer) == 0) return;
        if (layer instanceof AbstractSameDiffLayer sl) {
            sl.setRegularization(weightRegularization(name, sl.getLayerParams(), policies));
            sl.setRegularizationBias(new ArrayList<>());
            sl.setUpdater(updater());
            sl.setBiasUpdater(null);
            sl.setGradientNormalization(GradientNormalization.None);
        } else if (layer instanceof BaseLayer bl) {
            List<String> weights = new ArrayList<>();
            List<String> biases = new ArrayList<>();
            for (String key : bl.initializer().paramKeys(bl)) {
                if (bl.initializer().isWeightParam(bl, key)) weights.add(key);
                else if (bl.initializer().isBiasParam(bl, key)) biases.add(key);
                else throw new IllegalArgumentException("layer '" + name + "': parameter '" + key
                        + "' is neither a weight nor a bias parameter; its optimizer treatment is undefined");
            }
            bl.setRegularization(weightRegularization(name, weights, biases, policies));
            bl.setRegularizationBias(new ArrayList<>());
            bl.setIUpdater(updater());
            bl.setBiasUpdater(null);
            bl.setGradientNormalization(GradientNormalization.None);
        } else {
            throw new IllegalArgumentException("layer '" + name + "' (" + layer.getClass().getSimpleName()
                    + ") has parameters but its optimizer cannot be set (not a BaseLayer or SameDiff layer)");
        }
    }

    private List<Regularization> weightRegularization(String name, SDLayerParams params, List<ParamPolicy> policies) {
        return weightRegularization(name, params.getWeightParameterKeys(), params.getBiasParameterKeys(), policies);
    }

    private List<Regularization> weightRegularization(String vertex, List<String> weights, List<String> biases,
                                                      List<ParamPolicy> policies) {
        List<String> decayed = new ArrayList<>();
        List<String> excluded = new ArrayList<>();
        for (String w : weights) (excluded(vertex + "_" + w) ? excluded : decayed).add(w);
        if (!decayed.isEmpty() && !excluded.isEmpty()) {
            throw new IllegalArgumentException("layer '" + vertex + "': weight parameters " + excluded
                    + " match exclude_from_weight_decay " + excludeFromWeightDecay + " but " + decayed
                    + " do not; DL4J regularizes all weight parameters of a layer alike, so put the norm parameters in"
                    + " their own layer or declare them as bias parameters");
        }
        boolean lamb = optimizer.equals("lamb");
        for (String w : decayed) policies.add(new ParamPolicy(vertex + "_" + w, weightDecay > 0, lamb));
        for (String w : excluded) policies.add(new ParamPolicy(vertex + "_" + w, false, false));
        for (String b : biases) policies.add(new ParamPolicy(vertex + "_" + b, false, false));
        List<Regularization> reg = new ArrayList<>();
        if (!decayed.isEmpty()) reg.add(decay());
        return reg;
    }
}
