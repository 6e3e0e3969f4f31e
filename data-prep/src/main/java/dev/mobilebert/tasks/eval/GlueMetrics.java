package dev.mobilebert.tasks.eval;

/**
 * The GLUE metrics as scikit-learn and SciPy compute them ({@code matthews_corrcoef}, {@code f1_score},
 * {@code accuracy_score}, {@code pearsonr}, {@code spearmanr}), which is what the GLUE baselines and the
 * benchmark's reference evaluation use. Labels are class ids (0..k-1).
 */
public final class GlueMetrics {
    private GlueMetrics() {}

    public static double accuracy(int[] gold, int[] pred) {
        checkSizes(gold.length, pred.length);
        int correct = 0;
        for (int i = 0; i < gold.length; i++) if (gold[i] == pred[i]) correct++;
        return (double) correct / gold.length;
    }

    /** Binary F1 of class 1 ({@code f1_score(pos_label=1)}): 2tp / (2tp + fp + fn), 0 when there is no positive. */
    public static double f1(int[] gold, int[] pred) {
        checkSizes(gold.length, pred.length);
        long tp = 0, fp = 0, fn = 0;
        for (int i = 0; i < gold.length; i++) {
            if (pred[i] == 1 && gold[i] == 1) tp++;
            else if (pred[i] == 1) fp++;
            else if (gold[i] == 1) fn++;
        }
        long denominator = 2 * tp + fp + fn;
        return denominator == 0 ? 0.0 : 2.0 * tp / denominator;
    }

    /**
     * Matthews correlation coefficient; for more than two classes Gorodkin's R_K, which is what sklearn computes
     * (and the GLUE diagnostic's R3). Integer covariances from the confusion matrix, 0 when either side is
     * constant.
     */
    public static double matthews(int[] gold, int[] pred, int classes) {
        checkSizes(gold.length, pred.length);
        long[] trueSum = new long[classes];
        long[] predSum = new long[classes];
        long correct = 0;
        for (int i = 0; i < gold.length; i++) {
            trueSum[gold[i]]++;
            predSum[pred[i]]++;
            if (gold[i] == pred[i]) correct++;
        }
        long n = gold.length;
        long tp = 0, pp = 0, tt = 0;
        for (int k = 0; k < classes; k++) {
            tp += trueSum[k] * predSum[k];
            pp += predSum[k] * predSum[k];
            tt += trueSum[k] * trueSum[k];
        }
        long covYtYp = correct * n - tp;
        long covYpYp = n * n - pp;
        long covYtYt = n * n - tt;
        if (covYpYp == 0 || covYtYt == 0) return 0.0;
        double product;
        try {
            product = Math.multiplyExact(covYtYt, covYpYp);
        } catch (ArithmeticException overflow) {
            product = (double) covYtYt * covYpYp;
        }
        return covYtYp / Math.sqrt(product);
    }

    /** Pearson's r (scipy.stats.pearsonr): centred vectors, normalised, dot product. */
    public static double pearson(double[] x, double[] y) {
        checkSizes(x.length, y.length);
        if (x.length < 2) throw new IllegalArgumentException("Pearson correlation needs at least 2 values");
        double mx = mean(x), my = mean(y);
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.length; i++) {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        if (sxx == 0 || syy == 0) return Double.NaN; // scipy: ConstantInputWarning, r = nan
        double r = sxy / (Math.sqrt(sxx) * Math.sqrt(syy));
        return Math.max(-1.0, Math.min(1.0, r));
    }

    /** Spearman's rho: Pearson's r of the ranks, ties getting their average rank (scipy.stats.rankdata). */
    public static double spearman(double[] x, double[] y) {
        return pearson(averageRanks(x), averageRanks(y));
    }

    /** 1-based ranks; a group of equal values all get the mean of the ranks they span. */
    public static double[] averageRanks(double[] v) {
        Integer[] order = new Integer[v.length];
        for (int i = 0; i < v.length; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> Double.compare(v[a], v[b]));
        double[] ranks = new double[v.length];
        int i = 0;
        while (i < v.length) {
            int j = i;
            while (j + 1 < v.length && v[order[j + 1]] == v[order[i]]) j++;
            double rank = (i + j) / 2.0 + 1; // mean of ranks i+1 .. j+1
            for (int k = i; k <= j; k++) ranks[order[k]] = rank;
            i = j + 1;
        }
        return ranks;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double d : v) s += d;
        return s / v.length;
    }

    private static void checkSizes(int a, int b) {
        if (a != b) throw new IllegalArgumentException("gold and predictions differ in size: " + a + " vs " + b);
        if (a == 0) throw new IllegalArgumentException("no examples to score");
    }
}
