package dev.mobilebert.model.finetune;

import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.model.graph.BlockVertex;
import dev.mobilebert.model.graph.SparseSoftmaxCrossEntropy;
import dev.mobilebert.model.nn.BlockKind;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;

/**
 * Fine-tuning graphs on the pretraining graph's encoder, with the same vertex names and parameter layout
 * ({@code wordEmbeddings}, {@code embeddings}, {@code layer0..}, {@code pooler}), so a pretraining checkpoint's
 * encoder and pooler load by name ({@link FinetuneModels#copyMatching}).
 *
 * <p>Inputs {@code input_ids}, {@code token_type_ids} [B, T] (feature masks: the input mask twice), as ids in float
 * arrays like the pretraining contract. Heads (HuggingFace names in brackets):
 * <ul>
 *   <li>classification [classifier.*]: pooled output → dropout (hidden_dropout_prob, as HuggingFace when
 *   classifier_dropout is unset) → {@code classifier}, a stock OutputLayer with num_labels logits and softmax
 *   cross-entropy on integer labels [B, 1];</li>
 *   <li>regression [classifier.*]: the same with one output and mean squared error on float labels [B, 1];</li>
 *   <li>span [qa_outputs.*]: last layer [B, T, H] → {@code tokenRows} [B·T, H] → {@code qaOutputs} (a stock
 *   DenseLayer, 2 outputs) → {@code spanLogits} [B, 2T] → {@code spanLoss} ({@link SpanCrossEntropy}, labels [B, 2]).
 *   No pooler, like HuggingFace's MobileBertForQuestionAnswering.</li>
 * </ul>
 * The heads are stock DL4J layers on purpose: {@code ComputationGraph.fit()} does nothing when no <em>layer</em> has
 * parameters (docs/model.md), and stock layers need no gradient check.
 */
public final class FinetuneGraphs {
    public static final String[] INPUTS = {"input_ids", "token_type_ids"};
    public static final String TOKEN_ROWS = "tokenRows", SPAN_LOGITS = "spanLogits", SPAN_LOSS = "spanLoss";

    private FinetuneGraphs() {}

    /**
     * @param seqLength the sequence length of every batch (max_seq_length); only the span graph depends on it
     */
    public static ComputationGraphConfiguration conf(MobileBertConfig c, FinetuneHead head, int seqLength,
                                                     IUpdater updater, long seed, DataType type) {
        if (seqLength > c.maxPositionEmbeddings) {
            throw new IllegalArgumentException("max_seq_length " + seqLength + " exceeds the model's max_position_embeddings " + c.maxPositionEmbeddings);
        }
        var b = new NeuralNetConfiguration.Builder()
                .seed(seed).dataType(type).updater(updater)
                .trainingWorkspaceMode(WorkspaceMode.NONE).inferenceWorkspaceMode(WorkspaceMode.NONE)
                .graphBuilder()
                .addInputs(INPUTS)
                .addVertex(MobileBertModel.WORD_TABLE, new BlockVertex(MobileBertModel.WORD_TABLE, BlockKind.WORD_TABLE, 0, c, updater), "input_ids")
                .addVertex(MobileBertModel.EMBEDDINGS, new BlockVertex(MobileBertModel.EMBEDDINGS, BlockKind.EMBEDDINGS, 0, c, updater),
                        "input_ids", "token_type_ids", MobileBertModel.WORD_TABLE);
        String prev = MobileBertModel.EMBEDDINGS;
        for (int i = 0; i < c.numHiddenLayers; i++) {
            String name = MobileBertModel.layerName(i);
            b.addVertex(name, new BlockVertex(name, BlockKind.LAYER, i, c, updater), prev);
            prev = name;
        }
        var init = new NormalDistribution(0, c.initializerRange);
        if (head.kind() == FinetuneHead.Kind.SPAN) {
            return b.addVertex(TOKEN_ROWS, new SpanReshapeVertex(SpanReshapeVertex.Mode.TOKEN_ROWS, seqLength, c.hiddenSize), prev)
                    .addLayer(MobileBertModel.QA_OUTPUTS, new DenseLayer.Builder().nIn(c.hiddenSize).nOut(2)
                            .activation(Activation.IDENTITY).weightInit(init).biasInit(0).build(), TOKEN_ROWS)
                    .addVertex(SPAN_LOGITS, new SpanReshapeVertex(SpanReshapeVertex.Mode.SPAN_LOGITS, seqLength, 2), MobileBertModel.QA_OUTPUTS)
                    .addLayer(SPAN_LOSS, new LossLayer.Builder(new SpanCrossEntropy()).activation(Activation.IDENTITY).build(), SPAN_LOGITS)
                    .setOutputs(SPAN_LOSS)
                    .build();
        }
        b.addVertex(MobileBertModel.POOLER, new BlockVertex(MobileBertModel.POOLER, BlockKind.POOLER, 0, c, updater), prev);
        var out = new OutputLayer.Builder(head.kind() == FinetuneHead.Kind.REGRESSION ? new LossMSE() : new SparseSoftmaxCrossEntropy())
                .nIn(c.hiddenSize).nOut(head.numLabels()).activation(Activation.IDENTITY).weightInit(init).biasInit(0);
        // DL4J's dropOut takes the retain probability and applies it to the layer's input while training
        if (c.hiddenDropoutProb > 0) out.dropOut(1.0 - c.hiddenDropoutProb);
        return b.addLayer(MobileBertModel.CLASSIFIER, out.build(), MobileBertModel.POOLER)
                .setOutputs(MobileBertModel.CLASSIFIER)
                .build();
    }

    public static MobileBertModel build(MobileBertConfig c, FinetuneHead head, int seqLength, IUpdater updater, long seed, DataType type) {
        ComputationGraph g = new ComputationGraph(conf(c, head, seqLength, updater == null ? new Adam(1e-4) : updater, seed, type));
        g.init();
        return new MobileBertModel(c, g);
    }
}
