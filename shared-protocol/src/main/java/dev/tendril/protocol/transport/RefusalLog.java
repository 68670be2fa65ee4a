package dev.tendril.protocol.transport;

import org.slf4j.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Logs a refusal at most once per interval per peer and reason, with the number refused
 * since the last line, so a flood of refused messages costs a counter, not a log line each.
 * Memory is bounded: past {@code maxPeers} remembered peers the table starts afresh.
 * Thread-safe.
 */
public final class RefusalLog {
    private final Logger log;
    private final Clock clock;
    private final long intervalMillis;
    private final int maxPeers;
    private final Map<String, long[]> seen = new HashMap<>(); // key -> {last logged at, suppressed since}

    public RefusalLog(Logger log, Clock clock, Duration interval, int maxPeers) {
        this.log = log;
        this.clock = clock;
        this.intervalMillis = interval.toMillis();
        this.maxPeers = maxPeers;
    }

    /** 60 s per peer and reason, 10,000 peers. */
    public static RefusalLog of(Logger log, Clock clock) {
        return new RefusalLog(log, clock, Duration.ofSeconds(60), 10_000);
    }

    /**
     * Records one refusal; logs it at WARN when this peer and reason were not logged within
     * the interval.
     *
     * @return whether a line was written
     */
    public boolean refused(String node, String peer, String reason, String detail) {
        String key = peer + '\u0000' + reason;
        long now = clock.millis();
        long suppressed;
        synchronized (seen) {
            long[] entry = seen.get(key);
            if (entry != null && now - entry[0] < intervalMillis) {
                entry[1]++;
                return false;
            }
            if (entry == null && seen.size() >= maxPeers) {
                seen.clear();
            }
            suppressed = entry == null ? 0 : entry[1];
            seen.put(key, new long[] {now, 0});
        }
        log.warn("{}: refused {} from {}: {}{}", node, reason, peer, detail,
                suppressed == 0 ? "" : " (" + suppressed + " more since the last line)");
        return true;
    }
}
