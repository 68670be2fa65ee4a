package dev.tendril.eval.sim;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * Simulated time as the code under test sees it. Between events it stands still; inside the
 * handler of an event it reads the event's time plus (a) the real time the handler has run so
 * far, when processing is charged, and (b) the simulated round trips to the root made in the
 * handler. So a decision recorded after a root call is late by that round trip, and messages
 * sent by a handler leave after the work that produced them: simulated durations are network
 * delay plus the real code's own processing time.
 */
public final class SimClock extends Clock {
    public static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

    private final boolean chargeProcessing;
    private Instant base = EPOCH;
    private boolean inHandler;
    private long handlerStart;
    private long debtNanos;
    private long chargedNanos;

    /** @param chargeProcessing whether the real run time of handlers counts as simulated time */
    public SimClock(boolean chargeProcessing) {
        this.chargeProcessing = chargeProcessing;
    }

    void enter(Instant at) {
        base = at;
        debtNanos = 0;
        inHandler = true;
        handlerStart = System.nanoTime();
    }

    void leave() {
        if (inHandler && chargeProcessing) {
            chargedNanos += System.nanoTime() - handlerStart;
        }
        inHandler = false;
        debtNanos = 0;
    }

    void advanceTo(Instant at) {
        if (at.isAfter(base)) {
            base = at;
        }
    }

    /** A synchronous call that takes {@code d} of simulated time (a round trip to the root). */
    public void charge(Duration d) {
        debtNanos += d.toNanos();
    }

    /** The event time of the running handler (no processing, no debt). */
    public Instant eventTime() {
        return base;
    }

    /** Real processing time charged so far (all handlers). */
    public Duration processingCharged() {
        return Duration.ofNanos(chargedNanos);
    }

    @Override
    public Instant instant() {
        long off = debtNanos;
        if (inHandler && chargeProcessing) {
            off += System.nanoTime() - handlerStart;
        }
        return base.plusNanos(off);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("simulated time is UTC");
    }
}
