package dev.tendril.protocol.transport;

import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.EnvelopeFactory;
import dev.tendril.protocol.message.RootMessage.HostedSet;
import dev.tendril.protocol.message.RootMessage.HostedSetQuery;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** CURVE over loopback TCP: encryption with the server key, and the client-key allowlist (ZAP). */
class CurveTransportTest {
    private final EnvelopeFactory envelopes = new EnvelopeFactory("edge-1", Clock.systemUTC(), new SplittableRandom(3));
    private final CurveKeyPair serverKeys = CurveKeyPair.generate();
    private final CurveKeyPair clientKeys = CurveKeyPair.generate();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(open);
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private RequestServer server(Set<String> allowedClients) {
        RequestServer s = RequestServer.start(ServerOptions.of("tcp://127.0.0.1:0", "root-1")
                        .withCurve(new ServerOptions.Curve(serverKeys, allowedClients)),
                req -> new HostedSet("web", List.of("munich-1")), Clock.systemUTC());
        open.add(s);
        return s;
    }

    private RequestResult request(RequestServer server, CurveKeyPair keys, String serverPublicKey, Duration timeout) {
        RequestClient c = new RequestClient(ClientOptions.of(server.endpoint()).withRetries(timeout, 2)
                .withCurve(new ClientOptions.Curve(keys, serverPublicKey)));
        open.add(c);
        Envelope request = envelopes.create("web", new HostedSetQuery("web"));
        return c.request(request);
    }

    @Test
    void curveRoundTrip() {
        RequestServer server = server(Set.of());
        RequestResult result = request(server, clientKeys, serverKeys.publicKey(), Duration.ofSeconds(3));
        assertEquals(new HostedSet("web", List.of("munich-1")),
                assertInstanceOf(RequestResult.Reply.class, result).envelope().body());
    }

    @Test
    void aWrongServerKeyTimesOut() {
        RequestServer server = server(Set.of());
        RequestResult result = request(server, clientKeys, CurveKeyPair.generate().publicKey(), Duration.ofMillis(300));
        assertEquals(new RequestResult.TimedOut(2), result);
        assertEquals(0, server.stats().received());
    }

    @Test
    void aPlainClientCannotTalkToACurveServer() {
        RequestServer server = server(Set.of());
        RequestClient plain = new RequestClient(ClientOptions.of(server.endpoint()).withRetries(Duration.ofMillis(300), 1));
        open.add(plain);
        assertEquals(new RequestResult.TimedOut(1), plain.request(envelopes.create("web", new HostedSetQuery("web"))));
    }

    @Test
    void theAllowlistAdmitsListedClientsOnly() {
        RequestServer server = server(Set.of(clientKeys.publicKey()));
        assertInstanceOf(RequestResult.Reply.class,
                request(server, clientKeys, serverKeys.publicKey(), Duration.ofSeconds(3)));
        assertEquals(new RequestResult.TimedOut(2),
                request(server, CurveKeyPair.generate(), serverKeys.publicKey(), Duration.ofMillis(300)));
        assertEquals(1, server.stats().received());
    }

    @Test
    void keysAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new CurveKeyPair("short", serverKeys.secretKey()));
        assertThrows(IllegalArgumentException.class,
                () -> new ServerOptions.Curve(serverKeys, Set.of("not a key")));
        assertEquals(false, serverKeys.toString().contains(serverKeys.secretKey()), "secret key stays out of toString");
    }
}
