package dev.tendril.protocol.transport;

import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.EnvelopeFactory;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.message.RootMessage.HostedSet;
import dev.tendril.protocol.message.RootMessage.HostedSetQuery;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** CURVE with a changing allowlist: the handler learns the caller; revocation reaches open connections. */
class CurveCallerTest {
    private final EnvelopeFactory envelopes = new EnvelopeFactory("edge-1", Clock.systemUTC(), new SplittableRandom(5));
    private final CurveKeyPair serverKeys = CurveKeyPair.generate();
    private final CurveKeyPair munich = CurveKeyPair.generate();
    private final Map<String, Caller> enrolled = new ConcurrentHashMap<>();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(open);
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private RequestServer server() {
        PeerKeys keys = key -> Optional.ofNullable(enrolled.get(key));
        RequestServer s = RequestServer.start(ServerOptions.of("tcp://127.0.0.1:0", "root-1")
                        .withCurve(new ServerOptions.Curve(serverKeys, keys)),
                (CallerHandler) (req, caller) -> caller.isPlatform("munich")
                        ? new HostedSet("web", List.of(caller.name(), caller.publicKey()))
                        : new ErrorReply(RequestServer.FORBIDDEN, "not munich"),
                Clock.systemUTC());
        open.add(s);
        return s;
    }

    private RequestClient client(RequestServer server, CurveKeyPair keys, Duration timeout) {
        return client(server, keys, timeout, 2);
    }

    private RequestClient client(RequestServer server, CurveKeyPair keys, Duration timeout, int attempts) {
        RequestClient c = new RequestClient(ClientOptions.of(server.endpoint()).withRetries(timeout, attempts)
                .withCurve(new ClientOptions.Curve(keys, serverKeys.publicKey())));
        open.add(c);
        return c;
    }

    private RequestResult ask(RequestClient c) {
        Envelope request = envelopes.create("web", new HostedSetQuery("web"));
        return c.request(request);
    }

    @Test
    void theHandlerIsToldTheEnrolledCaller() {
        enrolled.put(munich.publicKey(), Caller.platform("munich", munich.publicKey()));
        RequestServer server = server();
        RequestResult r = ask(client(server, munich, Duration.ofSeconds(3)));
        assertEquals(new HostedSet("web", List.of("munich", munich.publicKey())),
                assertInstanceOf(RequestResult.Reply.class, r).envelope().body());
    }

    @Test
    void theServerTellsWhoEachAdmittedConnectionComesFromAndNothingOfRefusedOnes() {
        enrolled.put(munich.publicKey(), Caller.platform("munich", munich.publicKey()));
        List<Caller> admitted = new java.util.concurrent.CopyOnWriteArrayList<>();
        RequestServer server = RequestServer.start(ServerOptions.of("tcp://127.0.0.1:0", "edge-2")
                        .withCurve(new ServerOptions.Curve(serverKeys, key -> Optional.ofNullable(enrolled.get(key)))
                                .onAdmitted(admitted::add)),
                (CallerHandler) (req, caller) -> new HostedSet("web", List.of()), Clock.systemUTC());
        open.add(server);
        assertEquals(new RequestResult.TimedOut(1), ask(client(server, CurveKeyPair.generate(), Duration.ofMillis(300), 1)));
        Poll.until("the stranger refused", () -> server.stats().refusedConnections() >= 1);
        assertEquals(List.of(), admitted);

        assertInstanceOf(RequestResult.Reply.class, ask(client(server, munich, Duration.ofSeconds(3))));
        Poll.until("the admitted connection reported", () -> !admitted.isEmpty());
        assertEquals(java.util.Set.of(Caller.platform("munich", munich.publicKey())), java.util.Set.copyOf(admitted));
    }

    @Test
    void aKeyEnrolledLaterIsAdmittedAndAnUnknownOneIsRefusedAndCounted() {
        RequestServer server = server();
        assertEquals(new RequestResult.TimedOut(2), ask(client(server, munich, Duration.ofSeconds(1))));
        assertEquals(0, server.stats().received());
        Poll.until("ZAP refusals counted", () -> server.stats().refusedConnections() >= 1);
        enrolled.put(munich.publicKey(), Caller.platform("munich", munich.publicKey()));
        assertInstanceOf(RequestResult.Reply.class, ask(client(server, munich, Duration.ofSeconds(3))));
    }

    @Test
    void aClientInClearAndAPeerWithoutZmtpAreCountedAsFailedHandshakes() throws Exception {
        enrolled.put(munich.publicKey(), Caller.platform("munich", munich.publicKey()));
        RequestServer server = server();
        RequestClient enrolledClient = client(server, munich, Duration.ofSeconds(3)); // stays open
        assertInstanceOf(RequestResult.Reply.class, ask(enrolledClient));
        // (not asserted to be 0 here: a fresh connection that JeroMQ 0.6.0 stalls before the
        // handshake, which the client then replaces, is a failed handshake too)
        long before = server.stats().failedHandshakes();

        try (java.net.Socket raw = new java.net.Socket("127.0.0.1", server.port())) { // not ZeroMQ at all
            raw.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            Poll.until("the raw TCP peer counted", () -> server.stats().failedHandshakes() > before);
        }
        long afterRaw = server.stats().failedHandshakes(); // one connection, one count: nothing more comes
        // a raw ZeroMQ client without keys; its connection is counted when the server drops it
        // (greeting of the wrong mechanism) or, if JeroMQ's connect stall held it before the
        // greeting (docs/gotchas.md), when the client gives up and closes it: either way it
        // closed without a handshake. The wait for the first is bounded, then the client closes.
        try (org.zeromq.ZContext ctx = new org.zeromq.ZContext(1)) {
            org.zeromq.ZMQ.Socket clear = ctx.createSocket(org.zeromq.SocketType.DEALER);
            clear.setLinger(0);
            clear.connect(server.endpoint());
            clear.send(dev.tendril.protocol.codec.FrameCodec.standard().encode(envelopes.create("web", new HostedSetQuery("web"))));
            long giveUp = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (server.stats().failedHandshakes() <= afterRaw && System.nanoTime() < giveUp) {
                Thread.sleep(5); // polling with a deadline
            }
        }
        Poll.until("the clear client counted", () -> server.stats().failedHandshakes() > afterRaw);
        assertEquals(1, server.stats().received(), "only the enrolled client's request got through");
        assertInstanceOf(RequestResult.Reply.class, ask(enrolledClient), "the enrolled client is unaffected");
    }

    @Test
    void aHandshakeIsCreditedToTheOldestConnectionWaitingForOne() {
        List<String> failed = new ArrayList<>();
        FailedHandshakes watch = FailedHandshakes.detached(failed::add);
        Object a = new Object();
        Object b = new Object();
        Object c = new Object();
        watch.onEvent(org.zeromq.ZMQ.EVENT_ACCEPTED, a, "10.0.0.1");
        watch.onEvent(org.zeromq.ZMQ.EVENT_HANDSHAKE_PROTOCOL, null, "unknown");
        watch.onEvent(org.zeromq.ZMQ.EVENT_ACCEPTED, b, "10.0.0.2");
        watch.onEvent(org.zeromq.ZMQ.EVENT_DISCONNECTED, b, "10.0.0.2"); // b never handshook
        watch.onEvent(org.zeromq.ZMQ.EVENT_DISCONNECTED, a, "10.0.0.1"); // a did
        watch.onEvent(org.zeromq.ZMQ.EVENT_ACCEPTED, c, "10.0.0.3");
        assertEquals(List.of("10.0.0.2"), failed);
        assertEquals(1, watch.tracked(), "c waits for its handshake");
        watch.onEvent(org.zeromq.ZMQ.EVENT_HANDSHAKE_PROTOCOL, null, "unknown");
        watch.onEvent(org.zeromq.ZMQ.EVENT_DISCONNECTED, c, "10.0.0.3");
        assertEquals(List.of("10.0.0.2"), failed);
        assertEquals(0, watch.tracked());
    }

    @Test
    void aRevokedKeyIsRefusedOnItsOpenConnection() {
        enrolled.put(munich.publicKey(), Caller.platform("munich", munich.publicKey()));
        RequestServer server = server();
        RequestClient c = client(server, munich, Duration.ofSeconds(3));
        assertInstanceOf(HostedSet.class, assertInstanceOf(RequestResult.Reply.class, ask(c)).envelope().body());
        enrolled.remove(munich.publicKey());
        ErrorReply refused = assertInstanceOf(ErrorReply.class,
                assertInstanceOf(RequestResult.Reply.class, ask(c)).envelope().body());
        assertEquals(RequestServer.UNAUTHENTICATED, refused.code());
        assertEquals(1, server.stats().refusedKeys());
        assertEquals(1, server.stats().handled());
    }

    @Test
    void handlerRefusalsAreCounted() {
        CurveKeyPair other = CurveKeyPair.generate();
        enrolled.put(other.publicKey(), Caller.platform("hamburg", other.publicKey()));
        RequestServer server = server();
        ErrorReply refused = assertInstanceOf(ErrorReply.class,
                assertInstanceOf(RequestResult.Reply.class, ask(client(server, other, Duration.ofSeconds(3)))).envelope().body());
        assertEquals(RequestServer.FORBIDDEN, refused.code());
        assertEquals(1, server.stats().forbidden());
    }

    @Test
    void aPipelinedClientFollowsAChangedServerKey() {
        enrolled.put(munich.publicKey(), Caller.platform("munich", munich.publicKey()));
        RequestServer server = server();
        try (PipelinedClient client = new PipelinedClient("munich")) {
            ClientOptions plain = ClientOptions.of(server.endpoint()).withRetries(Duration.ofMillis(500), 1);
            assertEquals(new RequestResult.TimedOut(1), client.request(plain, envelopes.create("web", new HostedSetQuery("web"))));
            ClientOptions curve = plain.withRetries(Duration.ofSeconds(3), 2)
                    .withCurve(new ClientOptions.Curve(munich, serverKeys.publicKey()));
            assertInstanceOf(HostedSet.class, assertInstanceOf(RequestResult.Reply.class,
                    client.request(curve, envelopes.create("web", new HostedSetQuery("web")))).envelope().body());
        }
    }

    @Test
    void aClearServerCallsEveryoneClear() {
        RequestServer s = RequestServer.start(ServerOptions.of("tcp://127.0.0.1:0", "root-1"),
                (CallerHandler) (req, caller) -> new HostedSet("web", List.of(caller.role().name())), Clock.systemUTC());
        open.add(s);
        RequestClient c = new RequestClient(ClientOptions.of(s.endpoint()).withRetries(Duration.ofSeconds(3), 2));
        open.add(c);
        assertEquals(new HostedSet("web", List.of("CLEAR")),
                assertInstanceOf(RequestResult.Reply.class, ask(c)).envelope().body());
    }
}
