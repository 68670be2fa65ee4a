package dev.tendril.root.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waiting for a condition with a deadline (never a fixed sleep). */
public final class Poll {
    private Poll() {
    }

    /** A short pause between two checks of a condition. */
    public static void pause() {
        LockSupport.parkNanos(20_000_000L);
    }

    /** Waits until the condition holds; fails with {@code what} after {@code timeout}. */
    public static void until(Duration timeout, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            pause();
        }
    }
}
