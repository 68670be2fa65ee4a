package dev.tendril.protocol.transport;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
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

    /** A logger that keeps what it is given: the formatted line and the throwable attached. */
    private static final class RecordingLogger extends LegacyAbstractLogger {
        record Line(String text, Throwable error) {
        }

        final List<Line> lines = new ArrayList<>();

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args, Throwable t) {
            lines.add(new Line(MessageFormatter.basicArrayFormat(pattern, args), t));
        }

        @Override
        public boolean isTraceEnabled() {
            return true;
        }

        @Override
        public boolean isDebugEnabled() {
            return true;
        }

        @Override
        public boolean isInfoEnabled() {
            return true;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }
    }

    @Test
    void aFailureIsLoggedOncePerIntervalPerPeerAndWhatWithTheFirstStackTrace() {
        MutableClock clock = new MutableClock();
        RecordingLogger lines = new RecordingLogger();
        RefusalLog log = new RefusalLog(lines, clock, Duration.ofSeconds(60), 100);
        IllegalStateException first = new IllegalStateException("broken handler");

        assertTrue(log.failed("p1", "p2", "HEARTBEAT", first));
        assertFalse(log.failed("p1", "p2", "HEARTBEAT", new IllegalStateException("again")));
        assertFalse(log.failed("p1", "p2", "HEARTBEAT", new IllegalStateException("again")));
        assertTrue(log.failed("p1", "p2", "ATTACH", first), "another message type has its own line");
        assertTrue(log.failed("p1", "p3", "HEARTBEAT", first), "another sender has its own line");
        assertTrue(log.refused("p1", "p2", "HEARTBEAT", "a refusal is not a failure"));
        clock.millis += 60_000;
        assertTrue(log.failed("p1", "p2", "HEARTBEAT", new IllegalStateException("later")));

        assertEquals(5, lines.lines.size());
        assertEquals("p1: HEARTBEAT from p2 failed", lines.lines.get(0).text());
        assertSame(first, lines.lines.get(0).error(), "the first line keeps the stack trace");
        assertEquals("p1: HEARTBEAT from p2 failed: java.lang.IllegalStateException: later (2 more since the last line)",
                lines.lines.get(4).text());
        assertNull(lines.lines.get(4).error(), "later lines name the exception only");
    }
}
