package dev.tendril.eval.report;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Small line charts and CDFs written as PNG with Java2D (headless, no network, no plotting
 * package): enough for docs/evaluation.md.
 */
public final class PngChart {
    private record Series(String name, List<double[]> points, boolean steps) {
    }

    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
            new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b), new Color(0x17becf), new Color(0x7f7f7f)};
    private static final int W = 900, H = 540, L = 80, R = 200, T = 50, B = 60;

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

    public PngChart zeroBased() {
        zeroBased = true;
        return this;
    }

    private double tx(double x) {
        return logX ? Math.log10(Math.max(x, 1e-9)) : x;
    }

    public void write(Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        double x0 = Double.MAX_VALUE, x1 = -Double.MAX_VALUE, y0 = Double.MAX_VALUE, y1 = -Double.MAX_VALUE;
        for (Series s : series) {
            for (double[] p : s.points()) {
                x0 = Math.min(x0, tx(p[0]));
                x1 = Math.max(x1, tx(p[0]));
                y0 = Math.min(y0, p[1]);
                y1 = Math.max(y1, p[1]);
            }
        }
        if (x0 > x1) {
            x0 = 0;
            x1 = 1;
            y0 = 0;
            y1 = 1;
        }
        if (zeroBased || series.stream().anyMatch(Series::steps)) {
            y0 = Math.min(0, y0);
        }
        if (x1 - x0 < 1e-9) {
            x0 -= 0.5;
            x1 += 0.5;
        }
        if (y1 - y0 < 1e-9) {
            y1 = y0 + 1;
        }
        double padX = (x1 - x0) * 0.03, padY = (y1 - y0) * 0.05;
        x0 -= padX;
        x1 += padX;
        y1 += padY;
        if (!zeroBased && y0 != 0) {
            y0 -= padY;
        }
        int pw = W - L - R, ph = H - T - B;
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.setColor(Color.BLACK);
        g.drawString(title, L, 28);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        // axes and ticks
        g.setColor(new Color(0xdddddd));
        for (int i = 0; i <= 5; i++) {
            int y = T + ph - (int) (ph * i / 5.0);
            g.drawLine(L, y, L + pw, y);
        }
        g.setColor(Color.BLACK);
        g.drawRect(L, T, pw, ph);
        for (int i = 0; i <= 5; i++) {
            double v = y0 + (y1 - y0) * i / 5.0;
            int y = T + ph - (int) (ph * i / 5.0);
            g.drawString(label(v), 8, y + 4);
        }
        if (logX) {
            for (int e = (int) Math.ceil(x0); e <= Math.floor(x1); e++) {
                int x = L + (int) (pw * (e - x0) / (x1 - x0));
                g.drawLine(x, T + ph, x, T + ph + 5);
                g.drawString(label(Math.pow(10, e)), x - 15, T + ph + 20);
            }
        } else {
            for (int i = 0; i <= 5; i++) {
                double v = x0 + (x1 - x0) * i / 5.0;
                int x = L + (int) (pw * i / 5.0);
                g.drawLine(x, T + ph, x, T + ph + 5);
                g.drawString(label(v), x - 15, T + ph + 20);
            }
        }
        g.drawString(xLabel, L + pw / 2 - 60, H - 15);
        g.drawString(yLabel, 8, T - 8);
        // series
        g.setStroke(new BasicStroke(2f));
        int legendY = T + 10;
        for (int si = 0; si < series.size(); si++) {
            Series s = series.get(si);
            g.setColor(COLORS[si % COLORS.length]);
            int px = -1, py = -1;
            for (double[] p : s.points()) {
                int x = L + (int) (pw * (tx(p[0]) - x0) / (x1 - x0));
                int y = T + ph - (int) (ph * (p[1] - y0) / (y1 - y0));
                if (px >= 0) {
                    if (s.steps()) {
                        g.drawLine(px, py, x, py);
                        g.drawLine(x, py, x, y);
                    } else {
                        g.drawLine(px, py, x, y);
                    }
                }
                if (!s.steps()) {
                    g.fillOval(x - 3, y - 3, 7, 7);
                }
                px = x;
                py = y;
            }
            g.fillRect(L + pw + 12, legendY - 8, 14, 4);
            g.setColor(Color.BLACK);
            g.drawString(s.name(), L + pw + 32, legendY - 2);
            legendY += 20;
        }
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    private static String label(double v) {
        if (Math.abs(v) >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return Math.abs(v) >= 10 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
