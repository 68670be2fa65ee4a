package dev.tendril.edge.monitoring.latency;

import dev.tendril.edge.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatencyTrackerTest {
    private final MutableClock clock = new MutableClock();
    private final LatencyTracker tracker = new LatencyTracker(clock, Duration.ofSeconds(10), Duration.ofSeconds(30));
    private final UserKey alice = key(1, "10.0.0.2");
    private final UserKey bob = key(1, "2001:db8::7");

    private static UserKey key(long ns, String address) {
        try {
            return new UserKey(ns, InetAddress.getByName(address), 8080);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** cumulative counters: n samples whose RTTs sum to sumMicros */
    private static RttCounters counters(UserKey u, long n, long sumMicros) {
        return new RttCounters(u, n, sumMicros, n == 0 ? 0 : sumMicros / n, 0, 0);
    }

    @Test
    void eachReadAddsTheMeanOfTheNewSamples() {
        tracker.update(List.of(counters(alice, 2, 80_000)));          // 2 x 40 ms
        clock.advance(Duration.ofSeconds(1));
        tracker.update(List.of(counters(alice, 3, 80_000 + 100_000))); // 1 x 100 ms
        UserLatency a = tracker.snapshot().get(alice);
        assertEquals(3, a.samples());
        assertEquals(Duration.ofMillis(40), a.medianRtt(), "two of three samples were 40 ms");
    }

    @Test
    void medianIsWeightedBySampleCount() {
        tracker.update(List.of(counters(alice, 1, 10_000)));        // 1 x 10 ms
        clock.advance(Duration.ofSeconds(1));
        tracker.update(List.of(counters(alice, 5, 10_000 + 4 * 50_000))); // 4 x 50 ms
        clock.advance(Duration.ofSeconds(1));
        tracker.update(List.of(counters(alice, 7, 210_000 + 2 * 90_000))); // 2 x 90 ms
        assertEquals(Duration.ofMillis(50), tracker.snapshot().get(alice).medianRtt());
    }

    @Test
    void unchangedCountersAddNothing() {
        tracker.update(List.of(counters(alice, 4, 160_000)));
        clock.advance(Duration.ofSeconds(1));
        tracker.update(List.of(counters(alice, 4, 160_000)));
        assertEquals(4, tracker.snapshot().get(alice).samples());
    }

    @Test
    void samplesLeaveTheWindowAndSoDoesTheUser() {
        tracker.update(List.of(counters(alice, 1, 30_000), counters(bob, 1, 70_000)));
        clock.advance(Duration.ofSeconds(6));
        tracker.update(List.of(counters(alice, 2, 30_000 + 50_000), counters(bob, 1, 70_000)));
        clock.advance(Duration.ofSeconds(5)); // first read is now 11 s old
        Map<UserKey, UserLatency> snap = tracker.snapshot();
        assertEquals(Duration.ofMillis(50), snap.get(alice).medianRtt(), "only the newer sample is left");
        assertEquals(1, snap.get(alice).samples());
        assertFalse(snap.containsKey(bob), "bob has no sample in the window");
    }

    @Test
    void aCounterThatWentBackwardsIsAFreshEntry() {
        tracker.update(List.of(counters(alice, 100, 100 * 20_000)));
        clock.advance(Duration.ofSeconds(1));
        tracker.update(List.of(counters(alice, 2, 2 * 80_000))); // evicted and re-created by the kernel
        UserLatency a = tracker.snapshot().get(alice);
        assertEquals(102, a.samples());
        assertEquals(Duration.ofMillis(20), a.medianRtt());
    }

    @Test
    void entriesUnchangedForStaleAfterAreReturnedForDeletionOnce() {
        tracker.update(List.of(counters(alice, 1, 1_000), counters(bob, 1, 1_000)));
        clock.advance(Duration.ofSeconds(20));
        assertTrue(tracker.update(List.of(counters(alice, 2, 2_000), counters(bob, 1, 1_000))).isEmpty());
        clock.advance(Duration.ofSeconds(11)); // bob unchanged for 31 s, alice for 11 s
        List<UserKey> stale = tracker.update(List.of(counters(alice, 2, 2_000), counters(bob, 1, 1_000)));
        assertEquals(List.of(bob), stale);
        assertTrue(tracker.update(List.of(counters(alice, 2, 2_000))).isEmpty(), "reported once");
    }

    @Test
    void minRttComesFromTheKernelWhenKnown() {
        tracker.update(List.of(new RttCounters(alice, 3, 3 * 45_000, 45_000, 41_000, 0)));
        assertEquals(Duration.ofMillis(41), tracker.snapshot().get(alice).minRtt());
    }

    @Test
    void usersInDifferentNamespacesStayApart() {
        UserKey sameAddressOtherNamespace = key(2, "10.0.0.2");
        tracker.update(List.of(counters(alice, 1, 10_000), counters(sameAddressOtherNamespace, 1, 90_000)));
        Map<UserKey, UserLatency> snap = tracker.snapshot();
        assertEquals(2, snap.size());
        assertEquals(Duration.ofMillis(10), snap.get(alice).medianRtt());
        assertEquals(Duration.ofMillis(90), snap.get(sameAddressOtherNamespace).medianRtt());
    }
}
