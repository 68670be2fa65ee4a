package dev.tendril.protocol.transport;

import dev.tendril.protocol.message.MessageId;

import java.time.Clock;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Replies already sent, by request id, so that a retried request gets the first reply
 * again. Bounded both ways: at most {@code capacity} entries (oldest first out) and none
 * older than {@code ttlMillis}. Confined to the server's socket thread.
 */
final class ReplyCache {
    private record Entry(byte[] frame, long storedAtMillis) {
    }

    private final int capacity;
    private final long ttlMillis;
    private final Clock clock;
    /** Insertion order = age order (an entry is stored once and never refreshed). */
    private final LinkedHashMap<MessageId, Entry> entries = new LinkedHashMap<>();

    ReplyCache(int capacity, long ttlMillis, Clock clock) {
        this.capacity = capacity;
        this.ttlMillis = ttlMillis;
        this.clock = clock;
    }

    /** The reply frame sent for this id, or null when none is remembered. */
    byte[] get(MessageId id) {
        expire();
        Entry e = entries.get(id);
        return e == null ? null : e.frame();
    }

    void put(MessageId id, byte[] frame) {
        entries.remove(id);
        entries.put(id, new Entry(frame, clock.millis()));
        while (entries.size() > capacity) {
            Iterator<Map.Entry<MessageId, Entry>> it = entries.entrySet().iterator();
            it.next();
            it.remove();
        }
        expire();
    }

    int size() {
        return entries.size();
    }

    private void expire() {
        long oldest = clock.millis() - ttlMillis;
        Iterator<Entry> it = entries.values().iterator();
        while (it.hasNext()) {
            if (it.next().storedAtMillis() > oldest) {
                return;
            }
            it.remove();
        }
    }
}
