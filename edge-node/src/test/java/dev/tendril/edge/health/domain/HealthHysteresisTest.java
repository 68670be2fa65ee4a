package dev.tendril.edge.health.domain;

import dev.tendril.edge.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Table: a probe's verdicts, one per interval on a fake clock ('+' pass, '-' fail), the
 * thresholds, and the expected state after each verdict ('H' healthy, 'u' unhealthy).
 */
class HealthHysteresisTest {
    static final Duration INTERVAL = Duration.ofSeconds(2);

    record Row(String name, int failures, int successes, String verdicts, String states) {
    }

    static final List<Row> TABLE = List.of(
            new Row("one failure below the threshold keeps it healthy", 3, 1, "+-+", "HHH"),
            new Row("three failures in a row take it out", 3, 1, "---", "HHu"),
            new Row("a pass in between starts the count over", 3, 1, "--+--+", "HHHHHH"),
            new Row("one pass brings it back with successThreshold 1", 3, 1, "---+", "HHuH"),
            new Row("two passes needed with successThreshold 2", 2, 2, "--+-++", "HuuuuH"),
            new Row("threshold 1 follows each verdict", 1, 1, "-+-+", "uHuH"),
            new Row("alternating never flips with thresholds 2/2", 2, 2, "-+-+-+-+-+", "HHHHHHHHHH"),
            new Row("stays out while failing", 2, 1, "--------", "Huuuuuuu"));

    @Test
    void table() {
        for (Row row : TABLE) {
            HealthHysteresis h = new HealthHysteresis(row.failures(), row.successes(), true);
            StringBuilder states = new StringBuilder();
            for (char v : row.verdicts().toCharArray()) {
                h.record(v == '+' ? ProbeVerdict.PASS : ProbeVerdict.fail("HTTP 500, expected 200"));
                states.append(h.healthy() ? 'H' : 'u');
            }
            assertEquals(row.states(), states.toString(), row.name());
        }
    }

    /** A probe flapping at random on a fake clock: no two state changes closer than the thresholds allow. */
    @Test
    void aFlappingProbeChangesStateNoFasterThanTheThresholds() {
        for (int[] t : new int[][] {{3, 1}, {2, 2}, {1, 3}, {5, 5}}) {
            MutableClock clock = new MutableClock();
            java.util.Random random = new java.util.Random(42 + t[0] * 10 + t[1]);
            HealthHysteresis h = new HealthHysteresis(t[0], t[1], true);
            List<Instant> changes = new ArrayList<>();
            List<Boolean> to = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                clock.advance(INTERVAL);
                if (h.record(random.nextDouble() < 0.5 ? ProbeVerdict.PASS : ProbeVerdict.fail("refused"))) {
                    changes.add(clock.instant());
                    to.add(h.healthy());
                }
            }
            assertTrue(changes.size() > 10, "the random probe does flap the state at times");
            for (int i = 1; i < changes.size(); i++) {
                Duration gap = Duration.between(changes.get(i - 1), changes.get(i));
                int threshold = to.get(i) ? t[1] : t[0];
                assertTrue(gap.compareTo(INTERVAL.multipliedBy(threshold)) >= 0,
                        "thresholds " + t[0] + "/" + t[1] + ": change " + i + " only " + gap + " after the previous");
            }
        }
    }

    @Test
    void resetStartsOverAndRemembersTheLastFailure() {
        HealthHysteresis h = new HealthHysteresis(2, 2, true);
        h.record(ProbeVerdict.fail("connect: Connection refused"));
        assertEquals("connect: Connection refused", h.lastFailure());
        h.reset(false);
        assertEquals(0, h.failuresInARow());
        h.record(ProbeVerdict.PASS);
        assertTrue(!h.healthy());
        h.record(ProbeVerdict.PASS);
        assertTrue(h.healthy());
    }
}
