package dev.tendril.root.application.security;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.ConditionalSignOff;
import dev.tendril.protocol.message.RootMessage.CreateTree;
import dev.tendril.protocol.message.RootMessage.HostedSetQuery;
import dev.tendril.protocol.message.RootMessage.NodeState;
import dev.tendril.protocol.message.RootMessage.OrphanReport;
import dev.tendril.protocol.message.RootMessage.RecordMigration;
import dev.tendril.protocol.message.RootMessage.RegisterNode;
import dev.tendril.protocol.message.RootMessage.SignOff;
import dev.tendril.protocol.transport.Caller;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A node speaks only for itself: each root control request against each kind of caller. */
class ControlPolicyTest {
    private static final String KEY = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
    private static final Caller MUNICH = Caller.platform("munich", KEY);
    private static final Caller SYDNEY = Caller.platform("sydney", KEY);
    private static final Caller ALICE = Caller.operator("alice", KEY);
    private static final Caller STRANGER = Caller.anonymous(KEY);
    private static final Caller CLEAR = Caller.clear();
    /** web: munich is the top, sydney its child. */
    private static final Map<String, String> PARENTS = Map.of("munich", "", "sydney", "munich");
    private final ControlPolicy policy = new ControlPolicy((service, node) ->
            "web".equals(service) ? Optional.ofNullable(PARENTS.get(node)) : Optional.empty(),
            (service, node) -> "web".equals(service) && PARENTS.containsKey(node));

    private static NodeInfo node(String id) {
        return new NodeInfo(id, "192.0.2.1", new GeoPoint(48.1, 11.6), List.of(), 7400);
    }

    private static RootMessage membership(String nodeId) {
        return new RootMessage.MembershipQuery("web", nodeId, Optional.of(new GeoPoint(48.2, 11.6)), 3);
    }

    static Stream<Arguments> table() {
        RootMessage registerMunich = new RegisterNode("web", node("munich"));
        return Stream.of(
                // request, caller, allowed
                Arguments.of(registerMunich, MUNICH, true),
                Arguments.of(registerMunich, SYDNEY, false),
                Arguments.of(registerMunich, ALICE, true),
                Arguments.of(registerMunich, STRANGER, false),
                Arguments.of(registerMunich, CLEAR, true),
                Arguments.of(new CreateTree("web", node("munich")), MUNICH, true),
                Arguments.of(new CreateTree("web", node("munich")), SYDNEY, false),
                Arguments.of(new SignOff("web", "munich"), MUNICH, true),
                Arguments.of(new SignOff("web", "munich"), SYDNEY, false),
                Arguments.of(new ConditionalSignOff("web", "munich", 1), SYDNEY, false),
                Arguments.of(new ConditionalSignOff("web", "sydney", 1), SYDNEY, true),
                Arguments.of(new OrphanReport("web", "sydney", "munich"), SYDNEY, true),
                Arguments.of(new OrphanReport("web", "sydney", "munich"), MUNICH, false),
                Arguments.of(new NodeState("web", "sydney", true), SYDNEY, true),
                Arguments.of(new NodeState("web", "sydney", false), MUNICH, true), // its parent reports it dead
                Arguments.of(new NodeState("web", "sydney", true), MUNICH, false), // but may not revive it
                Arguments.of(new NodeState("web", "munich", false), SYDNEY, false), // a child may not kill its parent
                Arguments.of(new RecordMigration("web", List.of("203.0.113.0/24"), "munich", 60_000), SYDNEY, true),
                Arguments.of(new RecordMigration("shop", List.of("203.0.113.0/24"), "munich", 60_000), SYDNEY, false),
                Arguments.of(new RecordMigration("web", List.of("203.0.113.0/24"), "munich", 60_000), STRANGER, false),
                Arguments.of(new HostedSetQuery("web"), SYDNEY, true),
                Arguments.of(new HostedSetQuery("web"), STRANGER, false),
                // as the hosted set: any enrolled caller may ask about any node, a key nobody enrolled may not
                Arguments.of(membership("sydney"), MUNICH, true),
                Arguments.of(membership("munich"), SYDNEY, true),
                Arguments.of(membership("sydney"), ALICE, true),
                Arguments.of(membership("sydney"), CLEAR, true),
                Arguments.of(membership("sydney"), STRANGER, false),
                // found by FuzzBench: a platform key reloaded the root's configuration at will
                Arguments.of(new RootMessage.RootReload(), MUNICH, false),
                Arguments.of(new RootMessage.RootReload(), ALICE, true),
                Arguments.of(new RootMessage.ChangeRoots(List.of(new RootMessage.RootMember("r1", "127.0.0.1:9000", "", 0))),
                        MUNICH, false),
                Arguments.of(new RootMessage.ChangeRoots(List.of(new RootMessage.RootMember("r1", "127.0.0.1:9000", "", 0))),
                        ALICE, true),
                Arguments.of(new RootMessage.RootStatsQuery(), MUNICH, true));
    }

    @ParameterizedTest(name = "{0} from {1}: allowed {2}")
    @MethodSource("table")
    void eachRequestIsAllowedOnlyToWhoMayAsk(RootMessage request, Caller caller, boolean allowed) {
        assertEquals(allowed, policy.refusal(caller, request).isEmpty(), () -> String.valueOf(policy.refusal(caller, request)));
    }

    @ParameterizedTest(name = "{0} from {1}")
    @MethodSource("table")
    void onlyTheRequestsSaidToReadTheStoreAskIt(RootMessage request, Caller caller, boolean allowed) {
        // the control endpoint checks the others on its socket's thread, which must never wait for the store
        java.util.concurrent.atomic.AtomicBoolean asked = new java.util.concurrent.atomic.AtomicBoolean();
        ControlPolicy recording = new ControlPolicy((service, node) -> {
            asked.set(true);
            return "web".equals(service) ? Optional.ofNullable(PARENTS.get(node)) : Optional.empty();
        }, (service, node) -> "web".equals(service) && PARENTS.containsKey(node));
        assertEquals(allowed, recording.refusal(caller, request).isEmpty());
        if (asked.get()) {
            assertTrue(ControlPolicy.readsStore(request), request + " asked the store but readsStore says no");
        }
    }
}
