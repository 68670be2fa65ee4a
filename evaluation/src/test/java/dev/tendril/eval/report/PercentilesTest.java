package dev.tendril.eval.report;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PercentilesTest {
    @Test
    void nearestRank() {
        double[] v = new double[100];
        for (int i = 0; i < 100; i++) {
            v[i] = 100 - i; // 1..100, unsorted
        }
        Percentiles p = Percentiles.of(v);
        assertEquals(100, p.count());
        assertEquals(1, p.p1());
        assertEquals(50, p.p50());
        assertEquals(75, p.p75());
        assertEquals(90, p.p90());
        assertEquals(99, p.p99());
        Percentiles three = Percentiles.of(new double[]{3, 1, 2});
        assertEquals(1, three.p1());
        assertEquals(2, three.p50());
        assertEquals(3, three.p99());
        assertTrue(Percentiles.of(new double[0]).isEmpty());
    }

    @Test
    void chartsArePngFiles(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path f = dir.resolve("c.png");
        PngChart.lines("t", "x", "y", true).series("s", List.of(new double[]{1000, 1}, new double[]{100000, 2}))
                .cdf("c", new double[]{1, 2, 3}).write(f);
        BufferedImage img = ImageIO.read(Files.newInputStream(f));
        assertEquals(900, img.getWidth());
        assertEquals(540, img.getHeight());
    }
}
