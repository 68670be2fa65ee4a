package dev.tendril.protocol.text;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link Decimals#fixed} writes exactly what {@code String.format(Locale.ROOT, "%.Nf", v)} writes. */
class DecimalsTest {
    static String formatted(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    @Property(tries = 3000)
    void sameAsFormatterForDistancesLoadsAndCoordinates(@ForAll @DoubleRange(min = -20_000, max = 20_000) double v,
                                                        @ForAll @IntRange(min = 0, max = 6) int decimals) {
        assertEquals(formatted(v, decimals), Decimals.fixed(v, decimals));
    }

    @Property(tries = 3000)
    void sameAsFormatterAtEveryMagnitude(@ForAll double v, @ForAll @IntRange(min = 0, max = 9) int decimals) {
        assertEquals(formatted(v, decimals), Decimals.fixed(v, decimals));
    }

    @Property(tries = 2000)
    void sameAsFormatterOnHalves(@ForAll @IntRange(min = -100_000, max = 100_000) int n, @ForAll @IntRange(min = 0, max = 3) int decimals) {
        double v = (n + 0.5) / Math.pow(10, decimals); // exactly half-way in decimal: the rounding direction shows
        assertEquals(formatted(v, decimals), Decimals.fixed(v, decimals));
    }

    @Test
    void edgeCases() {
        for (double v : new double[] {0.0, -0.0, 0.5, 1.5, 2.5, 9.995, 99.95, 999.5, 0.125, 1.005, 0.0005, 0.001, 9_999_999.5,
                1e7, 0.049999999999999996, Double.MIN_VALUE, Double.MAX_VALUE, Double.NaN, Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY, -48.13743, 11.57549, 0.92, 0.8}) {
            for (int d = 0; d <= 4; d++) {
                assertEquals(formatted(v, d), Decimals.fixed(v, d), v + " with " + d);
            }
        }
        assertEquals("0.13", Decimals.fixed(0.125, 2));
        assertEquals("1000", Decimals.fixed(999.5, 0));
        assertEquals("-0.0", Decimals.fixed(-0.0, 1));
        assertThrows(IllegalArgumentException.class, () -> Decimals.fixed(1, 10));
    }
}
