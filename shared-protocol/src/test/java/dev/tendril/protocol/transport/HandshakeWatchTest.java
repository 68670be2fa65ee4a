package dev.tendril.protocol.transport;

import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.EnvelopeFactory;
import dev.tendril.protocol.message.RootMessage.HostedSetQuery;
import org.junit.jupiter.api.Test;
import org.zeromq.ZMQ;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HandshakeWatchTest {
    private static final long MS = 1_000_000L;
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-05-01T10:00:00Z"), ZoneOffset.UTC);
    private final EnvelopeFactory envelopes = new EnvelopeFactory("edge-1", CLOCK, new SplittableRandom(5));

    // ---- the verdict, with events fed by hand ----

    @Test
    void nothingIsStalledBeforeTheTcpConnect() {
        HandshakeWatch w = HandshakeWatch.detached(0, 0);
        assertFalse(w.stalled(60_000 * MS), "a connect still in progress is ZeroMQ's to retry, not a stall");
        assertTrue(w.undecided(0));
        assertEquals(Long.MAX_VALUE, w.nanosUntilVerdict(0));
    }

    @Test
    void aConnectWithoutHandshakeIsStalledAfterTheBasePlusFourConnectTimes() {
        HandshakeWatch w = HandshakeWatch.detached(0, 0);
        w.onEvent(ZMQ.EVENT_CONNECTED, 10 * MS); // the TCP connect took 10 ms: limit 150 + 40 ms after it
        assertEquals(190 * MS, w.limitNanos());
        assertEquals(190 * MS, w.nanosUntilVerdict(10 * MS));
        assertFalse(w.stalled(200 * MS));
        assertTrue(w.stalled(201 * MS));
    }

    @Test
    void theHandshakeSettlesTheConnection() {
        HandshakeWatch w = HandshakeWatch.detached(0, 0);
        w.onEvent(ZMQ.EVENT_CONNECTED, 1 * MS);
        w.onEvent(ZMQ.EVENT_HANDSHAKE_PROTOCOL, 3 * MS);
        assertFalse(w.stalled(10_000 * MS));
        assertFalse(w.undecided(10_000 * MS), "a receive may block for the whole attempt now");
        assertEquals(Long.MAX_VALUE, w.nanosUntilVerdict(10_000 * MS));
    }

    @Test
    void aReconnectIsJudgedAgainWithTheFirstConnectTime() {
        HandshakeWatch w = HandshakeWatch.detached(0, 0);
        w.onEvent(ZMQ.EVENT_CONNECTED, 100 * MS);
        w.onEvent(ZMQ.EVENT_HANDSHAKE_PROTOCOL, 150 * MS);
        w.onEvent(ZMQ.EVENT_DISCONNECTED, 5_000 * MS); // the server went away
        assertFalse(w.stalled(9_000 * MS));
        w.onEvent(ZMQ.EVENT_CONNECTED, 9_000 * MS); // ZeroMQ reconnected on its own
        assertTrue(w.undecided(9_000 * MS));
        assertEquals((150 + 400) * MS, w.limitNanos());
        assertFalse(w.stalled(9_550 * MS));
        assertTrue(w.stalled(9_551 * MS));
    }

    @Test
    void patienceDoublesTheLimitForEachStallAlreadyReplaced() {
        HandshakeWatch w = HandshakeWatch.detached(0, 2);
        w.onEvent(ZMQ.EVENT_CONNECTED, 0);
        assertEquals(4 * 150 * MS, w.limitNanos());
        assertEquals(64 * 150 * MS, HandshakeWatch.detached(0, 99).limitNanos(), "capped");
    }

    // ---- the clients, against a TCP listener that accepts and never speaks ZMTP ----

    /** Accepts connections, counts them and keeps them open without a byte: a handshake that never comes. */
    private static final class SilentListener implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final AtomicInteger accepted = new AtomicInteger();
        final List<Socket> held = new CopyOnWriteArrayList<>();
        final Thread thread = new Thread(this::run, "silent-listener");

        SilentListener() throws IOException {
            thread.setDaemon(true);
            thread.start();
        }

        String endpoint() {
            return "tcp://127.0.0.1:" + server.getLocalPort();
        }

        private void run() {
            try {
                while (true) {
                    held.add(server.accept());
                    accepted.incrementAndGet();
                }
            } catch (IOException closed) {
                // closed by the test
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void requestClientReplacesAStalledConnectionWithinTheAttempt() throws Exception {
        // one attempt of 4 s (room for the 1 s watch on a loaded machine): the handshake timer (1 s) would reconnect by itself,
        // and it does not count stalls; the counter is the watch's alone
        try (SilentListener listener = new SilentListener();
             RequestClient client = new RequestClient(ClientOptions.of(listener.endpoint()).withRetries(Duration.ofSeconds(4), 1))) {
            Envelope request = envelopes.create("web", new HostedSetQuery("web"));
            assertInstanceOf(RequestResult.TimedOut.class, client.request(request));
            assertTrue(client.stalledConnects() >= 1, "stalled connects replaced: " + client.stalledConnects());
            assertTrue(listener.accepted.get() >= 2, "connections: " + listener.accepted.get());
        }
    }

    @Test
    void pipelinedClientReplacesAStalledConnectionAndResendsWhatWasPending() throws Exception {
        try (SilentListener listener = new SilentListener(); PipelinedClient client = new PipelinedClient("edge-1")) {
            ClientOptions options = ClientOptions.of(listener.endpoint()).withRetries(Duration.ofSeconds(4), 1);
            CompletableFuture<RequestResult> result = client.submit(options, envelopes.create("web", new HostedSetQuery("web")));
            assertInstanceOf(RequestResult.TimedOut.class, result.get());
            assertTrue(client.stalledConnects() >= 1, "stalled connects replaced: " + client.stalledConnects());
            assertTrue(listener.accepted.get() >= 2, "connections: " + listener.accepted.get());
        }
    }
}
