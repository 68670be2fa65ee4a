package dev.tendril.protocol.transport;

import dev.tendril.protocol.codec.FrameCodec;
import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.EnvelopeFactory;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.RootMessage.HostedSet;
import dev.tendril.protocol.message.RootMessage.HostedSetQuery;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real JeroMQ over loopback TCP on ephemeral ports. */
class PipelinedClientTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-05-01T10:00:00Z"), ZoneOffset.UTC);
    private final EnvelopeFactory envelopes = new EnvelopeFactory("edge-1", CLOCK, new SplittableRandom(11));
    private final FrameCodec codec = FrameCodec.standard();
    @AutoClose
    private final Closeables open = new Closeables();

    private <T extends AutoCloseable> T track(T c) {
        return open.track(c);
    }

    private RequestServer server(RequestHandler handler) {
        return track(RequestServer.start(ServerOptions.of("tcp://127.0.0.1:0", "root-1").withHandlerThreads(2), handler, CLOCK));
    }

    private static Message hosted(String service, int n) {
        return new HostedSet(service, List.of("node-" + n));
    }

    private static ClientOptions options(String endpoint, Duration timeout, int attempts) {
        return ClientOptions.of(endpoint).withRetries(timeout, attempts);
    }

    /**
     * A caller's continuation runs on the client's thread when a reply completes its future; one that
     * leaves the thread's interrupt flag set (restoring it after an InterruptedException) made the
     * client's next JeroMQ call fail (EINTR), and the client's thread stopped for good: every later
     * request of the node went unanswered (an edge node of topology D, 2026-12-06).
     */
    @Test
    void aContinuationThatInterruptsTheClientsThreadDoesNotStopTheClient() throws Exception {
        CountDownLatch answer = new CountDownLatch(1);
        RequestServer server = server(req -> {
            try {
                assertTrue(answer.await(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return hosted(((HostedSetQuery) req.body()).service(), 1);
        });
        PipelinedClient client = track(new PipelinedClient("t"));
        ClientOptions o = options(server.endpoint(), Duration.ofSeconds(5), 1);
        List<String> ranOn = new ArrayList<>();

        CompletableFuture<RequestResult> first = client.submit(o, envelopes.create("a", new HostedSetQuery("a")))
                .whenComplete((r, e) -> {
                    ranOn.add(Thread.currentThread().getName());
                    Thread.currentThread().interrupt();
                });
        answer.countDown(); // the reply comes after the continuation is in place: it runs on the client's thread
        assertInstanceOf(RequestResult.Reply.class, first.get(5, TimeUnit.SECONDS));
        assertEquals(List.of("pipelined-client-t"), ranOn);

        RequestResult second = client.submit(o, envelopes.create("b", new HostedSetQuery("b"))).get(5, TimeUnit.SECONDS);
        assertInstanceOf(RequestResult.Reply.class, second, "the client still sends and reads after the interrupt");
        assertEquals(1, client.interruptsCleared(), "the interrupt was noticed, cleared and counted");
    }

    @Test
    void aRequestIsAnsweredWhileAnotherToTheSameServerStillWaitsForItsReply() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        RequestServer server = server(req -> {
            String service = ((HostedSetQuery) req.body()).service();
            if (service.equals("slow")) {
                try {
                    assertTrue(release.await(10, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return hosted(service, 1);
        });
        PipelinedClient client = track(new PipelinedClient("t"));
        ClientOptions o = options(server.endpoint(), Duration.ofSeconds(5), 1);
        Envelope slow = envelopes.create("slow", new HostedSetQuery("slow"));
        Envelope fast = envelopes.create("fast", new HostedSetQuery("fast"));

        CompletableFuture<RequestResult> slowResult = client.submit(o, slow);
        Poll.until("the slow request reached the server", () -> server.stats().received() >= 1);
        RequestResult fastResult = client.submit(o, fast).get(5, TimeUnit.SECONDS);

        assertEquals(hosted("fast", 1), assertInstanceOf(RequestResult.Reply.class, fastResult).envelope().body());
        assertFalse(slowResult.isDone(), "the slow one is still waiting for its reply");
        release.countDown();
        RequestResult.Reply slowReply = assertInstanceOf(RequestResult.Reply.class, slowResult.get(5, TimeUnit.SECONDS));
        assertEquals(slow.id(), slowReply.envelope().id());
        assertEquals(hosted("slow", 1), slowReply.envelope().body());
    }

    /**
     * Once a connection is open, a request submitted while the client's thread sleeps goes out on
     * the caller's thread (no hand-off); its reply still comes back through the client's thread.
     */
    @Test
    void aRequestOnAnOpenConnectionGoesOutOnTheCallersThreadAndItsReplyArrives() throws Exception {
        RequestServer server = server(req -> hosted("web", 1));
        PipelinedClient client = track(new PipelinedClient("t"));
        ClientOptions o = options(server.endpoint(), Duration.ofSeconds(5), 1);
        assertInstanceOf(RequestResult.Reply.class, client.request(o, envelopes.create("web", new HostedSetQuery("web"))));
        assertEquals(0, client.sentByCaller(), "the first request opens the connection on the client's thread");
        for (int i = 0; i < 20; i++) {
            Poll.until("the client's thread asleep", client::sleeping);
            Envelope e = envelopes.create("web", new HostedSetQuery("web"));
            RequestResult.Reply r = assertInstanceOf(RequestResult.Reply.class, client.request(o, e));
            assertEquals(e.id(), r.envelope().id());
        }
        // the thread wakes on its own after 1 s idle: one such wake-up between a look and a request may queue it
        assertTrue(client.sentByCaller() >= 19, "sent by their callers: " + client.sentByCaller() + " of 20");
    }

    /**
     * Callers sending on the client's sockets while its thread sleeps, several at once and beside
     * the client's own sends and reads: every request is answered, each handled once, and none
     * waits for a retry (one attempt each).
     */
    @Test
    void manyCallersAtOnceGetEveryReplyWithOneAttemptEach() throws Exception {
        java.util.Set<String> handled = java.util.concurrent.ConcurrentHashMap.newKeySet();
        AtomicInteger twice = new AtomicInteger();
        RequestServer a = server(req -> {
            if (!handled.add(req.id().toString())) {
                twice.incrementAndGet();
            }
            return hosted("a", 1);
        });
        RequestServer b = server(req -> hosted("b", 2));
        PipelinedClient client = track(new PipelinedClient("t"));
        ClientOptions oa = options(a.endpoint(), Duration.ofSeconds(20), 1);
        ClientOptions ob = options(b.endpoint(), Duration.ofSeconds(20), 1);
        client.request(oa, envelopes.create("web", new HostedSetQuery("web")));
        client.request(ob, envelopes.create("web", new HostedSetQuery("web")));
        int threads = 6;
        int each = 300;
        List<Thread> callers = new ArrayList<>();
        java.util.Queue<String> wrong = new java.util.concurrent.ConcurrentLinkedQueue<>();
        for (int t = 0; t < threads; t++) {
            int caller = t;
            EnvelopeFactory own = new EnvelopeFactory("edge-" + t, CLOCK, new SplittableRandom(100 + t));
            Thread th = new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    boolean toA = (i + caller) % 3 != 0;
                    Envelope e = own.create("web", new HostedSetQuery("web"));
                    RequestResult r = client.request(toA ? oa : ob, e);
                    if (!(r instanceof RequestResult.Reply reply) || !reply.envelope().id().equals(e.id())
                            || !reply.envelope().body().equals(toA ? hosted("a", 1) : hosted("b", 2))) {
                        wrong.add(e.id() + ": " + r);
                    }
                    if (i % 50 == 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // let the client's thread sleep
                    }
                }
            }, "caller-" + t);
            callers.add(th);
            th.start();
        }
        for (Thread th : callers) {
            th.join(120_000);
            assertFalse(th.isAlive(), th.getName() + " still waiting for replies");
        }
        assertEquals(List.of(), new ArrayList<>(wrong));
        assertEquals(0, twice.get(), "a request handled twice (a retry)");
        assertEquals(0, client.ignoredReplies());
        assertTrue(client.sentByCaller() > 0, "no request went out on its caller's thread");
    }

    @Test
    void repliesFromSeveralServersReachTheirRequests() {
        RequestServer a = server(req -> hosted("a", 1));
        RequestServer b = server(req -> hosted("b", 2));
        PipelinedClient client = track(new PipelinedClient("t"));
        List<CompletableFuture<RequestResult>> results = new ArrayList<>();
        List<Envelope> requests = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Envelope e = envelopes.create("web", new HostedSetQuery("web"));
            requests.add(e);
            results.add(client.submit(options((i % 2 == 0 ? a : b).endpoint(), Duration.ofSeconds(5), 1), e));
        }
        for (int i = 0; i < 20; i++) {
            RequestResult.Reply r = assertInstanceOf(RequestResult.Reply.class, results.get(i).join());
            assertEquals(requests.get(i).id(), r.envelope().id());
            assertEquals(i % 2 == 0 ? hosted("a", 1) : hosted("b", 2), r.envelope().body());
        }
        assertEquals(0, client.ignoredReplies());
    }

    @Test
    void aSlowReplyIsRetriedWithTheSameIdAndTheHandlerRunsOnce() {
        AtomicInteger calls = new AtomicInteger();
        RequestServer[] self = new RequestServer[1];
        self[0] = server(req -> {
            int n = calls.incrementAndGet();
            Poll.until("a retry arrives", () -> self[0].stats().duplicates() >= 1);
            return hosted("web", n);
        });
        PipelinedClient client = track(new PipelinedClient("t"));
        Envelope request = envelopes.create("web", new HostedSetQuery("web"));

        RequestResult result = client.request(options(self[0].endpoint(), Duration.ofMillis(150), 20), request);

        RequestResult.Reply reply = assertInstanceOf(RequestResult.Reply.class, result);
        assertTrue(reply.attempts() >= 2, "attempts " + reply.attempts());
        assertEquals(hosted("web", 1), reply.envelope().body());
        assertEquals(1, calls.get(), "handler runs once per id");
    }

    @Test
    void aSilentServerGetsEveryAttemptWithTheSameIdFromFreshConnectionsThenTimesOut() {
        try (SilentRouter router = new SilentRouter()) {
            PipelinedClient client = track(new PipelinedClient("t"));
            Envelope request = envelopes.create("web", new HostedSetQuery("web"));

            RequestResult result = client.request(options(router.endpoint(), Duration.ofMillis(300), 3), request);

            assertEquals(new RequestResult.TimedOut(3), result);
            router.assertEveryAttemptArrivedFromAFreshConnection(codec, request, 3, client.stalledConnects());
        }
    }

    @Test
    void aCurveHandshakeSlowerThanHalfAnAttemptIsNotCutOffByTheHandshakeTimer() throws Exception {
        // 70 ms each way: the handshake (greeting, HELLO/WELCOME, INITIATE/READY) takes ~0.5 s, a
        // heartbeat's attempt 300 ms. With the timer at half an attempt JeroMQ dropped every handshake
        // at 150 ms and reconnected forever (topology D: 3 connections a second to a parent, none used)
        CurveKeyPair serverKeys = CurveKeyPair.generate();
        CurveKeyPair clientKeys = CurveKeyPair.generate();
        RequestServer server = track(RequestServer.start(ServerOptions.of("tcp://127.0.0.1:0", "root-1")
                        .withCurve(new ServerOptions.Curve(serverKeys, java.util.Set.of(clientKeys.publicKey()))),
                req -> hosted("web", 1), CLOCK));
        try (DelayProxy path = DelayProxy.to(server.endpoint(), 70)) {
            PipelinedClient client = track(new PipelinedClient("t"));
            ClientOptions curve = options(path.endpoint(), Duration.ofMillis(300), 10)
                    .withCurve(new ClientOptions.Curve(clientKeys, serverKeys.publicKey()));

            RequestResult result = client.request(curve, envelopes.create("web", new HostedSetQuery("web")));

            assertInstanceOf(RequestResult.Reply.class, result, "the handshake got through: " + result);
            int opened = path.accepted();
            assertTrue(opened <= 1 + client.stalledConnects(), "connections opened: " + opened
                    + ", of them replaced on purpose (the handshake watch): " + client.stalledConnects());
            Thread.sleep(1_000);
            assertEquals(opened, path.accepted(), "no connection after the reply: the connection stays");
        }
    }

    @Test
    void aYoungCurveConnectionThatNeverAnsweredIsKeptForTheRetriesItMayStillBeHandshaking() {
        CurveKeyPair server = CurveKeyPair.generate();
        try (SilentRouter router = new SilentRouter(server.secretKey())) {
            PipelinedClient client = track(new PipelinedClient("t"));
            Envelope request = envelopes.create("web", new HostedSetQuery("web"));
            ClientOptions curve = options(router.endpoint(), Duration.ofMillis(300), 3)
                    .withCurve(new ClientOptions.Curve(CurveKeyPair.generate(), server.publicKey()));

            RequestResult result = client.request(curve, request);

            assertEquals(new RequestResult.TimedOut(3), result);
            List<String> arrivals = router.arrivals(codec, request);
            assertTrue(arrivals.size() >= 2, "the attempts arrived: " + arrivals);
            // a connection the handshake watch replaced as stalled may have carried nothing (a lost copy)
            long connections = arrivals.stream().distinct().count();
            assertTrue(connections <= 1 + client.stalledConnects(),
                    "within " + StalledConnect.WATCHED_HANDSHAKE_ALLOWANCE.toMillis() + " ms one connection carries them all"
                            + " (a fresh one would start its handshake over), besides those replaced as stalled ("
                            + client.stalledConnects() + "): " + arrivals);
        }
    }

    @Test
    void theSameRequestSubmittedTwiceIsSentOnceAndAnswersBoth() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        RequestServer server = server(req -> {
            calls.incrementAndGet();
            try {
                assertTrue(release.await(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return hosted("web", 1);
        });
        PipelinedClient client = track(new PipelinedClient("t"));
        ClientOptions o = options(server.endpoint(), Duration.ofSeconds(5), 1);
        Envelope request = envelopes.create("web", new HostedSetQuery("web"));

        CompletableFuture<RequestResult> first = client.submit(o, request);
        CompletableFuture<RequestResult> second = client.submit(o, request);
        Poll.until("the request reached the server", () -> server.stats().received() >= 1);
        release.countDown();

        assertEquals(first.get(5, TimeUnit.SECONDS), second.get(5, TimeUnit.SECONDS));
        assertEquals(1, server.stats().received());
        assertEquals(1, calls.get());
    }

    @Test
    void closingFailsWhatIsStillWaitingAndRefusesNewRequests() throws Exception {
        try (ZContext ctx = new ZContext(1)) {
            ZMQ.Socket router = ctx.createSocket(SocketType.ROUTER);
            router.bind("tcp://127.0.0.1:*");
            PipelinedClient client = new PipelinedClient("t");
            ClientOptions o = options(router.getLastEndpoint(), Duration.ofSeconds(30), 1);
            CompletableFuture<RequestResult> waiting = client.submit(o, envelopes.create("web", new HostedSetQuery("web")));

            client.close();

            CompletionException e = assertThrows(CompletionException.class, waiting::join);
            assertInstanceOf(IllegalStateException.class, e.getCause());
            assertThrows(IllegalStateException.class,
                    () -> client.request(o, envelopes.create("web", new HostedSetQuery("web"))));
        }
    }
}
