package dev.mobilebert.jobs.pretraining;

import dev.mobilebert.pretraining.PretrainingInstance;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.List;

/** The Parquet schema of pretraining shards (BERT's feature names; see docs/prepare-pretraining.md). */
public final class PretrainingRows {
    public static final StructType SCHEMA = new StructType(new StructField[]{
            DataTypes.createStructField("input_ids", DataTypes.createArrayType(DataTypes.IntegerType, false), false),
            DataTypes.createStructField("input_mask", DataTypes.createArrayType(DataTypes.IntegerType, false), false),
            DataTypes.createStructField("segment_ids", DataTypes.createArrayType(DataTypes.IntegerType, false), false),
            DataTypes.createStructField("masked_lm_positions", DataTypes.createArrayType(DataTypes.IntegerType, false), false),
            DataTypes.createStructField("masked_lm_ids", DataTypes.createArrayType(DataTypes.IntegerType, false), false),
            DataTypes.createStructField("masked_lm_weights", DataTypes.createArrayType(DataTypes.FloatType, false), false),
            DataTypes.createStructField("next_sentence_labels", DataTypes.IntegerType, false),
            DataTypes.createStructField("length", DataTypes.IntegerType, false),
    });

    private PretrainingRows() {}

    public static Row toRow(PretrainingInstance x) {
        return RowFactory.create(boxed(x.inputIds()), boxed(x.inputMask()), boxed(x.segmentIds()),
                boxed(x.maskedLmPositions()), boxed(x.maskedLmIds()), boxed(x.maskedLmWeights()),
                x.nextSentenceLabel(), x.length());
    }

    public static PretrainingInstance fromRow(Row r) {
        return new PretrainingInstance(ints(r.getList(r.fieldIndex("input_ids"))), ints(r.getList(r.fieldIndex("input_mask"))),
                ints(r.getList(r.fieldIndex("segment_ids"))), ints(r.getList(r.fieldIndex("masked_lm_positions"))),
                ints(r.getList(r.fieldIndex("masked_lm_ids"))), floats(r.getList(r.fieldIndex("masked_lm_weights"))),
                r.getInt(r.fieldIndex("next_sentence_labels")), r.getInt(r.fieldIndex("length")));
    }

    private static Integer[] boxed(int[] a) {
        Integer[] b = new Integer[a.length];
        for (int i = 0; i < a.length; i++) b[i] = a[i];
        return b;
    }

    private static Float[] boxed(float[] a) {
        Float[] b = new Float[a.length];
        for (int i = 0; i < a.length; i++) b[i] = a[i];
        return b;
    }

    private static int[] ints(List<Object> l) {
        int[] a = new int[l.size()];
        for (int i = 0; i < a.length; i++) a[i] = ((Number) l.get(i)).intValue();
        return a;
    }

    private static float[] floats(List<Object> l) {
        float[] a = new float[l.size()];
        for (int i = 0; i < a.length; i++) a[i] = ((Number) l.get(i)).floatValue();
        return a;
    }
}
