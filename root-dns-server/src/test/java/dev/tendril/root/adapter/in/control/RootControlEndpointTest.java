package dev.tendril.root.adapter.in.control;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.OverlayMessage;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.Ack;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.message.RootMessage.HostedSetQuery;
import dev.tendril.protocol.message.RootMessage.NodeState;
import dev.tendril.root.application.port.in.RootControl;
import dev.tendril.root.bootstrap.ControlCalls;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The endpoint over real ZeroMQ on loopback, with a recording control port behind it. */
class RootControlEndpointTest {
    private final List<RootMessage> seen = new CopyOnWriteArrayList<>();

    private RootControlEndpoint start() {
        return RootControlEndpoint.start("root-t", "127.0.0.1", 0, 4, request -> {
            seen.add(request);
            return new Ack();
        }, Clock.systemUTC());
    }

    @Test
    void rootRequestsReachTheControlPortAndRetriesRunItOnce() {
        try (RootControlEndpoint endpoint = start(); ControlCalls client = new ControlCalls(endpoint.endpoint(), "t")) {
            Envelope request = client.envelope(new NodeState("web", "tokyo", false));
            assertEquals(new Ack(), client.call(request));
            assertEquals(new Ack(), client.call(request), "a retry (same id) gets the first reply again");
            assertEquals(List.of(new NodeState("web", "tokyo", false)), seen);
            // at least the explicit retry; a copy the client resent for a handshake that looked
            // stalled under load is one more (seen once in a full suite: 2)
            assertTrue(endpoint.stats().duplicates() >= 1, "duplicates: " + endpoint.stats().duplicates());
            assertTrue(endpoint.port() > 0);
        }
    }

    @Test
    void messagesOfOtherFamiliesAreUnsupported() {
        try (RootControlEndpoint endpoint = start(); ControlCalls client = new ControlCalls(endpoint.endpoint(), "t")) {
            Envelope overlay = new Envelope(client.envelope(new HostedSetQuery("web")).id(), "web", "t", 1,
                    new OverlayMessage.Heartbeat("web", "tokyo"));
            ErrorReply reply = (ErrorReply) client.call(overlay);
            assertEquals("UNSUPPORTED", reply.code());
            assertTrue(seen.isEmpty());
        }
    }

    @Test
    void noHandlerThreadWaitsForACommitTheCommittingThreadAnswers() throws Exception {
        // a port whose commit the test holds: with one handler thread that waited for it, the
        // counters query behind it would not be answered until the commit
        CompletableFuture<RootMessage> commit = new CompletableFuture<>();
        RootControl held = new RootControl() {
            @Override
            public RootMessage handle(RootMessage request) {
                return handleLater(request).toCompletableFuture().join();
            }

            @Override
            public CompletionStage<RootMessage> handleLater(RootMessage request) {
                seen.add(request);
                return commit;
            }
        };
        RootMessage.RootStats counters = new RootMessage.RootStats("root-t", List.of());
        try (RootControlEndpoint endpoint = RootControlEndpoint.start("root-t", "127.0.0.1", 0, 1, held, () -> counters,
                Clock.systemUTC());
             ControlCalls writer = new ControlCalls(endpoint.endpoint(), "w", Duration.ofSeconds(10), 1);
             ControlCalls reader = new ControlCalls(endpoint.endpoint(), "r")) {
            CompletableFuture<RootMessage> change = CompletableFuture.supplyAsync(
                    () -> writer.call(new NodeState("web", "tokyo", false)));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (seen.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(List.of(new NodeState("web", "tokyo", false)), seen, "the change reached the port");

            assertEquals(counters, reader.call(new RootMessage.RootStatsQuery()),
                    "answered while the change waits for its commit");
            assertFalse(change.isDone(), "the change is not answered before its commit");

            Thread committer = new Thread(() -> commit.complete(new Ack()), "test-committer");
            committer.start();
            committer.join();
            assertEquals(new Ack(), change.get(10, TimeUnit.SECONDS), "answered once committed");
        }
    }

    /** A port that records which thread handed it each request; {@code queues}: whether it says it never waits. */
    private static RootControl recordingThreads(boolean queues, Map<String, String> threads) {
        return new RootControl() {
            @Override
            public RootMessage handle(RootMessage request) {
                return handleLater(request).toCompletableFuture().join();
            }

            @Override
            public CompletionStage<RootMessage> handleLater(RootMessage request) {
                threads.put(request.type().name(), Thread.currentThread().getName());
                return CompletableFuture.completedFuture(new Ack());
            }

            @Override
            public boolean handsOnWithoutWaiting() {
                return queues;
            }
        };
    }

    private static final NodeInfo TOKYO = new NodeInfo("tokyo", "192.0.2.7", new GeoPoint(35.7, 139.7), List.of(), 7400);

    /** Sends each request to an endpoint over such a port; the thread that handed each on, by request type. */
    private static Map<String, String> handingThreads(boolean queues, RootMessage... requests) {
        Map<String, String> threads = new ConcurrentHashMap<>();
        try (RootControlEndpoint endpoint = RootControlEndpoint.start("root-t", "127.0.0.1", 0, 2,
                recordingThreads(queues, threads), Clock.systemUTC());
             ControlCalls client = new ControlCalls(endpoint.endpoint(), "t")) {
            for (RootMessage r : requests) {
                assertEquals(new Ack(), client.call(r), r.type().name());
            }
        }
        return threads;
    }

    @Test
    void aQueuingPortTakesRegistrationsAndMigrationsOnTheSocketThreadAndChecksThatReadTheStoreOnHandlers() {
        Map<String, String> threads = handingThreads(true, new RootMessage.RegisterNode("web", TOKYO),
                new RootMessage.RecordMigration("web", List.of("198.51.100.0/24"), "tokyo", 60_000),
                new NodeState("web", "tokyo", false));
        assertEquals("request-server-root-t", threads.get("REGISTER_NODE"), "no handler thread in between");
        // a migration's check asks the directory whether its caller is in the tree (memory): on the socket's thread
        assertEquals("request-server-root-t", threads.get("RECORD_MIGRATION"), "no handler thread in between");
        // a dead child's check asks the store for a parent: never on the socket's thread
        assertTrue(threads.get("NODE_STATE").startsWith("request-handler-root-t-"), threads.toString());
    }

    @Test
    void aPortThatMayBlockNeverRunsOnTheSocketThread() {
        Map<String, String> threads = handingThreads(false, new RootMessage.RegisterNode("web", TOKYO));
        assertTrue(threads.get("REGISTER_NODE").startsWith("request-handler-root-t-"), threads.toString());
    }
}
