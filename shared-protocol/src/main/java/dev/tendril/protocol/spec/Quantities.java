package dev.tendril.protocol.spec;

import java.time.Duration;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses sizes ("512Mi", "8Gi", "2GB", "1048576") and durations ("250ms", "30s", "10m", "1h"). */
public final class Quantities {
    public static final String SIZE_FORMS = "a byte count or a number with unit Ki, Mi, Gi, Ti (x1024) or K, M, G, T (x1000), optional trailing B, e.g. 512Mi";
    public static final String DURATION_FORMS = "a number with unit ms, s, m or h, e.g. 500ms, 30s, 10m";

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([KMGT]i?)?B?");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

    private Quantities() {
    }

    /** Bytes, or empty when the text is not a size. */
    public static OptionalLong parseSize(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            return OptionalLong.empty();
        }
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2);
        double factor = switch (unit) {
            case "" -> 1;
            case "K" -> 1e3;
            case "M" -> 1e6;
            case "G" -> 1e9;
            case "T" -> 1e12;
            case "Ki" -> 1L << 10;
            case "Mi" -> 1L << 20;
            case "Gi" -> 1L << 30;
            case "Ti" -> 1L << 40;
            default -> -1;
        };
        double bytes = n * factor;
        if (factor < 0 || bytes > Long.MAX_VALUE) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Math.round(bytes));
    }

    /** The duration, or null when the text is not one. */
    public static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    /** "1.5Gi"-style text for a byte count (for display). */
    public static String formatSize(long bytes) {
        String[] units = {"", "Ki", "Mi", "Gi", "Ti"};
        double v = bytes;
        int i = 0;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return i == 0 ? Long.toString(bytes) : String.format(Locale.ROOT, "%.1f%s", v, units[i]);
    }
}
