package dev.tendril.protocol.transport;

import dev.tendril.protocol.codec.DecodeResult;
import dev.tendril.protocol.codec.FrameCodec;
import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.EnvelopeFactory;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
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
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real JeroMQ over loopback TCP on ephemeral ports. */
class RequestTransportTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-05-01T10:00:00Z"), ZoneOffset.UTC);
    private final EnvelopeFactory envelopes = new EnvelopeFactory("edge-1", CLOCK, new SplittableRandom(7));
    private final FrameCodec codec = FrameCodec.standard();
    @AutoClose
    private final Closeables open = new Closeables();

    private <T extends AutoCloseable> T track(T c) {
        return open.track(c);
    }

    private RequestServer server(RequestHandler handler) {
        return track(RequestServer.start(ServerOptions.of("tcp://127.0.0.1:0", "root-1"), handler, CLOCK));
    }

    private RequestClient client(String endpoint, Duration timeout, int attempts) {
        return track(new RequestClient(ClientOptions.of(endpoint).withRetries(timeout, attempts)));
    }

    private static Message hosted(String service, int n) {
        return new HostedSet(service, List.of("node-" + n));
    }

    @Test
    void roundTripOnAnEphemeralPort() {
        RequestServer server = server(req -> hosted(((HostedSetQuery) req.body()).service(), 1));
        assertTrue(server.port() > 0);
        assertEquals("tcp://127.0.0.1:" + server.port(), server.endpoint());
        Envelope request = envelopes.create("web", new HostedSetQuery("web"));

        RequestResult result = client(server.endpoint(), Duration.ofSeconds(2), 1).request(request);

        RequestResult.Reply reply = assertInstanceOf(RequestResult.Reply.class, result);
        assertEquals(1, reply.attempts());
        assertEquals(request.id(), reply.envelope().id());
        assertEquals("root-1", reply.envelope().from());
        assertEquals(CLOCK.millis(), reply.envelope().sentAtMillis());
        assertEquals(hosted("web", 1), reply.envelope().body());
        assertEquals(1, server.stats().handled());
    }

    @Test
    void requestsTheInlineRuleAcceptsRunOnTheSocketsThreadAndTheOthersOnAHandlerThread() {
        java.util.Map<String, String> threads = new java.util.concurrent.ConcurrentHashMap<>();
        RequestServer server = track(RequestServer.start(ServerOptions.of("tcp://127.0.0.1:0", "root-1").withHandlerThreads(2)
                .withInline(req -> ((HostedSetQuery) req.body()).service().startsWith("inline")), req -> {
            String service = ((HostedSetQuery) req.body()).service();
            threads.put(service, Thread.currentThread().getName());
            return hosted(service, 1);
        }, CLOCK));
        RequestClient client = client(server.endpoint(), Duration.ofSeconds(2), 1);

        RequestResult inline = client.request(envelopes.create("inline-web", new HostedSetQuery("inline-web")));
        RequestResult handed = client.request(envelopes.create("web", new HostedSetQuery("web")));

        assertEquals(hosted("inline-web", 1), assertInstanceOf(RequestResult.Reply.class, inline).envelope().body());
        assertEquals(hosted("web", 1), assertInstanceOf(RequestResult.Reply.class, handed).envelope().body());
        assertEquals("request-server-root-1", threads.get("inline-web"));
        assertTrue(threads.get("web").startsWith("request-handler-root-1-"), threads.toString());
        assertEquals(2, server.stats().handled());
    }

    @Test
    void anInlineLaterHandlerLeavesTheSocketFreeAndItsReplyGoesWhenAnotherThreadCompletesIt() throws Exception {
        // "slow" is completed by the test's thread later; "fast" arrives meanwhile and is answered at once
        java.util.concurrent.CompletableFuture<Message> slow = new java.util.concurrent.CompletableFuture<>();
        java.util.Map<String, String> threads = new java.util.concurrent.ConcurrentHashMap<>();
        RequestServer server = track(RequestServer.start(ServerOptions.of("tcp://127.0.0.1:0", "root-1").withHandlerThreads(1)
                .withInline(req -> true), (LaterHandler) (req, caller) -> {
            String service = ((HostedSetQuery) req.body()).service();
            threads.put(service, Thread.currentThread().getName());
            return service.equals("slow") ? slow : java.util.concurrent.CompletableFuture.completedFuture(hosted(service, 1));
        }, CLOCK));
        RequestClient slowClient = client(server.endpoint(), Duration.ofSeconds(5), 1);
        RequestClient fastClient = client(server.endpoint(), Duration.ofSeconds(2), 1);
        java.util.concurrent.CompletableFuture<RequestResult> pending = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> slowClient.request(envelopes.create("slow", new HostedSetQuery("slow"))));
        Poll.until("the slow request reached the handler", () -> threads.containsKey("slow"));

        RequestResult fast = fastClient.request(envelopes.create("fast", new HostedSetQuery("fast")));
        assertEquals(hosted("fast", 1), assertInstanceOf(RequestResult.Reply.class, fast).envelope().body());
        assertFalse(pending.isDone(), "the slow request is still waiting for its reply");

        Thread completer = new Thread(() -> slow.complete(hosted("slow", 2)), "completer");
        completer.start();
        RequestResult slowResult = pending.get(5, TimeUnit.SECONDS);
        assertEquals(hosted("slow", 2), assertInstanceOf(RequestResult.Reply.class, slowResult).envelope().body());
        assertEquals("request-server-root-1", threads.get("slow"), "handed on from the socket's thread");
        assertEquals(2, server.stats().handled());
    }

    @Test
    void aLaterHandlerWhoseStageFailsIsAnsweredWithAnInternalErrorAndCounted() {
        RequestServer server = track(RequestServer.start(ServerOptions.of("tcp://127.0.0.1:0", "root-1"),
                (LaterHandler) (req, caller) -> java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("later")),
                CLOCK));
        RequestResult result = client(server.endpoint(), Duration.ofSeconds(2), 1)
                .request(envelopes.create("web", new HostedSetQuery("web")));

        ErrorReply error = assertInstanceOf(ErrorReply.class, ((RequestResult.Reply) result).envelope().body());
        assertEquals("INTERNAL", error.code());
        assertTrue(error.message().contains("IllegalStateException"), error.message());
        assertEquals(1, server.stats().handlerFailures());
    }

    @Test
    void aSlowReplyMakesTheClientRetryAndTheHandlerStillRunsOnce() {
        AtomicInteger calls = new AtomicInteger();
        RequestServer[] self = new RequestServer[1];
        self[0] = server(req -> {
            int n = calls.incrementAndGet();
            // hold the first reply until the client's retry (same id) has reached the server
            Poll.until("a retry arrives", () -> self[0].stats().duplicates() >= 1);
            return hosted("web", n);
        });
        Envelope request = envelopes.create("web", new HostedSetQuery("web"));

        RequestResult result = client(self[0].endpoint(), Duration.ofMillis(150), 20).request(request);

        RequestResult.Reply reply = assertInstanceOf(RequestResult.Reply.class, result);
        assertTrue(reply.attempts() >= 2, "attempts " + reply.attempts());
        assertEquals(request.id(), reply.envelope().id());
        assertEquals(hosted("web", 1), reply.envelope().body());
        assertEquals(1, calls.get(), "handler runs once per id");
    }

    @Test
    void aRetriedRequestGetsTheFirstReplyAgain() {
        AtomicInteger calls = new AtomicInteger();
        RequestServer server = server(req -> hosted("web", calls.incrementAndGet()));
        RequestClient client = client(server.endpoint(), Duration.ofSeconds(2), 1);
        Envelope request = envelopes.create("web", new HostedSetQuery("web"));

        Envelope first = ((RequestResult.Reply) client.request(request)).envelope();
        Envelope again = ((RequestResult.Reply) client.request(request)).envelope();
        Envelope other = ((RequestResult.Reply) client.request(envelopes.create("web", new HostedSetQuery("web")))).envelope();

        assertEquals(first, again);
        assertEquals(hosted("web", 1), again.body());
        assertEquals(hosted("web", 2), other.body(), "a new id runs the handler");
        assertEquals(2, calls.get());
        assertEquals(1, server.stats().duplicates());
    }

    @Test
    void withoutDedupeARepeatedIdReachesTheHandlerAgain() {
        AtomicInteger calls = new AtomicInteger();
        RequestServer server = track(RequestServer.start(ServerOptions.of("tcp://127.0.0.1:0", "root-1").withoutDedupe(),
                req -> hosted("web", calls.incrementAndGet()), CLOCK));
        RequestClient client = client(server.endpoint(), Duration.ofSeconds(10), 1);
        Envelope request = envelopes.create("web", new HostedSetQuery("web"));

        Envelope first = ((RequestResult.Reply) client.request(request)).envelope();
        Envelope again = ((RequestResult.Reply) client.request(request)).envelope();

        assertEquals(hosted("web", 1), first.body());
        assertEquals(hosted("web", 2), again.body(), "no reply cache: the handler decides about a repeated id");
        assertEquals(0, server.stats().duplicates());
    }

    @Test
    void retriesResetTheSocketAndCarryTheSameIdThenTimeOut() throws Exception {
        try (SilentRouter router = new SilentRouter()) {
            Envelope request = envelopes.create("web", new HostedSetQuery("web"));

            RequestClient client = client(router.endpoint(), Duration.ofMillis(400), 3);
            RequestResult result = client.request(request);

            assertEquals(new RequestResult.TimedOut(3), result);
            router.assertEveryAttemptArrivedFromAFreshConnection(codec, request, 3, client.stalledConnects());
        }
    }

    @Test
    void aDroppedFirstReplyIsRecoveredByTheRetry() {
        // a bare ROUTER that ignores the first attempt and answers the second
        try (ZContext ctx = new ZContext(1)) {
            ZMQ.Socket router = ctx.createSocket(SocketType.ROUTER);
            router.setReceiveTimeOut(5_000);
            router.bind("tcp://127.0.0.1:*");
            Envelope request = envelopes.create("web", new HostedSetQuery("web"));
            Thread fake = new Thread(() -> {
                router.recv(0);
                byte[] firstFrame = router.recv(0);
                byte[] routingId = router.recv(0);
                byte[] secondFrame = router.recv(0);
                assertArrayEquals(firstFrame, secondFrame);
                router.sendMore(routingId);
                router.send(codec.encode(request.reply("fake", 1, hosted("web", 9))));
            });
            fake.start();

            RequestResult result = client(router.getLastEndpoint(), Duration.ofMillis(300), 5).request(request);

            // the first attempt that arrived was ignored, so at least two were needed
            assertTrue(assertInstanceOf(RequestResult.Reply.class, result).attempts() >= 2);
            assertEquals(hosted("web", 9), ((RequestResult.Reply) result).envelope().body());
            try {
                fake.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void aResendFunctionMakesEveryLaterCopyAndTheReplyMustAnswerTheLastOne() throws InterruptedException {
        // a bare ROUTER that ignores the first copy, then answers the first id (stale: ignored) and each
        // later copy. It answers every later copy, not only the second: under load the client may replace
        // a connection it judged stalled after a copy went out, and a reply sent to the old connection is
        // lost (the suite saw the client time out once when the fake answered one copy only)
        try (ZContext ctx = new ZContext(1)) {
            ZMQ.Socket router = ctx.createSocket(SocketType.ROUTER);
            router.setReceiveTimeOut(100);
            router.bind("tcp://127.0.0.1:*");
            Envelope request = envelopes.create("web", new HostedSetQuery("web"));
            List<Envelope> made = Collections.synchronizedList(new ArrayList<>());
            java.util.function.UnaryOperator<Envelope> resend = first -> {
                Envelope again = envelopes.create("web", new HostedSetQuery("web-" + first.id()));
                made.add(again);
                return again;
            };
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            Envelope[] seen = new Envelope[2];
            Thread fake = new Thread(() -> {
                boolean staleSent = false;
                while (!done.get()) {
                    byte[] routingId = router.recv(0);
                    if (routingId == null) {
                        continue; // nothing within 100 ms: is the client done?
                    }
                    Envelope copy = ((DecodeResult.Decoded) codec.decode(router.recv(0))).envelope();
                    if (seen[0] == null) {
                        seen[0] = copy; // the first copy: no answer
                        continue;
                    }
                    seen[1] = copy;
                    if (!staleSent) {
                        router.sendMore(routingId);
                        router.send(codec.encode(request.reply("fake", 1, hosted("web", 1))));
                        staleSent = true;
                    }
                    router.sendMore(routingId);
                    router.send(codec.encode(copy.reply("fake", 1, hosted("web", 2))));
                }
            });
            fake.start();

            // 1 s attempts: the fake answers the second copy at once, long before a third is made
            RequestClient client = client(router.getLastEndpoint(), Duration.ofSeconds(1), 5);
            RequestResult result = client.request(request, resend);
            done.set(true);
            fake.join(5_000);
            assertFalse(fake.isAlive());

            assertEquals(hosted("web", 2), assertInstanceOf(RequestResult.Reply.class, result).envelope().body());
            // what the client sent, in order: the request as given, then each envelope the function made
            List<Envelope> sent = new ArrayList<>(List.of(request));
            sent.addAll(made);
            int lostBeforeTheFirstArrival = sent.indexOf(seen[0]);
            assertTrue(lostBeforeTheFirstArrival == 0
                            || (lostBeforeTheFirstArrival > 0 && lostBeforeTheFirstArrival <= client.stalledConnects()),
                    "the first copy is the request as given, unless a stalled connection took it with it: "
                            + seen[0] + ", replaced connections: " + client.stalledConnects());
            assertTrue(made.contains(seen[1]), "a later copy is the resend function's envelope");
            assertEquals(sent.get(sent.size() - 1), seen[1], "the reply answered the last copy");
            assertFalse(request.id().equals(seen[1].id()));
            assertEquals(1, client.ignoredReplies(), "the reply to the first id came after it was replaced");
        }
    }

    @Test
    void garbageIsCountedAndDroppedAndTheServerKeepsAnswering() {
        RequestServer server = server(req -> hosted("web", 1));
        byte[] valid = codec.encode(envelopes.create("web", new HostedSetQuery("web")));
        byte[] unknownVersion = valid.clone();
        unknownVersion[0] = 99;
        byte[] unknownType = valid.clone();
        unknownType[1] = (byte) 250;
        try (ZContext ctx = new ZContext(1)) {
            ZMQ.Socket dealer = ctx.createSocket(SocketType.DEALER);
            dealer.setLinger(0);
            StalledConnect.guard(dealer, 500);
            dealer.connect(server.endpoint());
            dealer.send(new byte[0]);
            dealer.send(new byte[] {1, 3, (byte) 0xc1, 0, 0});
            dealer.send(java.util.Arrays.copyOf(valid, valid.length / 2));
            dealer.sendMore("two");
            dealer.send("frames");
            dealer.send(unknownVersion);
            dealer.send(unknownType);
            Poll.until("6 frames received", () -> server.stats().received() >= 6);
        }
        RequestResult result = client(server.endpoint(), Duration.ofSeconds(2), 1)
                .request(envelopes.create("web", new HostedSetQuery("web")));

        assertInstanceOf(RequestResult.Reply.class, result);
        ServerStats stats = server.stats();
        assertEquals(4, stats.malformed(), stats.toString());
        assertEquals(1, stats.unknownVersion(), stats.toString());
        assertEquals(1, stats.unknownType(), stats.toString());
        assertEquals(1, stats.handled(), stats.toString());
        assertEquals(6, stats.dropped(), stats.toString());
    }

    @Test
    void rawTcpGarbageDoesNotHurtTheServer() throws Exception {
        RequestServer server = server(req -> hosted("web", 1));
        byte[] junk = new byte[4096];
        new SplittableRandom(11).nextBytes(junk);
        junk[0] = (byte) 0xff; // looks like a ZMTP signature start, then nonsense
        for (int i = 0; i < 3; i++) {
            try (java.net.Socket raw = new java.net.Socket("127.0.0.1", server.port())) {
                raw.getOutputStream().write(junk);
                raw.getOutputStream().flush();
            } catch (java.io.IOException e) {
                // the server may hang up first: fine
            }
        }
        RequestResult result = client(server.endpoint(), Duration.ofSeconds(2), 1)
                .request(envelopes.create("web", new HostedSetQuery("web")));
        assertEquals(hosted("web", 1), assertInstanceOf(RequestResult.Reply.class, result).envelope().body());
    }

    @Test
    void requestsBeyondMaxInFlightAreDroppedAndCounted() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        RequestServer server = track(RequestServer.start(ServerOptions.of("tcp://127.0.0.1:0", "root-1").withMaxInFlight(1),
                req -> {
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return hosted("web", 1);
                }, CLOCK));
        Thread first = new Thread(() -> client(server.endpoint(), Duration.ofSeconds(10), 1)
                .request(envelopes.create("web", new HostedSetQuery("web"))));
        first.start();
        Poll.until("the first request is in the handler", () -> server.stats().received() >= 1);

        // the server drops it unanswered, so the client times out whatever its timeout; 3 s (not 0.3) lets a fresh
        // connection's handshake finish on a busy machine: with 0.3 s the request was once never sent, so not counted
        RequestResult second = client(server.endpoint(), Duration.ofSeconds(3), 1)
                .request(envelopes.create("web", new HostedSetQuery("web")));

        assertEquals(new RequestResult.TimedOut(1), second);
        assertEquals(1, server.stats().overloaded());
        release.countDown();
        first.join(10_000);
        assertEquals(1, server.stats().handled());
    }

    @Test
    void aReqPeerIsAnsweredToo() {
        RequestServer server = server(req -> hosted("web", 1));
        Envelope request = envelopes.create("web", new HostedSetQuery("web"));
        try (ZContext ctx = new ZContext(1)) {
            ZMQ.Socket req = ctx.createSocket(SocketType.REQ);
            req.setReceiveTimeOut(5_000);
            StalledConnect.guard(req, 500);
            req.connect(server.endpoint());
            req.send(codec.encode(request));
            byte[] reply = req.recv(0);
            assertTrue(reply != null, "REQ got a reply");
            Envelope got = ((DecodeResult.Decoded) codec.decode(reply)).envelope();
            assertEquals(request.id(), got.id());
            assertEquals(hosted("web", 1), got.body());
        }
    }

    @Test
    void aFailingHandlerIsAnsweredWithAnInternalError() {
        RequestServer server = server(req -> {
            throw new IllegalStateException("disk on fire");
        });
        RequestResult result = client(server.endpoint(), Duration.ofSeconds(2), 1)
                .request(envelopes.create("web", new HostedSetQuery("web")));

        ErrorReply error = assertInstanceOf(ErrorReply.class, ((RequestResult.Reply) result).envelope().body());
        assertEquals("INTERNAL", error.code());
        assertTrue(error.message().contains("IllegalStateException"), error.message());
        assertFalse(error.message().contains("disk on fire"), "the exception's text stays in the server's log: " + error.message());
        assertEquals(1, server.stats().handlerFailures());
    }

    @Test
    void aPortInUseIsReportedAtStart() {
        RequestServer first = server(req -> hosted("web", 1));
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> track(RequestServer.start(ServerOptions.of(first.endpoint(), "root-2"), req -> hosted("web", 2), CLOCK)));
        assertTrue(e.getMessage().contains(first.endpoint()), e.getMessage());
    }

    @Test
    void closeStopsTheServerAndFreesThePort() throws Exception {
        CountDownLatch handled = new CountDownLatch(1);
        RequestServer server = RequestServer.start(ServerOptions.of("tcp://127.0.0.1:0", "root-1"),
                req -> {
                    handled.countDown();
                    return hosted("web", 1);
                }, CLOCK);
        String endpoint = server.endpoint();
        assertInstanceOf(RequestResult.Reply.class, client(endpoint, Duration.ofSeconds(2), 1)
                .request(envelopes.create("web", new HostedSetQuery("web"))));
        assertTrue(handled.await(1, TimeUnit.SECONDS));
        server.close();
        server.close();
        // the same port can be bound again at once
        RequestServer again = track(RequestServer.start(ServerOptions.of(endpoint, "root-2"), req -> hosted("web", 2), CLOCK));
        assertEquals(endpoint, again.endpoint());
    }
}
