package dev.tendril.protocol.transport;

import dev.tendril.protocol.message.MessageId;

import java.time.Clock;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Replies already sent, by request id, so that a retried request gets the first reply
 * again. Bounded three ways: at most {@code capacity} entries and {@code maxBytes} of reply
 * frames (oldest first out), and none older than {@code ttlMillis}. A single reply larger
 * than {@code maxBytes} is not remembered. Confined to the server's socket thread.
 */
final class ReplyCache {
    private record Entry(byte[] frame, long storedAtMillis) {
    }

    private final int capacity;
    private final long maxBytes;
    private final long ttlMillis;
    private final Clock clock;
    /** Insertion order = age order (an entry is stored once and never refreshed). */
    private final LinkedHashMap<MessageId, Entry> entries = new LinkedHashMap<>();

    private long bytes;

    ReplyCache(int capacity, long maxBytes, long ttlMillis, Clock clock) {
        this.capacity = capacity;
        this.maxBytes = maxBytes;
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
        remove(entries.remove(id));
        if (frame.length > maxBytes) {
            return;
        }
        entries.put(id, new Entry(frame, clock.millis()));
        bytes += frame.length;
        while (entries.size() > capacity || bytes > maxBytes) {
            Iterator<Map.Entry<MessageId, Entry>> it = entries.entrySet().iterator();
            remove(it.next().getValue());
            it.remove();
        }
        expire();
    }

    long bytes() {
        return bytes;
    }

    private void remove(Entry e) {
        if (e != null) {
            bytes -= e.frame().length;
        }
    }

    int size() {
        return entries.size();
    }

    private void expire() {
        long oldest = clock.millis() - ttlMillis;
        Iterator<Entry> it = entries.values().iterator();
        while (it.hasNext()) {
            Entry e = it.next();
            if (e.storedAtMillis() > oldest) {
                return;
            }
            remove(e);
            it.remove();
        }
    }
}
