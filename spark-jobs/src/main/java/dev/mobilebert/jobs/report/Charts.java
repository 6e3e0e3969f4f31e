package dev.mobilebert.jobs.report;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

import java.awt.Color;
import java.awt.Rectangle;
import java.util.List;
import java.util.Map;

/** JFreeChart charts drawn into JFreeSVG: an {@code <svg>} element to inline in the report (no files, no network). */
public final class Charts {
    static final int WIDTH = 640;
    static final int HEIGHT = 320;

    private Charts() {}

    /** Curves of value against step, one series per entry. */
    public static String lines(String title, String xLabel, String yLabel, Map<String, List<double[]>> series) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (var e : series.entrySet()) {
            XYSeries s = new XYSeries(e.getKey(), true, true);
            for (double[] p : e.getValue()) s.addOrUpdate(p[0], p[1]);
            data.addSeries(s);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL, series.size() > 1, false, false);
        XYPlot plot = chart.getXYPlot();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, series.values().stream().allMatch(l -> l.size() <= 50));
        plot.setRenderer(renderer);
        return svg(chart, plot);
    }

    /** A histogram of counts per integer value (e.g. instance lengths). */
    public static String histogram(String title, String xLabel, Map<Integer, Long> counts) {
        XYSeries s = new XYSeries(title);
        counts.forEach((k, v) -> s.add(k.doubleValue(), v.doubleValue()));
        JFreeChart chart = ChartFactory.createXYBarChart(title, xLabel, false, "count", new XYSeriesCollection(s),
                PlotOrientation.VERTICAL, false, false, false);
        XYPlot plot = chart.getXYPlot();
        XYBarRenderer renderer = (XYBarRenderer) plot.getRenderer();
        renderer.setShadowVisible(false);
        renderer.setDrawBarOutline(false);
        return svg(chart, plot);
    }

    private static String svg(JFreeChart chart, XYPlot plot) {
        chart.setBackgroundPaint(Color.WHITE);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
        chart.draw(g, new Rectangle(0, 0, WIDTH, HEIGHT));
        return g.getSVGElement();
    }
}
