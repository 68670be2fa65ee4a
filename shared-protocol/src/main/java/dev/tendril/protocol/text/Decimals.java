package dev.tendril.protocol.text;

import java.util.Locale;

/**
 * {@code String.format(Locale.ROOT, "%.Nf", value)} without {@link java.util.Formatter}: the
 * same text (the shortest decimal digits of the value, as {@link Double#toString} gives them,
 * rounded half up to {@code decimals} places; a minus sign whenever the sign bit is set), at a
 * fraction of the cost. The self-organization events format distances, loads and positions on
 * the paths a migration or replication waits for, and a node runs those paths interpreted the
 * first few times (the edge runs C1 only): there {@code Formatter} took ~4 of the ~5 ms an
 * origin spent from its replication decision to the Replicate (docs/evaluation.md, 1b).
 * Values whose {@code Double.toString} is in scientific notation (below 10^-3 or from 10^7), and
 * NaN or infinities, are handed to {@code String.format}.
 */
public final class Decimals {
    private Decimals() {
    }

    /** {@code value} with {@code decimals} (0 to 9) places, as {@code %.<decimals>f} formats it. */
    public static String fixed(double value, int decimals) {
        if (decimals < 0 || decimals > 9) {
            throw new IllegalArgumentException("decimals must be 0 to 9, got " + decimals);
        }
        boolean negative = Double.doubleToRawLongBits(value) < 0;
        String digits = Double.toString(Math.abs(value));
        if (Double.isNaN(value) || Double.isInfinite(value) || digits.indexOf('E') >= 0) {
            return String.format(Locale.ROOT, "%." + decimals + "f", value);
        }
        int point = digits.indexOf('.');
        String whole = digits.substring(0, point);
        String fraction = digits.substring(point + 1);
        StringBuilder out = new StringBuilder(whole.length() + decimals + 2);
        if (fraction.length() <= decimals) {
            out.append(whole);
            if (decimals > 0) {
                out.append('.').append(fraction);
                out.append("0".repeat(decimals - fraction.length()));
            }
        } else {
            // the kept digits, rounded half up on the first dropped one
            char[] kept = (whole + fraction.substring(0, decimals)).toCharArray();
            boolean carry = fraction.charAt(decimals) >= '5';
            for (int i = kept.length - 1; carry && i >= 0; i--) {
                if (kept[i] == '9') {
                    kept[i] = '0';
                } else {
                    kept[i]++;
                    carry = false;
                }
            }
            if (carry) {
                out.append('1');
            }
            int wholeDigits = kept.length - decimals;
            out.append(kept, 0, wholeDigits);
            if (decimals > 0) {
                out.append('.').append(kept, wholeDigits, decimals);
            }
        }
        return negative ? "-" + out : out.toString();
    }
}
