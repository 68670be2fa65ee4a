package dev.tendril.protocol.spec;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects every validation problem of one document, so a user sees all of them at once.
 * Each problem names the key (a dotted path such as {@code ports[0].hostPort}), the bad
 * value and what is allowed.
 */
public final class Problems {
    /** One problem: key path, the offending value as text ("" when missing), and what is allowed. */
    public record Problem(String key, String value, String allowed) {
        @Override
        public String toString() {
            return value == null ? key + ": missing; " + allowed : key + ": got '" + value + "'; " + allowed;
        }
    }

    private final List<Problem> list = new ArrayList<>();

    public void missing(String key, String allowed) {
        list.add(new Problem(key, null, "required: " + allowed));
    }

    public void bad(String key, Object value, String allowed) {
        list.add(new Problem(key, String.valueOf(value), "allowed: " + allowed));
    }

    public boolean isEmpty() {
        return list.isEmpty();
    }

    public List<Problem> all() {
        return List.copyOf(list);
    }

    /** The problems as one line each. */
    public List<String> messages() {
        return list.stream().map(Problem::toString).toList();
    }

    @Override
    public String toString() {
        return String.join("\n", messages());
    }
}
