package dev.tendril.root.adapter.in.control;

import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.MessageId;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.refusal.RefusalLog;
import dev.tendril.protocol.transport.Caller;
import dev.tendril.root.application.ControlErrors;
import dev.tendril.root.application.security.ControlPolicy;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A refused control request (LIMIT, INVALID) is logged once an interval per CURVE identity:
 * an enrolled platform that varies the envelope's claimed sender in every request (as the fuzz
 * benchmark's mutated frames do) gets one line, not one per request. In clear the claimed
 * sender is the peer.
 */
class ControlRefusalPeerTest {
    final Clock clock = Clock.fixed(Instant.parse("2026-12-02T08:00:00Z"), ZoneOffset.UTC);
    final AtomicInteger warnings = new AtomicInteger();
    final Logger counting = (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] {Logger.class},
            (proxy, method, args) -> {
                if (method.getName().equals("warn")) {
                    warnings.incrementAndGet();
                }
                return method.getReturnType() == boolean.class ? Boolean.TRUE : null;
            });

    int linesFor(Caller caller) {
        RefusalLog refusals = new RefusalLog(counting, clock, Duration.ofMinutes(1), 10_000);
        ControlPolicy open = new ControlPolicy((service, node) -> Optional.of(""), (service, node) -> true);
        warnings.set(0);
        for (int i = 0; i < 100; i++) {
            Envelope request = new Envelope(new MessageId(3, i), "web", "claimed-" + i, clock.millis(),
                    new RootMessage.RecordMigration("web", List.of("10.0.0.0/8"), "munich", 60_000));
            RootMessage.ErrorReply reply = (RootMessage.ErrorReply) RootControlEndpoint.handle(
                    r -> new RootMessage.ErrorReply(ControlErrors.LIMIT, "subnet too wide"), RootMessage.Ack::new, null, open,
                    request, caller, refusals);
            assertEquals(ControlErrors.LIMIT, reply.code());
        }
        return warnings.get();
    }

    @Test
    void aPlatformVaryingItsClaimedSenderGetsOneLine() {
        assertEquals(1, linesFor(Caller.platform("munich", "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7")));
    }

    @Test
    void inClearTheClaimedSenderIsThePeer() {
        assertEquals(100, linesFor(Caller.clear()));
    }
}
