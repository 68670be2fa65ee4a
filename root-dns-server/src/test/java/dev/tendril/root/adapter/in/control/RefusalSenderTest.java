package dev.tendril.root.adapter.in.control;

import dev.tendril.protocol.message.EnvelopeFactory;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.message.RootMessage.RecordMigration;
import dev.tendril.protocol.refusal.RefusalLog;
import dev.tendril.protocol.transport.Caller;
import dev.tendril.root.application.ControlErrors;
import dev.tendril.root.application.security.ControlPolicy;
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
import java.util.Optional;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whom a LIMIT refusal is logged for: the authenticated caller with CURVE, the envelope's sender in clear. */
class RefusalSenderTest {
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

    private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    private final Lines lines = new Lines();
    private final RefusalLog refusals = new RefusalLog(lines, clock, Duration.ofMinutes(1), 100);
    private final ControlPolicy policy = new ControlPolicy((service, node) -> Optional.of(""));
    private final RecordMigration migration = new RecordMigration("web", List.of("100.64.0.1/32"), "n0", 60_000);

    private dev.tendril.protocol.message.Message send(String from, Caller caller) {
        return RootControlEndpoint.handle(request -> new ErrorReply(ControlErrors.LIMIT, "quota"), () -> new RootMessage.Ack(),
                null, policy, new EnvelopeFactory(from, clock, new SplittableRandom(1)).create("web", migration), caller, refusals);
    }

    @Test
    void aPlatformCannotSpreadItsRefusalsOverMadeUpSenders() {
        Caller n0 = Caller.platform("n0", "k".repeat(40));
        for (int i = 0; i < 5; i++) {
            assertEquals(ControlErrors.LIMIT, ((ErrorReply) send("flood-" + i, n0)).code());
        }
        assertEquals(1, lines.lines.size(), lines.lines.toString());
        assertTrue(lines.lines.get(0).contains("from n0:"), lines.lines.get(0));
    }

    @Test
    void inClearTheEnvelopeSenderIsTheOnlyNameThereIs() {
        send("flood-0", Caller.clear());
        send("flood-1", Caller.clear());
        assertEquals(2, lines.lines.size(), lines.lines.toString());
        assertTrue(lines.lines.get(1).contains("from flood-1:"), lines.lines.get(1));
    }
}
