package dev.tendril.root.adapter.in.control;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.EnvelopeFactory;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.Ack;
import dev.tendril.protocol.message.RootMessage.EnrolKey;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.message.RootMessage.KeyRole;
import dev.tendril.protocol.message.RootMessage.RegisterNode;
import dev.tendril.protocol.message.RootMessage.RevokeKey;
import dev.tendril.protocol.transport.ClientOptions;
import dev.tendril.protocol.transport.CurveKeyPair;
import dev.tendril.protocol.transport.RequestClient;
import dev.tendril.protocol.transport.RequestResult;
import dev.tendril.root.application.security.ControlPolicy;
import dev.tendril.root.application.security.KeyEnrolment;
import dev.tendril.root.testing.InMemoryKeyStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** The endpoint with CURVE: enrolment over the wire, a node speaking for another refused, revocation at once. */
class SecureRootControlEndpointTest {
    private final CurveKeyPair rootKeys = CurveKeyPair.generate();
    private final CurveKeyPair alice = CurveKeyPair.generate();
    private final CurveKeyPair munich = CurveKeyPair.generate();
    private final CurveKeyPair sydney = CurveKeyPair.generate();
    private final List<RootMessage> seen = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> open = new ArrayList<>();
    private final EnvelopeFactory envelopes = new EnvelopeFactory("t", Clock.systemUTC(), new SplittableRandom(9));
    private final RootControlEndpoint endpoint = RootControlEndpoint.start("root-t", "127.0.0.1", 0, 4, request -> {
        seen.add(request);
        return new Ack();
    }, Optional.of(rootKeys), new KeyEnrolment("root-t", new InMemoryKeyStore(),
            Map.of("alice", alice.publicKey()), Clock.systemUTC()),
            ControlPolicy.NO_NODES, Clock.systemUTC());

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        endpoint.close();
    }

    private RequestClient client(CurveKeyPair keys, Duration timeout) {
        RequestClient c = new RequestClient(ClientOptions.of(endpoint.endpoint()).withRetries(timeout, 2)
                .withCurve(new ClientOptions.Curve(keys, rootKeys.publicKey())));
        open.add(c);
        return c;
    }

    private static RootMessage body(RequestResult r) {
        return (RootMessage) assertInstanceOf(RequestResult.Reply.class, r).envelope().body();
    }

    private RequestResult ask(RequestClient c, RootMessage m) {
        Envelope e = envelopes.create("web", m);
        return c.request(e);
    }

    private static NodeInfo node(String id) {
        return new NodeInfo(id, "192.0.2.1", new GeoPoint(48.1, 11.6), List.of(), 7400);
    }

    @Test
    void anEnrolledPlatformRegistersItselfOnlyAndARevokedOneIsRefusedAtOnce() {
        assertEquals(new RequestResult.TimedOut(2), ask(client(munich, Duration.ofSeconds(1)), new RegisterNode("web", node("munich"))));
        dev.tendril.root.testing.Poll.until(Duration.ofSeconds(10), "the refused handshake is counted", () -> endpoint.stats().refusedConnections() >= 1);
        RequestClient operator = client(alice, Duration.ofSeconds(3));
        assertEquals(new Ack(), body(ask(operator, new EnrolKey(KeyRole.PLATFORM, "munich", munich.publicKey()))));
        assertEquals(new Ack(), body(ask(operator, new EnrolKey(KeyRole.PLATFORM, "sydney", sydney.publicKey()))));

        RequestClient m = client(munich, Duration.ofSeconds(3));
        assertEquals(new Ack(), body(ask(m, new RegisterNode("web", node("munich")))));
        ErrorReply forged = assertInstanceOf(ErrorReply.class, body(ask(m, new RegisterNode("web", node("sydney")))));
        assertEquals("FORBIDDEN", forged.code());
        assertEquals("FORBIDDEN", assertInstanceOf(ErrorReply.class,
                body(ask(m, new EnrolKey(KeyRole.OPERATOR, "mallory", CurveKeyPair.generate().publicKey())))).code());
        assertEquals(List.of(new RegisterNode("web", node("munich"))), seen);

        assertEquals(new Ack(), body(ask(operator, new RevokeKey(KeyRole.PLATFORM, "munich", ""))));
        assertEquals("UNAUTHENTICATED", assertInstanceOf(ErrorReply.class, body(ask(m, new RegisterNode("web", node("munich"))))).code());
        assertEquals(1, seen.size());
        assertEquals(2, endpoint.stats().forbidden());
        assertEquals(1, endpoint.stats().refusedKeys());
    }
}
