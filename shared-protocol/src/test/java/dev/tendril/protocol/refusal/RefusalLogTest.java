package dev.tendril.protocol.refusal;

import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class RefusalLogTest {
    /** Keeps the formatted WARN lines. */
    static final class Lines extends LegacyAbstractLogger {
        final List<String> lines = new ArrayList<>();

        @Override protected String getFullyQualifiedCallerName() { return null; }
        @Override protected void handleNormalizedLoggingCall(Level level, Marker marker, String msg, Object[] args, Throwable t) {
            lines.add(MessageFormatter.basicArrayFormat(msg, args));
        }
        @Override public boolean isTraceEnabled() { return true; }
        @Override public boolean isDebugEnabled() { return true; }
        @Override public boolean isInfoEnabled() { return true; }
        @Override public boolean isWarnEnabled() { return true; }
        @Override public boolean isErrorEnabled() { return true; }
    }

    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private final Lines lines = new Lines();

    private RefusalLog log(int maxPeers) {
        Clock clock = new Clock() {
            public ZoneOffset getZone() { return ZoneOffset.UTC; }
            public Clock withZone(java.time.ZoneId zone) { return this; }
            public Instant instant() { return now; }
        };
        return new RefusalLog(lines, clock, Duration.ofMinutes(1), maxPeers);
    }

    @Test
    void everyRefusalIsCountedButEachPeerLoggedOncePerInterval() {
        RefusalLog log = log(100);
        for (int i = 0; i < 1_000; i++) {
            log.refused("edge-a", "too-wide", "0.0.0.0/0");
        }
        log.refused("edge-b", "too-long", "lifetime");
        assertEquals(Map.of("too-wide", 1_000L, "too-long", 1L), log.counts());
        assertEquals(2, lines.lines.size(), lines.lines.toString());
        now = now.plusSeconds(61);
        log.refused("edge-a", "too-wide", "again");
        assertEquals(3, lines.lines.size());
        assertTrue(lines.lines.get(2).contains("999 more refusals"), lines.lines.get(2));
    }

    @Test
    void manyPeersShareOneEntryAndHostileTextIsCutAndCleaned() {
        RefusalLog log = log(2);
        log.refused("a", "r", "x");
        log.refused("b", "r", "x");
        for (int i = 0; i < 10_000; i++) {
            log.refused("peer-" + i, "r", "x");
        }
        assertEquals(3, lines.lines.size(), "two peers plus the shared entry: " + lines.lines.size());
        assertTrue(lines.lines.get(2).contains(RefusalLog.OTHERS));
        assertEquals(10_002, log.total("r"));
        now = now.plusSeconds(61);
        log.refused("evil\n" + "x".repeat(10_000), "r", "line\r\nbreak");
        String last = lines.lines.get(lines.lines.size() - 1);
        assertFalse(last.contains("\n") || last.contains("\r"), last);
        assertTrue(last.length() < 400, "cut short: " + last.length());
    }
}
