package dev.tendril.edge.selforg.domain;

import dev.tendril.protocol.spec.Thresholds;
import dev.tendril.protocol.text.Decimals;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Resource shortage: a resource whose load stayed above its threshold for a whole window.
 * Fed one sample per assessment round; a sample at or below the threshold restarts that
 * resource's window.
 */
public final class ShortageWatch {
    private static final String[] NAMES = {"cpu", "ram", "gpu", "disk"};
    private final Instant[] aboveSince = new Instant[4];

    /** Takes a sample; returns why the node is short (e.g. "cpu 0.93 > 0.80 for 10.0 s"), or empty. */
    public Optional<String> update(Instant now, LoadSample s, Thresholds t, Duration window) {
        double[] load = values(s);
        double[] limit = limits(t);
        StringBuilder why = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            if (load[i] > limit[i]) {
                if (aboveSince[i] == null) {
                    aboveSince[i] = now;
                }
                Duration above = Duration.between(aboveSince[i], now);
                if (above.compareTo(window) >= 0) {
                    if (why.length() > 0) {
                        why.append(", ");
                    }
                    why.append(NAMES[i]).append(' ').append(Decimals.fixed(load[i], 2)).append(" > ")
                            .append(Decimals.fixed(limit[i], 2)).append(" for ").append(Decimals.fixed(above.toMillis() / 1000.0, 1))
                            .append(" s");
                }
            } else {
                aboveSince[i] = null;
            }
        }
        return why.length() == 0 ? Optional.empty() : Optional.of(why.toString());
    }

    /** Whether any resource is above its threshold in this one sample (no window). */
    public static boolean above(LoadSample s, Thresholds t) {
        double[] load = values(s);
        double[] limit = limits(t);
        for (int i = 0; i < 4; i++) {
            if (load[i] > limit[i]) {
                return true;
            }
        }
        return false;
    }

    /** "cpu 0.55, ram 0.40, gpu 0.00, disk 0.10" for log lines. */
    public static String describe(LoadSample s) {
        return "cpu " + Decimals.fixed(s.cpu(), 2) + ", ram " + Decimals.fixed(s.ram(), 2) + ", gpu " + Decimals.fixed(s.gpu(), 2)
                + ", disk " + Decimals.fixed(s.disk(), 2);
    }

    private static double[] values(LoadSample s) {
        return new double[] {s.cpu(), s.ram(), s.gpu(), s.disk()};
    }

    private static double[] limits(Thresholds t) {
        return new double[] {t.cpu(), t.ram(), t.gpu(), t.disk()};
    }
}
