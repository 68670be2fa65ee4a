package dev.tendril.edge.adapter.in.overlay;

import dev.tendril.edge.adapter.out.zmq.CurveClients;
import dev.tendril.edge.adapter.out.zmq.ZmqPeerConnections;
import dev.tendril.edge.domain.Endpoint;
import dev.tendril.edge.domain.Hardware;
import dev.tendril.edge.domain.InfrastructureDb;
import dev.tendril.edge.domain.Platform;
import dev.tendril.edge.overlay.Overlay;
import dev.tendril.edge.overlay.PeerConnections;
import dev.tendril.edge.testing.Poll;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.spec.Arch;
import dev.tendril.protocol.transport.Caller;
import dev.tendril.protocol.transport.CurveKeyPair;
import dev.tendril.protocol.transport.PeerKeys;
import dev.tendril.protocol.transport.PipelinedClient;
import dev.tendril.protocol.transport.ServerOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A platform that connects to a node's tree socket (with CURVE) gets a connection back from
 * that node before anyone sends a request: a replica's Attach and ReplicaReady to the origin of
 * the Replicate then need no handshakes of their own (docs/evaluation.md, issue 13.3).
 */
class TreeSocketConnectBackTest {
    private static final long GI = 1L << 30;
    private final CurveKeyPair rootKeys = CurveKeyPair.generate();
    private final Map<String, CurveKeyPair> keys = Map.of("origin", CurveKeyPair.generate(), "candidate", CurveKeyPair.generate());
    private final PeerKeys enrolled = key -> keys.entrySet().stream().filter(e -> e.getValue().publicKey().equals(key))
            .findFirst().map(e -> Caller.platform(e.getKey(), key));
    private final List<AutoCloseable> open = new ArrayList<>();

    /** One edge node's tree socket and client, wired as EdgeNode wires them. */
    private final class Node {
        final String id;
        final List<String> told = new CopyOnWriteArrayList<>();
        final AtomicReference<PeerConnections> connections = new AtomicReference<>(PeerConnections.NONE);
        final TreeSocket socket;
        final PipelinedClient client;

        Node(String id) {
            this.id = id;
            this.socket = TreeSocket.start(new Endpoint("127.0.0.1", 0), id, new Overlay(),
                    request -> java.util.concurrent.CompletableFuture.completedFuture(new RootMessage.Ack()), Optional.of(new ServerOptions.Curve(keys.get(id), enrolled)),
                    platform -> {
                        told.add(platform);
                        connections.get().openTo(platform);
                    }, Clock.systemUTC());
            this.client = new PipelinedClient(id);
            open.add(socket);
            open.add(client);
        }

        void place(InfrastructureDb infra) {
            Platform self = infra.byId(id).orElseThrow();
            CurveClients curve = new CurveClients(Optional.of(keys.get(id)), List.of(rootKeys.publicKey()),
                    platform -> Optional.ofNullable(keys.get(platform)).map(CurveKeyPair::publicKey));
            connections.set(new ZmqPeerConnections(self, infra, () -> 7400, client, curve));
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(open);
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private static Platform platform(String id, int treePort) {
        return new Platform(id, id, "127.0.0.1", new GeoPoint(48.1, 11.6), new Hardware(Arch.AMD64, 2, 4 * GI, 50 * GI, 0),
                Map.of(), treePort);
    }

    @Test
    void aPlatformThatConnectsGetsAConnectionBackBeforeAnyRequest() {
        Node origin = new Node("origin");
        Node candidate = new Node("candidate");
        InfrastructureDb infra = new InfrastructureDb(List.of(platform("origin", origin.socket.port()),
                platform("candidate", candidate.socket.port())));
        origin.place(infra);
        candidate.place(infra);

        origin.connections.get().openTo("candidate"); // e.g. a likely replication candidate, opened ahead of a Replicate

        Poll.untilTrue("the candidate admitted the origin's connection", Duration.ofSeconds(10),
                () -> candidate.told.contains("origin"));
        Poll.untilTrue("the origin admitted the candidate's connection back", Duration.ofSeconds(10),
                () -> origin.told.contains("candidate"));
        assertEquals(Set.of("origin"), Set.copyOf(candidate.told));
        assertEquals(Set.of("candidate"), Set.copyOf(origin.told)); // connected back once: the origin's own is not re-opened
        assertEquals(0, origin.socket.stats().received() + candidate.socket.stats().received(), "no request was sent");
    }

    @Test
    void aConnectionIsReportedBeforeItsFirstRequestIsAnswered() {
        Node origin = new Node("origin");
        Node candidate = new Node("candidate");
        var reply = candidate.client.request(dev.tendril.protocol.transport.ClientOptions.of("tcp://127.0.0.1:" + origin.socket.port())
                        .withRetries(Duration.ofSeconds(5), 2)
                        .withCurve(new dev.tendril.protocol.transport.ClientOptions.Curve(keys.get("candidate"),
                                keys.get("origin").publicKey())),
                new dev.tendril.protocol.message.EnvelopeFactory("candidate", Clock.systemUTC(), new java.util.SplittableRandom(3))
                        .create("web", new dev.tendril.protocol.message.OverlayMessage.Detach("web", "candidate")));

        assertEquals(dev.tendril.protocol.transport.RequestResult.Reply.class, reply.getClass());
        // told on the socket's thread before it read the request; twice when the client's first
        // handshake stalled and it connected again (StalledConnect: 1-6 % of connects under load)
        assertFalse(origin.told.isEmpty(), "told before the reply");
        assertEquals(Set.of("candidate"), Set.copyOf(origin.told));
    }
}
