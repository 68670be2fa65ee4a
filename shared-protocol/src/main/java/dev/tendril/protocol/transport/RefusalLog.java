package dev.tendril.protocol.transport;

import org.slf4j.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Logs a refusal at most once per interval per peer and reason, with the number refused
 * since the last line, so a flood of refused messages costs a counter, not a log line each.
 * Failures (a handler that threw) are logged the same way, per peer and what failed; the
 * first line of each carries the stack trace, later ones only the exception.
 * Memory is bounded: past {@code maxPeers} remembered peers the table starts afresh (and a
 * failure's next line carries its stack trace again).
 * Thread-safe.
 */
public final class RefusalLog {
    private final Logger log;
    private final Clock clock;
    private final long intervalMillis;
    private final int maxPeers;
    private final Map<String, long[]> seen = new HashMap<>(); // key -> {last logged at, suppressed since}

    /** A line is due: {@code first} when the key was not remembered, {@code suppressed} since its last line. */
    private record Due(boolean first, long suppressed) {
    }

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
        Due due = due(peer + '\u0000' + reason);
        if (due == null) {
            return false;
        }
        log.warn("{}: refused {} from {}: {}{}", node, reason, peer, detail, since(due));
        return true;
    }

    /**
     * Records one failure of handling {@code what} from {@code peer}; logs it at WARN when this
     * peer and what were not logged within the interval: with the stack trace the first time,
     * with only the exception afterwards. The caller counts failures.
     *
     * @return whether a line was written
     */
    public boolean failed(String node, String peer, String what, Throwable error) {
        Due due = due(peer + '\u0001' + what);
        if (due == null) {
            return false;
        }
        if (due.first()) {
            log.warn("{}: {} from {} failed{}", node, what, peer, since(due), error);
        } else {
            log.warn("{}: {} from {} failed: {}{}", node, what, peer, error, since(due));
        }
        return true;
    }

    private static String since(Due due) {
        return due.suppressed() == 0 ? "" : " (" + due.suppressed() + " more since the last line)";
    }

    /** Null when {@code key} was logged within the interval (then the refusal is only tallied). */
    private Due due(String key) {
        long now = clock.millis();
        synchronized (seen) {
            long[] entry = seen.get(key);
            if (entry != null && now - entry[0] < intervalMillis) {
                entry[1]++;
                return null;
            }
            if (entry == null && seen.size() >= maxPeers) {
                seen.clear();
            }
            seen.put(key, new long[] {now, 0});
            return new Due(entry == null, entry == null ? 0 : entry[1]);
        }
    }
}
