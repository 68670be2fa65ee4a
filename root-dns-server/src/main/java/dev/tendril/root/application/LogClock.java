package dev.tendril.root.application;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The clock the use cases read while commands of a replicated log are applied: pinned to the
 * time written in the log entry (the leader's clock when it proposed the command), so every
 * root computes the same record times and expiries whatever its own clock says. Outside an
 * applied command (queries, purges) it reads the base clock. Pinned and read on the writer
 * thread only.
 */
public final class LogClock extends Clock {
    private static final long NONE = Long.MIN_VALUE;

    private final Clock base;
    private volatile long pinned = NONE;

    public LogClock(Clock base) {
        this.base = base;
    }

    /** From now until {@link #unpin()}, {@link #millis()} answers {@code atMillis}. */
    public void pin(long atMillis) {
        pinned = atMillis;
    }

    public void unpin() {
        pinned = NONE;
    }

    @Override
    public long millis() {
        long p = pinned;
        return p == NONE ? base.millis() : p;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a log clock has no zone but UTC");
    }
}
