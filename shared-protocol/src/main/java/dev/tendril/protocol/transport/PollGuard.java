package dev.tendril.protocol.transport;

import org.slf4j.Logger;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Keeps a socket thread's loop alive. JeroMQ 0.6.0 fails a call on a socket when the calling
 * thread's interrupt flag is set: the socket's signaler reports EINTR, so a poll returns -1 and a
 * receive throws. The loops run other code on their thread (a reply completes its caller's future
 * there, and the caller's continuations with it), and one that restores an interrupt after catching
 * an InterruptedException left the flag set: the client's thread stopped for good and its node's
 * every later request went unanswered (an edge node of topology D, 2026-12-06). The flag is cleared
 * right after such code and before each poll (counted, one WARN naming the loop, then DEBUG); a
 * poll that fails anyway is logged too, and the loop pauses {@link #PAUSE_MILLIS} and polls again
 * instead of stopping.
 */
final class PollGuard {
    static final long PAUSE_MILLIS = 10;

    private final String loop;
    private final Logger log;
    private final LongAdder interrupts = new LongAdder();
    private final LongAdder failures = new LongAdder();

    PollGuard(String loop, Logger log) {
        this.loop = loop;
        this.log = log;
    }

    /** Clears the calling thread's interrupt flag, which would fail its next JeroMQ call; counts and logs it. */
    void clearInterrupt() {
        if (!Thread.interrupted()) {
            return;
        }
        interrupts.increment();
        if (interrupts.sum() == 1) {
            log.warn("{}: its thread was interrupted (by code run on it, e.g. a continuation of a request); cleared, as an"
                    + " interrupted thread cannot poll its sockets (further ones at DEBUG)", loop);
        } else {
            log.debug("{}: its thread was interrupted again ({} times); cleared", loop, interrupts.sum());
        }
    }

    /** A poll failed although the loop is not closing: logged, a short pause, and the loop polls again. */
    void failed() {
        failures.increment();
        if (failures.sum() == 1 || failures.sum() % 1_000 == 0) {
            log.warn("{}: polling its sockets failed ({} times so far); polling again in {} ms", loop, failures.sum(),
                    PAUSE_MILLIS);
        }
        Thread.interrupted(); // whatever set it, it must not fail the next poll too
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(PAUSE_MILLIS));
    }

    /** Interrupt flags cleared before a poll so far. */
    long interrupts() {
        return interrupts.sum();
    }
}
