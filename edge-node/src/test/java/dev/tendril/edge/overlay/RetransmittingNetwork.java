package dev.tendril.edge.overlay;

import dev.tendril.edge.testing.MutableClock;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.OverlayMessage;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Many nodes' overlays in one process over links that lose packets the way TCP over a lossy
 * path does: each segment is lost with probability {@code loss} (seeded); a lost segment is
 * sent again after a retransmission timeout of 200 ms (Linux's minimum) that doubles with each
 * loss of the same segment; a connection delivers in order, so a segment waits behind an earlier
 * one still being retransmitted (head-of-line blocking), which makes silences come in runs, as
 * on a real connection. {@link #send} and {@link #probe} are two paths with connections of their
 * own. Nothing is reset: a try that times out leaves its segments to the retransmission.
 *
 * <p>Time: a call advances the shared {@link MutableClock} by what the caller waited (the
 * round trip, or the whole timeout). A request is handled only when its reply makes the
 * timeout (a late heartbeat never counts as heard: the parent's view is pessimistic).
 * Each node talks through its own view, {@link #from}; not thread-safe (one test thread).
 */
final class RetransmittingNetwork {
    static final Duration HOP = Duration.ofMillis(1);
    static final Duration MIN_RTO = Duration.ofMillis(200);
    static final Duration MAX_RTO = Duration.ofSeconds(120);

    private final MutableClock clock;
    private final Map<String, Overlay> nodes = new HashMap<>();
    private final Set<String> down = new HashSet<>();
    /** Per direction of a connection ("from>to/path"): when its last segment got through. */
    private final Map<String, Instant> busyUntil = new HashMap<>();
    private final RandomGenerator random;
    private double loss;
    private long segments;
    private long lostSegments;

    RetransmittingNetwork(MutableClock clock, RandomGenerator random) {
        this.clock = clock;
        this.random = random;
    }

    void attach(String nodeId, Overlay overlay) {
        nodes.put(nodeId, overlay);
        down.remove(nodeId);
    }

    void kill(String nodeId) {
        down.add(nodeId);
    }

    void loss(double loss) {
        this.loss = loss;
    }

    /** Segments sent and lost so far (retransmissions included). */
    long[] segments() {
        return new long[] {segments, lostSegments};
    }

    /** What node {@code self} sends through. */
    OverlayLink from(String self) {
        return new OverlayLink() {
            @Override
            public Optional<Message> send(NodeInfo peer, OverlayMessage message, Duration timeout, int attempts) {
                Optional<Message> reply = Optional.empty();
                for (int i = 0; i < attempts && reply.isEmpty(); i++) {
                    if (i > 0) {
                        reconnect(self, peer.nodeId(), "main"); // nothing came back: the transport starts afresh
                    }
                    reply = exchange(self, peer.nodeId(), "main", message, timeout);
                }
                return reply;
            }

            @Override
            public Optional<Message> probe(NodeInfo peer, OverlayMessage message, Duration timeout) {
                return exchange(self, peer.nodeId(), "probe", message, timeout);
            }
        };
    }

    private Optional<Message> exchange(String from, String to, String path, OverlayMessage message, Duration timeout) {
        Instant start = clock.instant();
        Instant deadline = start.plus(timeout);
        Instant arrives = transmit(from + ">" + to + "/" + path, start);
        Overlay peer = nodes.get(to);
        if (peer == null || down.contains(to) || arrives.isAfter(deadline)) {
            clock.advance(timeout);
            return Optional.empty();
        }
        Instant back = transmit(to + ">" + from + "/" + path, arrives);
        if (back.isAfter(deadline)) {
            clock.advance(timeout);
            return Optional.empty();
        }
        clock.advance(Duration.between(start, back));
        return Optional.of(peer.handle(message));
    }

    /**
     * A fresh connection: segments still being retransmitted on the old one no longer hold
     * anything up; SYN and SYN-ACK go first, each lost with the same probability and sent again
     * after 1 s, then 2 s, ... (TCP's initial timeout).
     */
    private void reconnect(String from, String to, String path) {
        Instant t = clock.instant();
        for (int i = 0; i < 2; i++) {
            Duration rto = Duration.ofSeconds(1);
            segments++;
            while (random.nextDouble() < loss) {
                lostSegments++;
                segments++;
                t = t.plus(rto);
                rto = rto.multipliedBy(2);
            }
            t = t.plus(HOP);
        }
        busyUntil.put(from + ">" + to + "/" + path, t);
        busyUntil.put(to + ">" + from + "/" + path, t);
    }

    /** One segment into one direction of a connection at {@code at}: when it gets through. */
    private Instant transmit(String direction, Instant at) {
        Instant t = at;
        Instant previous = busyUntil.get(direction);
        if (previous != null && previous.isAfter(t)) {
            t = previous; // in order: behind the segment still being retransmitted
        }
        Duration rto = MIN_RTO;
        segments++;
        while (random.nextDouble() < loss) {
            lostSegments++;
            segments++;
            t = t.plus(rto);
            rto = rto.multipliedBy(2).compareTo(MAX_RTO) > 0 ? MAX_RTO : rto.multipliedBy(2);
        }
        t = t.plus(HOP);
        busyUntil.put(direction, t);
        return t;
    }
}
