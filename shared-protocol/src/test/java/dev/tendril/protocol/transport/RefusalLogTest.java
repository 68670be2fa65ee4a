package dev.tendril.protocol.transport;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RefusalLogTest {
    private static final class MutableClock extends Clock {
        long millis;

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }

    @Test
    void logsOncePerIntervalPerPeerAndReason() {
        MutableClock clock = new MutableClock();
        RefusalLog log = new RefusalLog(LoggerFactory.getLogger(RefusalLogTest.class), clock, Duration.ofSeconds(60), 100);
        assertTrue(log.refused("root", "peer-a", "FORBIDDEN", "x"));
        assertFalse(log.refused("root", "peer-a", "FORBIDDEN", "x"));
        assertTrue(log.refused("root", "peer-a", "UNAUTHENTICATED", "x"));
        assertTrue(log.refused("root", "peer-b", "FORBIDDEN", "x"));
        clock.millis += 60_000;
        assertTrue(log.refused("root", "peer-a", "FORBIDDEN", "x"));
    }
}
