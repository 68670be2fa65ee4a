package dev.tendril.edge.application.security;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.MessageId;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.OverlayMessage.Attach;
import dev.tendril.protocol.message.OverlayMessage.Detach;
import dev.tendril.protocol.message.OverlayMessage.Heartbeat;
import dev.tendril.protocol.message.SelfOrgMessage.Replicate;
import dev.tendril.protocol.message.SelfOrgMessage.ReplicateSoon;
import dev.tendril.protocol.transport.Caller;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** On the tree socket a node speaks only for itself: sender, body and caller against each other. */
class TreePolicyTest {
    private static final String KEY = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
    private static final Caller MUNICH = Caller.platform("munich", KEY);
    private static final Caller ALICE = Caller.operator("alice", KEY);

    private static NodeInfo node(String id) {
        return new NodeInfo(id, "192.0.2.1", new GeoPoint(48.1, 11.6), List.of(), 7400);
    }

    private static Envelope from(String sender, Message body) {
        return new Envelope(new MessageId(1, 2), "web", sender, 0L, body);
    }

    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of(from("munich", new Attach("web", node("munich"))), MUNICH, true),
                Arguments.of(from("munich", new Attach("web", node("sydney"))), MUNICH, false), // a fake child
                Arguments.of(from("sydney", new Attach("web", node("sydney"))), MUNICH, false), // a forged sender
                Arguments.of(from("munich", new Heartbeat("web", "munich")), MUNICH, true),
                Arguments.of(from("munich", new Detach("web", "sydney")), MUNICH, false),
                Arguments.of(from("munich", new Detach("web", "munich")), MUNICH, true),
                Arguments.of(from("munich", new Replicate("web", "r1", node("munich"), "service: web")), MUNICH, true),
                Arguments.of(from("munich", new Replicate("web", "r1", node("sydney"), "service: web")), MUNICH, false),
                Arguments.of(from("munich", new ReplicateSoon("web", "munich")), MUNICH, true),
                Arguments.of(from("munich", new ReplicateSoon("web", "sydney")), MUNICH, false),
                Arguments.of(from("alice", new Heartbeat("web", "alice")), ALICE, false), // operators use the admin socket
                Arguments.of(from("anyone", new Detach("web", "sydney")), Caller.anonymous(KEY), false),
                Arguments.of(from("anyone", new Detach("web", "sydney")), Caller.clear(), true));
    }

    @ParameterizedTest(name = "{0} from {1}: allowed {2}")
    @MethodSource("table")
    void aNodeSpeaksOnlyForItself(Envelope request, Caller caller, boolean allowed) {
        assertEquals(allowed, TreePolicy.refusal(caller, request).isEmpty(), () -> String.valueOf(TreePolicy.refusal(caller, request)));
    }
}
