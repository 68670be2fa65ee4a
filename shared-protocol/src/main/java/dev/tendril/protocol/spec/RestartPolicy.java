package dev.tendril.protocol.spec;

import java.util.Locale;
import java.util.Optional;

/**
 * What the node does when an instance exits on its own (not removed by Tendril): start it
 * again always, only when it failed (a non-zero or unknown exit status), or never.
 */
public enum RestartPolicy {
    ALWAYS, ON_FAILURE, NEVER;

    public static final String ALLOWED = "always, on-failure or never";

    /** The YAML spelling: always, on-failure, never. */
    public String yamlName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Optional<RestartPolicy> parse(String text) {
        for (RestartPolicy p : values()) {
            if (p.yamlName().equals(text)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** True when an instance that ended with {@code exitCode} (-1: unknown) is started again. */
    public boolean restarts(int exitCode) {
        return switch (this) {
            case ALWAYS -> true;
            case ON_FAILURE -> exitCode != 0;
            case NEVER -> false;
        };
    }
}
