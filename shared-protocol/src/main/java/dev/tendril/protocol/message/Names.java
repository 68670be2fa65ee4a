package dev.tendril.protocol.message;

import java.util.regex.Pattern;

/** Checks for the names that end up in DNS: services and node ids are single DNS labels. */
public final class Names {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private Names() {
    }

    public static boolean isDnsLabel(String s) {
        return s != null && LABEL.matcher(s).matches();
    }

    /** Returns the label, or throws naming the field, the value and what is allowed. */
    public static String requireDnsLabel(String field, String value) {
        if (!isDnsLabel(value)) {
            throw new IllegalArgumentException(field + " must be a DNS label (1-63 of a-z, 0-9, '-', not starting or ending with '-'), got '" + value + "'");
        }
        return value;
    }
}
