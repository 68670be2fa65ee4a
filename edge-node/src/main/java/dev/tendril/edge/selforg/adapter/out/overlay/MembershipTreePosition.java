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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link TreePosition} from the overlay membership (which ids are parent and children) and
 * the root's tree listing (their addresses and ports), asked again at most once a second
 * per service when an id is not known yet.
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
        return overlay.get(service).map(ServiceMembership::view).flatMap(ServiceMembership.View::parentId)
                .flatMap(id -> lookup(service, id));
    }

    @Override
    public List<NodeInfo> children(String service) {
        List<NodeInfo> out = new ArrayList<>();
        overlay.get(service).map(ServiceMembership::view).ifPresent(v -> v.childIds()
                .forEach(id -> lookup(service, id).ifPresent(out::add)));
        return out;
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
