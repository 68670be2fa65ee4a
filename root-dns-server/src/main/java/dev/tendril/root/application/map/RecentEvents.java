package dev.tendril.root.application.map;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The latest {@link TopologyEvent}s, oldest dropped first once {@code capacity} are held.
 * Thread-safe (the control endpoint's handler threads add, the HTTP thread reads).
 */
public final class RecentEvents {
    /** What the root keeps for its map by default. */
    public static final int DEFAULT_CAPACITY = 200;

    private final int capacity;
    private final ArrayDeque<TopologyEvent> ring;
    private long recorded;

    public RecentEvents(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        this.capacity = capacity;
        this.ring = new ArrayDeque<>(capacity);
    }

    public synchronized void add(TopologyEvent event) {
        if (ring.size() == capacity) {
            ring.removeFirst();
        }
        ring.addLast(event);
        recorded++;
    }

    /** The events held, oldest first. */
    public synchronized List<TopologyEvent> latest() {
        return new ArrayList<>(ring);
    }

    /** Events recorded since the start, the dropped ones included. */
    public synchronized long recorded() {
        return recorded;
    }

    public int capacity() {
        return capacity;
    }
}
