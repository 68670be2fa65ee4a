package dev.tendril.edge.overlay;

import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.OverlayMessage;
import dev.tendril.protocol.message.RootMessage;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The overlay services of this node, one {@link ServiceMembership} per hosted service, and
 * the dispatch of tree-socket messages to them. Only overlay messages are answered here:
 * nothing local (admin) is reachable through it.
 */
public final class Overlay {
    private final Map<String, ServiceMembership> byService = new ConcurrentHashMap<>();
    private final LongAdder unknownService = new LongAdder();

    public void add(ServiceMembership m) {
        byService.put(m.service(), m);
    }

    public Optional<ServiceMembership> remove(String service) {
        return Optional.ofNullable(byService.remove(service));
    }

    public Optional<ServiceMembership> get(String service) {
        return Optional.ofNullable(byService.get(service));
    }

    public List<ServiceMembership> all() {
        return List.copyOf(byService.values());
    }

    /** Messages for services this node does not host. */
    public long unknownServiceCount() {
        return unknownService.sum();
    }

    /** Answers one tree-socket message. */
    public Message handle(Message message) {
        if (!(message instanceof OverlayMessage m)) {
            return new RootMessage.ErrorReply("UNSUPPORTED", "the tree socket answers overlay messages only");
        }
        String service = m.service();
        ServiceMembership membership = byService.get(service);
        if (membership == null) {
            unknownService.increment();
            if (m instanceof OverlayMessage.Heartbeat h) {
                return new OverlayMessage.HeartbeatAck(service, "unknown", false);
            }
            return new RootMessage.ErrorReply("NOT_FOUND", "this node does not host " + service);
        }
        if (m instanceof OverlayMessage.Attach a) {
            return membership.onAttach(a);
        }
        if (m instanceof OverlayMessage.Heartbeat h) {
            return membership.onHeartbeat(h);
        }
        if (m instanceof OverlayMessage.Detach d) {
            return membership.onDetach(d);
        }
        return new RootMessage.ErrorReply("UNSUPPORTED", m.type() + " is a reply, not a request");
    }
}
