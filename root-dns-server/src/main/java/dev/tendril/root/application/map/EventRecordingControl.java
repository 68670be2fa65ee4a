package dev.tendril.root.application.map;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.Ack;
import dev.tendril.protocol.message.RootMessage.ConditionalSignOff;
import dev.tendril.protocol.message.RootMessage.CreateTree;
import dev.tendril.protocol.message.RootMessage.NodeState;
import dev.tendril.protocol.message.RootMessage.OrphanReport;
import dev.tendril.protocol.message.RootMessage.RecordMigration;
import dev.tendril.protocol.message.RootMessage.RegisterNode;
import dev.tendril.protocol.message.RootMessage.Registered;
import dev.tendril.protocol.message.RootMessage.SignOff;
import dev.tendril.protocol.message.RootMessage.SignOffDecision;
import dev.tendril.root.application.ForwardingRootControl;
import dev.tendril.root.application.map.TopologyEvent.Kind;
import dev.tendril.root.application.port.in.RootControl;

import java.time.Clock;
import java.util.Optional;

/**
 * Decorates the {@link RootControl} port ({@link ForwardingRootControl}): hands each request
 * on, and once a write request is answered without error (so it is durable), records what
 * changed in {@link RecentEvents} for the live map. Reads, errors and refused conditional sign-offs record nothing. A retried
 * request is answered by the endpoint's dedupe before it reaches this port, so it is not
 * recorded twice. Edge nodes register again every few seconds (soft state): such a refresh of
 * a node already recorded in the same place records nothing, so {@code joined} means a node
 * new to this root's view, back after it went down or left, or under another parent.
 */
public final class EventRecordingControl extends ForwardingRootControl {
    /** Nodes remembered at most; past this the memory starts again (a few refreshes then read as joins). */
    static final int MAX_REMEMBERED = 200_000;

    private final RecentEvents events;
    private final Clock clock;
    /** service + '\n' + node -> where it was last recorded (its parent text), for telling a refresh from a join. */
    private final java.util.Map<String, String> placed = new java.util.concurrent.ConcurrentHashMap<>();

    public EventRecordingControl(RootControl delegate, RecentEvents events, Clock clock) {
        super(delegate);
        this.events = events;
        this.clock = clock;
    }

    @Override
    public RootMessage handle(RootMessage request) {
        return recorded(request, delegate.handle(request));
    }

    /** Recorded when the delegate's reply completes, on its thread. */
    @Override
    public java.util.concurrent.CompletionStage<RootMessage> handleLater(RootMessage request) {
        return delegate.handleLater(request).thenApply(reply -> recorded(request, reply));
    }

    private RootMessage recorded(RootMessage request, RootMessage reply) {
        eventOf(request, reply).ifPresent(events::add);
        return reply;
    }

    private Optional<TopologyEvent> eventOf(RootMessage request, RootMessage reply) {
        long now = clock.millis();
        if (request instanceof CreateTree r && reply instanceof Registered g) {
            place(r.service(), r.node().nodeId(), parentText(g));
            return Optional.of(new TopologyEvent(now, Kind.TREE_CREATED, r.service(), r.node().nodeId(),
                    "top node at " + r.node().position()));
        } else if (request instanceof RegisterNode r && reply instanceof Registered g) {
            String parent = parentText(g);
            if (parent.equals(place(r.service(), r.node().nodeId(), parent))) {
                return Optional.empty(); // a refresh: the node was recorded there already
            }
            return Optional.of(new TopologyEvent(now, Kind.JOINED, r.service(), r.node().nodeId(), parent));
        } else if (request instanceof SignOff r && reply instanceof Ack) {
            placed.remove(key(r.service(), r.nodeId()));
            return Optional.of(new TopologyEvent(now, Kind.SIGNED_OFF, r.service(), r.nodeId(), ""));
        } else if (request instanceof ConditionalSignOff r && reply instanceof SignOffDecision d && d.granted()) {
            placed.remove(key(r.service(), r.nodeId()));
            return Optional.of(new TopologyEvent(now, Kind.TERMINATED, r.service(), r.nodeId(),
                    d.liveInstances() + " live instance(s) remain, minimum " + d.minInstances()));
        } else if (request instanceof NodeState r && reply instanceof Ack) {
            if (!r.live()) {
                placed.remove(key(r.service(), r.nodeId()));
            }
            return Optional.of(new TopologyEvent(now, r.live() ? Kind.NODE_UP : Kind.NODE_DOWN, r.service(), r.nodeId(), ""));
        } else if (request instanceof OrphanReport r && reply instanceof Registered g) {
            place(r.service(), r.nodeId(), parentText(g));
            return Optional.of(new TopologyEvent(now, Kind.ORPHAN_REPARENTED, r.service(), r.nodeId(),
                    "parent " + r.deadParentId() + " dead; " + parentText(g)));
        } else if (request instanceof RecordMigration r && reply instanceof Ack) {
            return Optional.of(new TopologyEvent(now, Kind.MIGRATION_RECORDED, r.service(), r.targetNodeId(),
                    String.join(", ", r.clients()) + " for " + r.lifetimeMillis() / 1000 + " s"));
        }
        return Optional.empty();
    }

    private static String key(String service, String node) {
        return service + '\n' + node;
    }

    /** Remembers where the node is now; returns where it was recorded before (null: nowhere). */
    private String place(String service, String node, String parent) {
        if (placed.size() >= MAX_REMEMBERED) {
            placed.clear();
        }
        return placed.put(key(service, node), parent);
    }

    private static String parentText(Registered g) {
        return g.parent().map(p -> "parent " + p.nodeId()).orElse("top node");
    }
}
