package dev.tendril.edge.selforg.adapter.out.overlay;

import dev.tendril.edge.application.HostedServices;
import dev.tendril.edge.deployment.Deployments;
import dev.tendril.edge.overlay.Overlay;
import dev.tendril.edge.overlay.ServiceMembership;
import dev.tendril.edge.selforg.adapter.out.root.RootControlDirectory;
import dev.tendril.edge.selforg.application.port.out.TreePosition;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.RootMessage;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link TreePosition} from the overlay membership: the parent as the root named it at the
 * registration, the children as they described themselves in their Attach (the tree socket
 * admits a node speaking only for itself). The root's tree listing, asked again at most once a
 * second per service, is only the fallback for a parent id without its node.
 */
public final class MembershipTreePosition implements TreePosition {
    private static final Duration REFRESH = Duration.ofSeconds(1);

    private final Overlay overlay;
    private final HostedServices hosted;
    private final Deployments deployments;
    private final RootControlDirectory root;
    private final Clock clock;
    private final Map<String, Map<String, NodeInfo>> nodes = new HashMap<>();
    private final Map<String, Instant> refreshed = new HashMap<>();

    public MembershipTreePosition(Overlay overlay, HostedServices hosted, Deployments deployments, RootControlDirectory root,
                                  Clock clock) {
        this.overlay = overlay;
        this.hosted = hosted;
        this.deployments = deployments;
        this.root = root;
        this.clock = clock;
    }

    @Override
    public Optional<NodeInfo> self(String service) {
        Optional<ServiceMembership.View> v = overlay.get(service).map(ServiceMembership::view);
        if (v.isEmpty() || !v.get().registered()) {
            return Optional.empty();
        }
        return deployments.get(service).map(d -> hosted.nodeInfo(d.spec()));
    }

    @Override
    public Optional<NodeInfo> parent(String service) {
        Optional<ServiceMembership> m = overlay.get(service);
        if (m.isEmpty()) {
            return Optional.empty();
        }
        Optional<NodeInfo> known = m.get().parentNode();
        return known.isPresent() ? known : m.get().view().parentId().flatMap(id -> lookup(service, id));
    }

    /**
     * The children as they described themselves when they attached: no root round trip. (It was a
     * TreeQuery on the self-organization thread whenever a new child had attached, so a message for
     * this node, e.g. a ReplicaReady from that very child, waited for it.)
     */
    @Override
    public List<NodeInfo> children(String service) {
        return overlay.get(service).map(ServiceMembership::childNodes).orElse(List.of());
    }

    @Override
    public Optional<Members> recentMembers(String service) {
        // plain code, no method reference or lambda: read once per replica decision, whose first run
        // would link their call sites on the timed path (docs/gotchas.md)
        Optional<ServiceMembership> membership = overlay.get(service);
        if (membership.isEmpty()) {
            return Optional.empty();
        }
        Optional<ServiceMembership.Members> m = membership.get().recentMembers();
        return m.isEmpty() ? Optional.empty() : Optional.of(new Members(m.get().nodeIds(), m.get().listedAt()));
    }

    private synchronized Optional<NodeInfo> lookup(String service, String id) {
        Map<String, NodeInfo> known = nodes.computeIfAbsent(service, s -> new HashMap<>());
        if (!known.containsKey(id)) {
            Instant now = clock.instant();
            Instant last = refreshed.get(service);
            if (last == null || !now.isBefore(last.plus(REFRESH))) {
                refreshed.put(service, now);
                for (RootMessage.TreeNodeView n : root.tree(service)) {
                    known.put(n.node().nodeId(), n.node());
                }
            }
        }
        return Optional.ofNullable(known.get(id));
    }
}
