package dev.tendril.root.adapter.in.dns;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Says whether a refusal (a rate-limited answer, a refused TCP connection) may be logged:
 * at most once per interval per peer. Peers share 256 slots by hash, so a flood from many
 * addresses writes at most 256 lines per interval; counters count every refusal anyway.
 * Lock-free and allocation-free.
 */
final class RefusalLog {
    private static final int SLOTS = 256;
    private final AtomicLongArray lastLogged = new AtomicLongArray(SLOTS);
    private final long intervalMillis;

    RefusalLog(long intervalMillis) {
        this.intervalMillis = intervalMillis;
        for (int i = 0; i < SLOTS; i++) {
            lastLogged.set(i, Long.MIN_VALUE / 2);
        }
    }

    /** True at most once per interval for the slot of {@code peerHash}. */
    boolean mayLog(int peerHash, long nowMillis) {
        int slot = (peerHash ^ (peerHash >>> 8) ^ (peerHash >>> 16) ^ (peerHash >>> 24)) & (SLOTS - 1);
        long last = lastLogged.get(slot);
        return nowMillis - last >= intervalMillis && lastLogged.compareAndSet(slot, last, nowMillis);
    }
}
