package dev.tendril.root.adapter.in.control;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.EnvelopeFactory;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.message.RootMessage.HostedSetQuery;
import dev.tendril.protocol.message.RootMessage.Membership;
import dev.tendril.protocol.message.RootMessage.MembershipQuery;
import dev.tendril.protocol.transport.Caller;
import dev.tendril.protocol.transport.CallerHandler;
import dev.tendril.protocol.transport.ClientOptions;
import dev.tendril.protocol.transport.CurveKeyPair;
import dev.tendril.protocol.transport.PeerKeys;
import dev.tendril.protocol.transport.RequestClient;
import dev.tendril.protocol.transport.RequestResult;
import dev.tendril.protocol.transport.RequestServer;
import dev.tendril.protocol.transport.ServerOptions;
import dev.tendril.root.application.security.ControlPolicy;
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

/**
 * Who may ask a MembershipQuery, over real CURVE connections: an enrolled platform, as for the
 * hosted set; a caller the server admits without knowing who it is (CURVE without an
 * allowlist) is refused FORBIDDEN, counted as the other refusals are, and the query never
 * reaches the topology.
 */
class MembershipQueryAccessTest {
    private final CurveKeyPair rootKeys = CurveKeyPair.generate();
    private final CurveKeyPair munich = CurveKeyPair.generate();
    private final CurveKeyPair stranger = CurveKeyPair.generate();
    private final List<RootMessage> seen = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> open = new ArrayList<>();
    private final EnvelopeFactory envelopes = new EnvelopeFactory("t", Clock.systemUTC(), new SplittableRandom(5));
    private final MembershipQuery query = new MembershipQuery("web", "sydney", Optional.of(new GeoPoint(48.1, 11.6)), 3);
    private final Membership answer = new Membership("web", "sydney", true, true, List.of("munich"));
    private final RequestServer server = RequestServer.start(
            ServerOptions.of("tcp://127.0.0.1:0", "root-t").withCurve(new ServerOptions.Curve(rootKeys,
                    PeerKeys.of(Map.of(munich.publicKey(), Caller.platform("munich", munich.publicKey())))
                            .or(PeerKeys.anyKey()))),
            (CallerHandler) (request, caller) -> RootControlEndpoint.handle(r -> {
                seen.add(r);
                return answer;
            }, null, ControlPolicy.NO_NODES, request, caller),
            Clock.systemUTC());

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        server.close();
    }

    private RootMessage ask(CurveKeyPair keys, RootMessage body) {
        RequestClient c = new RequestClient(ClientOptions.of(server.endpoint()).withRetries(Duration.ofSeconds(3), 2)
                .withCurve(new ClientOptions.Curve(keys, rootKeys.publicKey())));
        open.add(c);
        return (RootMessage) assertInstanceOf(RequestResult.Reply.class, c.request(envelopes.create("web", body)))
                .envelope().body();
    }

    @Test
    void anEnrolledPlatformIsAnsweredAndAnUnknownCallerIsRefusedAndCounted() {
        assertEquals(answer, ask(munich, query));

        ErrorReply refused = assertInstanceOf(ErrorReply.class, ask(stranger, query));
        assertEquals(RequestServer.FORBIDDEN, refused.code());
        assertEquals(RequestServer.FORBIDDEN, assertInstanceOf(ErrorReply.class, ask(stranger, new HostedSetQuery("web"))).code(),
                "as the hosted set is");
        assertEquals(List.of(query), seen, "the refused queries never reached the topology");
        assertEquals(2, server.stats().forbidden());
    }
}
