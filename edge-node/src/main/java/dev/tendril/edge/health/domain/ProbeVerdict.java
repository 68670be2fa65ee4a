package dev.tendril.edge.health.domain;

import java.util.Objects;

/** The outcome of one health probe of an instance. */
public sealed interface ProbeVerdict {
    Pass PASS = new Pass();

    static Fail fail(String reason) {
        return new Fail(reason);
    }

    /** The instance answered as expected. */
    record Pass() implements ProbeVerdict {
    }

    /** It did not: refused, timed out, or answered another status; {@code reason} in words. */
    record Fail(String reason) implements ProbeVerdict {
        public Fail {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
