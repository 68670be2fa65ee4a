package dev.tendril.edge.adapter.in.admin;

import dev.tendril.protocol.message.AdminMessage;
import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.MessageId;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.refusal.RefusalLog;
import dev.tendril.protocol.transport.Caller;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * Refused admin requests are logged once an interval per CURVE identity, not per claimed
 * sender: the fuzz benchmark's mutated frames, each with another {@code from}, wrote a WARN
 * line per request from one operator key. Without CURVE the claimed sender is all there is.
 */
class AdminRefusalPeerTest {
    static final String KEY = "alice-admin-key-0123456789";
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
        AdminGate gate = new AdminGate(Map.of("alice", KEY), clock, Duration.ofSeconds(30), clock.millis(), 1_000);
        RefusalLog refusals = new RefusalLog(counting, clock, Duration.ofMinutes(1), 10_000);
        LongAdder refused = new LongAdder();
        warnings.set(0);
        for (int i = 0; i < 100; i++) {
            Envelope junk = new Envelope(new MessageId(7, i), "", "ctl-" + i, clock.millis(), new AdminMessage.StatsQuery("not-a-valid-hmac"));
            Message reply = AdminSocket.guarded(junk, AdminSocket.peer(junk, caller), "n1", gate, refusals, refused,
                    operator -> new RootMessage.Ack());
            assertEquals("UNAUTHORIZED", assertInstanceOf(RootMessage.ErrorReply.class, reply).code());
        }
        assertEquals(100, refused.sum(), "every refusal is counted");
        return warnings.get();
    }

    @Test
    void anOperatorKeyVaryingItsClaimedSenderGetsOneLine() {
        assertEquals(1, linesFor(Caller.operator("alice", "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7")));
    }

    @Test
    void withoutCurveTheClaimedSenderIsThePeer() {
        assertEquals(100, linesFor(Caller.clear()));
    }
}
