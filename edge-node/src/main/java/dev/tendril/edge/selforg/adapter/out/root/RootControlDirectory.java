package dev.tendril.edge.selforg.adapter.out.root;

import dev.tendril.edge.overlay.RootControl;
import dev.tendril.edge.selforg.application.port.out.RootDirectory;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.RootMessage;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** {@link RootDirectory} over the root control endpoint (the overlay's {@link RootControl} port). */
public final class RootControlDirectory implements RootDirectory {
    private final RootControl root;

    public RootControlDirectory(RootControl root) {
        this.root = root;
    }

    /** Subnets per request: the roots' default {@code control.limits.maxSubnetsPerRequest}. */
    static final int SUBNETS_PER_REQUEST = 64;

    /** Sends the clients in requests of at most {@value #SUBNETS_PER_REQUEST}; true once all are recorded. */
    @Override
    public boolean recordMigration(String service, List<String> clients, String targetNodeId, Duration lifetime) {
        for (int from = 0; from < clients.size(); from += SUBNETS_PER_REQUEST) {
            List<String> part = clients.subList(from, Math.min(clients.size(), from + SUBNETS_PER_REQUEST));
            Optional<Message> reply = root.call(service,
                    new RootMessage.RecordMigration(service, part, targetNodeId, Math.max(1, lifetime.toMillis())));
            if (reply.isEmpty() || !(reply.get() instanceof RootMessage.Ack)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Optional<Set<String>> hostedSet(String service) {
        return root.call(service, new RootMessage.HostedSetQuery(service))
                .filter(RootMessage.HostedSet.class::isInstance)
                .map(m -> Set.copyOf(((RootMessage.HostedSet) m).nodeIds()));
    }

    @Override
    public Optional<List<Redirect>> redirects(String service) {
        return root.call(service, new RootMessage.MigrationsQuery(service))
                .filter(RootMessage.MigrationListing.class::isInstance)
                .map(m -> ((RootMessage.MigrationListing) m).migrations().stream()
                        .filter(v -> v.service().equals(service))
                        .map(v -> new Redirect(v.client(), v.targetNodeId(), Instant.ofEpochMilli(v.createdAtMillis())))
                        .toList());
    }

    /** Every node of the tree of {@code service} as the root lists it (empty when no root answered). */
    public List<RootMessage.TreeNodeView> tree(String service) {
        return root.call(service, new RootMessage.TreeQuery(service))
                .filter(RootMessage.TreeListing.class::isInstance)
                .map(m -> ((RootMessage.TreeListing) m).nodes()).orElse(List.of());
    }
}
