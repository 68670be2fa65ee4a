package dev.tendril.protocol.refusal;

import org.slf4j.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts refused requests per reason and logs them at most once per interval per peer, so a
 * flood of hostile requests costs a counter increment each and a bounded amount of log. The
 * peers remembered are bounded too: when the map is full, the entries older than the
 * interval are dropped, and if none is, further peers share one entry ({@value #OTHERS}).
 * Peer names and details come from the network: they are cut short and stripped of control
 * characters before they reach the log. Thread-safe.
 */
public final class RefusalLog {
    /** The shared entry of peers beyond the bound. */
    public static final String OTHERS = "(other peers)";
    static final int MAX_TEXT = 120;

    private final Logger log;
    private final Clock clock;
    private final long intervalMillis;
    private final int maxPeers;
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final Map<String, Long> lastLogged = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> suppressed = new ConcurrentHashMap<>();

    public RefusalLog(Logger log, Clock clock, Duration interval, int maxPeers) {
        if (interval.isNegative() || maxPeers < 1) {
            throw new IllegalArgumentException("interval must be >= 0 and maxPeers >= 1, got " + interval + ", " + maxPeers);
        }
        this.log = log;
        this.clock = clock;
        this.intervalMillis = interval.toMillis();
        this.maxPeers = maxPeers;
    }

    /** One line a minute per peer, 10,000 peers remembered. */
    public static RefusalLog perMinute(Logger log, Clock clock) {
        return new RefusalLog(log, clock, Duration.ofMinutes(1), 10_000);
    }

    /** Counts a refusal and logs it unless this peer was logged within the interval. */
    public void refused(String peer, String reason, String detail) {
        count(reason);
        log(peer, reason, detail);
    }

    /** Counts a refusal without logging it (the boundary that knows the peer logs it). */
    public void count(String reason) {
        counts.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    /** Logs a refusal at WARN unless this peer was logged within the interval (then it is only tallied). */
    public void log(String peer, String reason, String detail) {
        String key = clean(peer == null || peer.isEmpty() ? "(unknown)" : peer);
        long now = clock.millis();
        if (!lastLogged.containsKey(key) && lastLogged.size() >= maxPeers) {
            lastLogged.values().removeIf(t -> now - t >= intervalMillis);
            if (lastLogged.size() >= maxPeers) {
                key = OTHERS;
            }
        }
        String k = key;
        boolean[] due = new boolean[1];
        lastLogged.compute(k, (p, last) -> {
            if (last == null || now - last >= intervalMillis) {
                due[0] = true;
                return now;
            }
            return last;
        });
        if (!due[0]) {
            suppressed.computeIfAbsent(k, p -> new LongAdder()).increment();
            return;
        }
        LongAdder before = suppressed.remove(k);
        long hidden = before == null ? 0 : before.sum();
        log.warn("refused {} from {}: {}{}", reason, k, clean(detail),
                hidden == 0 ? "" : " (" + hidden + " more refusals from this peer not logged)");
    }

    /** Refusals so far per reason, sorted by reason. */
    public Map<String, Long> counts() {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((r, a) -> out.put(r, a.sum()));
        return out;
    }

    /** Refusals of {@code reason} so far. */
    public long total(String reason) {
        LongAdder a = counts.get(reason);
        return a == null ? 0 : a.sum();
    }

    public static String clean(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(Math.min(text.length(), MAX_TEXT + 3));
        for (int i = 0; i < text.length() && b.length() < MAX_TEXT; i++) {
            char c = text.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        if (text.length() > MAX_TEXT) {
            b.append("...");
        }
        return b.toString();
    }
}
