package dev.tendril.edge.monitoring.latency;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Turns successive reads of the kernel's cumulative per-user counters into a moving window
 * per user: each read adds, for every user whose counters grew, one interval holding the
 * mean smoothed RTT of the new samples and their count. The user's latency is the median
 * over the intervals in the window, weighted by sample count. Plain Java on an injected
 * clock; not thread-safe.
 */
public final class LatencyTracker {
    /** Bound on intervals kept per user, whatever the read rate. */
    static final int MAX_INTERVALS = 4096;

    private record Seen(long samples, long srttSumMicros, Instant lastChanged) { }

    private record Interval(Instant at, long meanMicros, long samples, long minMicros) { }

    private final Clock clock;
    private final Duration window;
    private final Duration staleAfter;
    private final Map<UserKey, Seen> seen = new HashMap<>();
    private final Map<UserKey, ArrayDeque<Interval>> windows = new HashMap<>();

    /**
     * @param window     how far back {@link #snapshot()} looks
     * @param staleAfter how long a user's kernel entry may stay unchanged before
     *                   {@link #update} asks for its removal
     */
    public LatencyTracker(Clock clock, Duration window, Duration staleAfter) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.window = positive(window, "window");
        this.staleAfter = positive(staleAfter, "staleAfter");
    }

    private static Duration positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
        return d;
    }

    /**
     * Folds one complete read of the kernel counters.
     *
     * @return users whose counters have not changed for {@code staleAfter}: the caller
     *         deletes them from the kernel map (their windows age out on their own)
     */
    public List<UserKey> update(Collection<RttCounters> current) {
        Instant now = clock.instant();
        Set<UserKey> present = new HashSet<>();
        for (RttCounters c : current) {
            present.add(c.user());
            Seen before = seen.get(c.user());
            boolean restarted = before == null || c.samples() < before.samples();
            long newSamples = restarted ? c.samples() : c.samples() - before.samples();
            long newSum = restarted ? c.srttSumMicros() : c.srttSumMicros() - before.srttSumMicros();
            if (newSamples <= 0) {
                continue;
            }
            seen.put(c.user(), new Seen(c.samples(), c.srttSumMicros(), now));
            ArrayDeque<Interval> intervals = windows.computeIfAbsent(c.user(), u -> new ArrayDeque<>());
            if (intervals.size() == MAX_INTERVALS) {
                intervals.removeFirst();
            }
            long min = c.minRttMicros() > 0 ? c.minRttMicros() : Math.max(1, newSum / newSamples);
            intervals.addLast(new Interval(now, Math.max(0, newSum / newSamples), newSamples, min));
        }
        seen.keySet().retainAll(present); // evicted by the kernel (LRU) or deleted
        List<UserKey> stale = new ArrayList<>();
        Instant staleBefore = now.minus(staleAfter);
        for (Iterator<Map.Entry<UserKey, Seen>> it = seen.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<UserKey, Seen> e = it.next();
            if (e.getValue().lastChanged().isBefore(staleBefore)) {
                stale.add(e.getKey());
                it.remove();
            }
        }
        return stale;
    }

    /** Every user with a sample in the window: weighted median RTT, min RTT, sample count. */
    public Map<UserKey, UserLatency> snapshot() {
        Instant oldest = clock.instant().minus(window);
        Map<UserKey, UserLatency> result = new HashMap<>();
        for (Iterator<Map.Entry<UserKey, ArrayDeque<Interval>>> it = windows.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<UserKey, ArrayDeque<Interval>> e = it.next();
            ArrayDeque<Interval> intervals = e.getValue();
            while (!intervals.isEmpty() && intervals.peekFirst().at().isBefore(oldest)) {
                intervals.removeFirst();
            }
            if (intervals.isEmpty()) {
                it.remove();
                continue;
            }
            result.put(e.getKey(), summarize(e.getKey(), intervals));
        }
        return result;
    }

    private static UserLatency summarize(UserKey user, ArrayDeque<Interval> intervals) {
        List<Interval> sorted = new ArrayList<>(intervals);
        sorted.sort(Comparator.comparingLong(Interval::meanMicros));
        long total = 0;
        long min = Long.MAX_VALUE;
        for (Interval i : sorted) {
            total += i.samples();
            min = Math.min(min, i.minMicros());
        }
        long half = (total + 1) / 2;
        long cumulative = 0;
        long median = sorted.get(sorted.size() - 1).meanMicros();
        for (Interval i : sorted) {
            cumulative += i.samples();
            if (cumulative >= half) {
                median = i.meanMicros();
                break;
            }
        }
        return new UserLatency(user, Duration.ofNanos(median * 1000), Duration.ofNanos(min * 1000),
                total, intervals.peekLast().at());
    }
}
