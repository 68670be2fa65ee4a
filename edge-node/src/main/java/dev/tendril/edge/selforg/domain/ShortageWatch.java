package dev.tendril.edge.selforg.domain;

import dev.tendril.protocol.spec.Thresholds;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
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
                    why.append(String.format(Locale.ROOT, "%s %.2f > %.2f for %.1f s", NAMES[i], load[i], limit[i],
                            above.toMillis() / 1000.0));
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
        return String.format(Locale.ROOT, "cpu %.2f, ram %.2f, gpu %.2f, disk %.2f", s.cpu(), s.ram(), s.gpu(), s.disk());
    }

    private static double[] values(LoadSample s) {
        return new double[] {s.cpu(), s.ram(), s.gpu(), s.disk()};
    }

    private static double[] limits(Thresholds t) {
        return new double[] {t.cpu(), t.ram(), t.gpu(), t.disk()};
    }
}
