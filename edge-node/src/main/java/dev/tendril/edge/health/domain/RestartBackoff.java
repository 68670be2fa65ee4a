package dev.tendril.edge.health.domain;

import java.time.Duration;
import java.time.Instant;

/**
 * When an exited instance may be started again: at once the first time, then after a delay
 * that doubles with each restart in a row (up to {@code max}), so a crash loop does not
 * hammer the runtime. An instance that stayed up for {@code stableAfter} starts the count over.
 */
public final class RestartBackoff {
    private final Duration first;
    private final Duration max;
    private final Duration stableAfter;
    private int restartsInARow;
    private Instant lastStart = Instant.MIN;

    public RestartBackoff(Duration first, Duration max, Duration stableAfter) {
        this.first = first;
        this.max = max;
        this.stableAfter = stableAfter;
    }

    public static RestartBackoff standard() {
        return new RestartBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(10));
    }

    /** The instance started at {@code at}: first started ({@code restart} false) or started again after an exit. */
    public void started(Instant at, boolean restart) {
        restartsInARow = restart ? restartsInARow + 1 : 0;
        lastStart = at;
    }

    /** The instance exited at {@code at}; one that ran for {@code stableAfter} or longer ends a crash loop. */
    public void exited(Instant at) {
        if (lastStart != Instant.MIN && Duration.between(lastStart, at).compareTo(stableAfter) >= 0) {
            restartsInARow = 0;
        }
    }

    /** The earliest time of the next restart of an instance that exited at {@code exitedAt}. */
    public Instant nextRestart(Instant exitedAt) {
        if (restartsInARow == 0) {
            return exitedAt;
        }
        Duration d = first.multipliedBy(1L << Math.min(restartsInARow - 1, 20));
        return exitedAt.plus(d.compareTo(max) > 0 ? max : d);
    }

    public int restartsInARow() {
        return restartsInARow;
    }
}
