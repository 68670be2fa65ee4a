package dev.tendril.edge.adapter.in.admin;

import dev.tendril.protocol.message.AdminAuth;
import dev.tendril.protocol.message.AdminMessage;
import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.MessageId;
import dev.tendril.protocol.message.MessageType;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.refusal.RefusalLog;
import dev.tendril.protocol.transport.ClientOptions;
import dev.tendril.protocol.transport.RequestClient;
import dev.tendril.protocol.transport.RequestResult;
import dev.tendril.protocol.transport.RequestServer;
import dev.tendril.protocol.transport.ServerOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.helpers.NOPLogger;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Admin replay protection through the real transport (ZeroMQ on a free loopback port): a
 * captured valid Deploy replayed after 10,000 junk requests, after the reply cache forgot it,
 * and after a restart never runs a second time; junk never fills the reply cache.
 */
class AdminReplayTest {
    static final String ALICE = "alice-admin-key-0123456789";
    static final String BOB = "bob-admin-key-0123456789";
    static final String SPEC = "service: web\nimage: busybox\n";

    final SecureRandom random = new SecureRandom();
    final AtomicInteger runs = new AtomicInteger();
    final List<String> operators = new ArrayList<>();
    final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    /** A node's admin socket whose actions are counted instead of run; {@code cache}: replies remembered. */
    RequestServer node(int cache) {
        Clock clock = Clock.systemUTC();
        AdminGate gate = new AdminGate(Map.of("alice", ALICE, "bob", BOB), clock, Duration.ofSeconds(30), clock.millis(), 1_000);
        RefusalLog refusals = new RefusalLog(NOPLogger.NOP_LOGGER, clock, Duration.ofMinutes(1), 100);
        RequestServer server = RequestServer.start(ServerOptions.of("tcp://127.0.0.1:0", "n1").withHandlerThreads(1)
                        .withDedupe(cache, Duration.ofMinutes(5)),
                request -> AdminSocket.guarded(request, "n1", gate, refusals, new LongAdder(), operator -> {
                    runs.incrementAndGet();
                    synchronized (operators) {
                        operators.add(operator);
                    }
                    return new AdminMessage.DeployReply("deployed", "web", "i-" + runs.get(), "", List.of(), "ok");
                }), clock, AdminSocket.codec());
        open.add(server);
        return server;
    }

    RequestClient client(RequestServer server) {
        RequestClient c = new RequestClient(ClientOptions.of(server.endpoint()).withRetries(Duration.ofSeconds(5), 1));
        open.add(c);
        return c;
    }

    Envelope deploy(String key) {
        MessageId id = MessageId.random(random);
        long now = System.currentTimeMillis();
        return new Envelope(id, "", "ctl", now, new AdminMessage.Deploy(AdminAuth.sign(key, id, now, MessageType.ADMIN_DEPLOY, SPEC), SPEC));
    }

    static Message reply(RequestClient c, Envelope e) {
        RequestResult r = c.request(e);
        assertInstanceOf(RequestResult.Reply.class, r, "no reply: " + r);
        return ((RequestResult.Reply) r).envelope().body();
    }

    static void assertRefused(Message m, String fragment) {
        RootMessage.ErrorReply e = assertInstanceOf(RootMessage.ErrorReply.class, m);
        assertEquals("UNAUTHORIZED", e.code());
        assertTrue(e.message().contains(fragment), e.message());
    }

    @Test
    void aCapturedDeployNeverRunsTwiceAfterJunkAfterTheCacheForgotItAndAfterARestart() {
        RequestServer n1 = node(100); // a small reply cache: 10,000 remembered junk replies would evict the deploy's
        RequestClient c = client(n1);
        Envelope captured = deploy(ALICE);
        assertEquals("deployed", ((AdminMessage.DeployReply) reply(c, captured)).outcome());
        assertEquals(List.of("alice"), operators, "the audit names the operator whose key matched");
        for (int i = 0; i < 10_000; i++) {
            assertRefused(reply(c, deploy("junk-key-" + i + "-0123456789")), "does not match");
        }
        Message again = reply(c, captured);
        assertEquals("i-1", ((AdminMessage.DeployReply) again).instanceId(),
                "the replay got the remembered reply: the 10,000 refusals did not push it out of the cache");
        assertEquals(1, runs.get());

        for (int i = 0; i < 150; i++) { // real requests do push it out ...
            reply(c, deploy(BOB));
        }
        assertRefused(reply(c, captured), "already used"); // ... and then the gate refuses the replay
        assertEquals(151, runs.get());

        RequestServer restarted = node(100); // a fresh node: empty cache, no ids remembered
        assertRefused(reply(client(restarted), captured), "before this node started");
        assertEquals(151, runs.get(), "nothing ran a second time");
    }

    @Test
    void theGateRefusesStaleForeignAndReplayedRequestsAndStaysBounded() {
        long t0 = 1_700_000_000_000L;
        long[] now = {t0};
        Clock clock = new Clock() {
            public java.time.ZoneId getZone() { return java.time.ZoneOffset.UTC; }
            public Clock withZone(java.time.ZoneId z) { return this; }
            public java.time.Instant instant() { return java.time.Instant.ofEpochMilli(now[0]); }
        };
        AdminGate gate = new AdminGate(Map.of("alice", ALICE), clock, Duration.ofSeconds(30), t0, 2);
        java.util.function.LongFunction<Envelope> at = sentAt -> {
            MessageId id = MessageId.random(random);
            return new Envelope(id, "", "ctl", sentAt, new AdminMessage.Remove(
                    AdminAuth.sign(ALICE, id, sentAt, MessageType.ADMIN_REMOVE, "web"), "web"));
        };
        assertEquals(new AdminGate.Verdict.Admitted("alice"), gate.check(at.apply(t0)));
        assertEquals("before-start", ((AdminGate.Verdict.Refused) gate.check(at.apply(t0 - 1))).reason());
        now[0] = t0 + 40_000;
        assertEquals("stale", ((AdminGate.Verdict.Refused) gate.check(at.apply(t0 + 5_000))).reason(), "35 s old");
        Envelope a = at.apply(now[0]);
        assertInstanceOf(AdminGate.Verdict.Admitted.class, gate.check(a));
        assertEquals("replayed", ((AdminGate.Verdict.Refused) gate.check(a)).reason());
        assertInstanceOf(AdminGate.Verdict.Admitted.class, gate.check(at.apply(now[0])), "the first id expired: room");
        assertEquals("busy", ((AdminGate.Verdict.Refused) gate.check(at.apply(now[0]))).reason(), "2 remembered within the window");
        now[0] += 31_000;
        assertInstanceOf(AdminGate.Verdict.Admitted.class, gate.check(at.apply(now[0])), "the expired ids were forgotten");
        assertTrue(gate.remembered() <= 2);
        assertEquals("stale", ((AdminGate.Verdict.Refused) gate.check(a)).reason(), "a capture older than the window");
        assertEquals("not-admin", ((AdminGate.Verdict.Refused) gate.check(new Envelope(MessageId.random(random), "", "x",
                now[0], new RootMessage.Ack()))).reason());
    }
}
