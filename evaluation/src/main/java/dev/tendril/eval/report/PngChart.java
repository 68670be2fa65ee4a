package dev.tendril.eval.report;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Line charts and CDFs written as PNG for docs/evaluation.md, drawn by XChart (headless):
 * its axes choose round ticks (1, 2, 5 x 10^n; decades on a log axis). Axis labels carry the
 * unit, e.g. "time-to-migrate (ms)".
 */
public final class PngChart {
    private record Series(String name, List<double[]> points, boolean steps) {
    }

    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
            new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b), new Color(0x17becf), new Color(0x7f7f7f)};
    private static final int W = 900, H = 540;

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final boolean logX;
    private final List<Series> series = new ArrayList<>();
    private boolean zeroBased;

    private PngChart(String title, String xLabel, String yLabel, boolean logX) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.logX = logX;
    }

    public static PngChart lines(String title, String xLabel, String yLabel, boolean logX) {
        return new PngChart(title, xLabel, yLabel, logX);
    }

    public PngChart series(String name, List<double[]> points) {
        List<double[]> ok = points.stream().filter(p -> !Double.isNaN(p[1])).toList();
        series.add(new Series(name, ok, false));
        return this;
    }

    /** Adds the empirical CDF of a sample (x = value, y = fraction at or below). */
    public PngChart cdf(String name, double[] sample) {
        double[] v = sample.clone();
        Arrays.sort(v);
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < v.length; i++) {
            pts.add(new double[]{v[i], (i + 1) / (double) v.length});
        }
        series.add(new Series(name + " (n=" + v.length + ")", pts, true));
        return this;
    }

    /** The y axis starts at 0 (counts, rates), not at the smallest value. */
    public PngChart zeroBased() {
        zeroBased = true;
        return this;
    }

    public void write(Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(W).height(H).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        Styler style = chart.getStyler();
        chart.getStyler().setXAxisLogarithmic(logX);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesColor(new Color(0xe0e0e0));
        chart.getStyler().setSeriesColors(COLORS);
        chart.getStyler().setAntiAlias(true);
        style.setDecimalPattern("#,##0.###");
        if (zeroBased) {
            chart.getStyler().setYAxisMin(0.0);
        }
        boolean anyPoint = false;
        for (Series s : series) {
            List<double[]> pts = s.steps() ? steps(s.points()) : s.points();
            if (pts.isEmpty()) {
                continue;
            }
            anyPoint = true;
            double[] x = pts.stream().mapToDouble(p -> logX ? Math.max(p[0], 1e-9) : p[0]).toArray();
            double[] y = pts.stream().mapToDouble(p -> p[1]).toArray();
            XYSeries drawn = chart.addSeries(s.name(), x, y);
            drawn.setMarker(s.steps() || pts.size() > 40 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
        }
        if (!anyPoint) {
            chart.addSeries("no data", new double[]{logX ? 1 : 0}, new double[]{0}).setMarker(SeriesMarkers.NONE);
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        String name = file.toString();
        String base = name.endsWith(".png") ? name.substring(0, name.length() - 4) : name;
        BitmapEncoder.saveBitmap(chart, base, BitmapEncoder.BitmapFormat.PNG);
    }

    /** An empirical CDF as a staircase: each value rises from the previous fraction to its own. */
    private static List<double[]> steps(List<double[]> cdf) {
        List<double[]> out = new ArrayList<>(cdf.size() * 2);
        double previous = 0;
        for (double[] p : cdf) {
            out.add(new double[]{p[0], previous});
            out.add(p);
            previous = p[1];
        }
        return out;
    }
}
