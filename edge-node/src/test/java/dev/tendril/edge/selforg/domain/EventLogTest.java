package dev.tendril.edge.selforg.domain;

import dev.tendril.edge.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EventLogTest {
    @Test
    void anEventRecordedLateKeepsTheTimeItHappenedAndTimingsMeasureFromIt() {
        MutableClock clock = new MutableClock();
        EventLog log = new EventLog("munich", clock, 10, false);
        Instant decided = clock.instant();
        clock.advance(Duration.ofMillis(40)); // e.g. the hosted-set round trip to the root
        log.recordAt(decided, "web", EventKind.REPLICATION_DECIDED, "rep-1", "shortage", -1);
        clock.advance(Duration.ofMillis(500));
        log.record("web", EventKind.REPLICA_REGISTERED, "rep-1", "replica garching registered", 400);

        List<SelfOrgEvent> all = log.all();
        assertEquals(decided, all.get(0).at());
        assertEquals(1, all.get(0).seq());
        assertEquals(2, all.get(1).seq(), "recorded in order, whatever their times");
        assertEquals(List.of(Duration.ofMillis(140)), Timings.of(all).toReplicate(), "40 + 500 - 400 ms of container start");
    }
}
