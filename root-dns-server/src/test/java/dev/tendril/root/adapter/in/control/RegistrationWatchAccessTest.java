package dev.tendril.root.adapter.in.control;

import dev.tendril.protocol.message.EnvelopeFactory;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.message.RootMessage.RegistrationSeen;
import dev.tendril.protocol.message.RootMessage.RegistrationWatch;
import dev.tendril.protocol.refusal.RefusalLog;
import dev.tendril.protocol.transport.Caller;
import dev.tendril.protocol.transport.ClientOptions;
import dev.tendril.protocol.transport.CurveKeyPair;
import dev.tendril.protocol.transport.LaterHandler;
import dev.tendril.protocol.transport.PeerKeys;
import dev.tendril.protocol.transport.RequestClient;
import dev.tendril.protocol.transport.RequestResult;
import dev.tendril.protocol.transport.RequestServer;
import dev.tendril.protocol.transport.ServerOptions;
import dev.tendril.root.application.RegistrationWatches;
import dev.tendril.root.application.RegistrationWatchingControl;
import dev.tendril.root.application.security.ControlPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.tendril.root.testing.Fixtures.BERLIN;
import static dev.tendril.root.testing.Fixtures.info;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Registration watches over real CURVE connections: an enrolled platform's watch is held until
 * the node registers and then answered with it; a caller the server admits without knowing who
 * it is is refused FORBIDDEN before anything is held; watches are counted per CURVE key, and
 * one over a caller's share is answered at once, empty, and counted as a refusal.
 */
class RegistrationWatchAccessTest {
    private final CurveKeyPair rootKeys = CurveKeyPair.generate();
    private final CurveKeyPair munich = CurveKeyPair.generate();
    private final CurveKeyPair stranger = CurveKeyPair.generate();
    private final List<AutoCloseable> open = new ArrayList<>();
    private final EnvelopeFactory envelopes = new EnvelopeFactory("t", Clock.systemUTC(), new SplittableRandom(7));
    private final RegistrationWatches watches = new RegistrationWatches("root-t");
    private final RefusalLog refusals = RefusalLog.perMinute(LoggerFactory.getLogger("tendril.refusals"), Clock.systemUTC());
    private final RegistrationWatchingControl control = new RegistrationWatchingControl(request -> {
        throw new AssertionError("a watch never reaches the topology: " + request);
    }, watches);
    private final RequestServer server = RequestServer.start(
            ServerOptions.of("tcp://127.0.0.1:0", "root-t").withCurve(new ServerOptions.Curve(rootKeys,
                    PeerKeys.of(Map.of(munich.publicKey(), Caller.platform("munich", munich.publicKey())))
                            .or(PeerKeys.anyKey()))),
            (LaterHandler) (request, caller) -> RootControlEndpoint.handleLater(control, () -> null, () -> null, null,
                    ControlPolicy.NO_NODES, request, caller, refusals),
            Clock.systemUTC());

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        server.close();
    }

    private CompletableFuture<RootMessage> ask(CurveKeyPair keys, RootMessage body) {
        RequestClient c = new RequestClient(ClientOptions.of(server.endpoint()).withRetries(Duration.ofSeconds(10), 1)
                .withCurve(new ClientOptions.Curve(keys, rootKeys.publicKey())));
        open.add(c);
        return CompletableFuture.supplyAsync(() -> (RootMessage) assertInstanceOf(RequestResult.Reply.class,
                c.request(envelopes.create("web", body))).envelope().body());
    }

    @Test
    void aPlatformsWatchIsHeldUntilTheRegistration() throws Exception {
        CompletableFuture<RootMessage> reply = ask(munich, new RegistrationWatch("web", "berlin", 20_000));
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (watches.size() == 0 && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        assertEquals(1, watches.size(), "held at the root");
        assertFalse(reply.isDone());
        NodeInfo berlin = info("berlin", BERLIN);
        watches.registered("web", berlin);
        RegistrationSeen seen = assertInstanceOf(RegistrationSeen.class, reply.get(10, TimeUnit.SECONDS));
        assertEquals(Optional.of(berlin), seen.node());
    }

    @Test
    void aStrangerIsRefusedAndACallerOverItsShareIsAnsweredAtOnceAndCounted() throws Exception {
        ErrorReply refused = assertInstanceOf(ErrorReply.class,
                ask(stranger, new RegistrationWatch("web", "berlin", 20_000)).get(10, TimeUnit.SECONDS));
        assertEquals(RequestServer.FORBIDDEN, refused.code());
        assertEquals(0, watches.size());

        List<CompletableFuture<RootMessage>> held = new ArrayList<>();
        for (int i = 0; i < RegistrationWatches.PER_CALLER; i++) {
            held.add(ask(munich, new RegistrationWatch("web", "n" + i, 20_000)));
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (watches.size() < RegistrationWatches.PER_CALLER && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        RegistrationSeen over = assertInstanceOf(RegistrationSeen.class,
                ask(munich, new RegistrationWatch("web", "n99", 20_000)).get(10, TimeUnit.SECONDS));
        assertTrue(over.node().isEmpty());
        assertTrue(over.detail().startsWith("not held: this caller holds"), over.detail());
        assertEquals(1L, refusals.counts().get("registration-watch-not-held"));
        assertTrue(held.stream().noneMatch(CompletableFuture::isDone));
    }
}
