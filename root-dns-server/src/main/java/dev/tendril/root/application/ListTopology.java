package dev.tendril.root.application;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.HostedSet;
import dev.tendril.protocol.message.RootMessage.HostedSetQuery;
import dev.tendril.protocol.message.RootMessage.MigrationListing;
import dev.tendril.protocol.message.RootMessage.MigrationView;
import dev.tendril.protocol.message.RootMessage.MigrationsQuery;
import dev.tendril.protocol.message.RootMessage.TreeListing;
import dev.tendril.protocol.message.RootMessage.TreeNodeView;
import dev.tendril.protocol.message.RootMessage.TreeQuery;
import dev.tendril.root.application.port.out.TopologyRepository;
import dev.tendril.root.domain.TreeNode;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/** The read-only queries: hosted set, tree listing, live migration records. */
public final class ListTopology {
    private final TopologyRepository repository;
    private final Clock clock;

    public ListTopology(TopologyRepository repository, Clock clock) {
        this.repository = repository;
        this.clock = clock;
    }

    /** Node ids hosting the service, live or down (empty when there is no such tree). */
    public RootMessage hostedSet(HostedSetQuery request) {
        return new HostedSet(request.service(), repository.nodes(request.service()).stream().map(TreeNode::nodeId).toList());
    }

    /** The nodes of one tree (NOT_FOUND when there is none), or of every tree for "". */
    public RootMessage tree(TreeQuery request) {
        List<String> services;
        if (request.service().isEmpty()) {
            services = repository.services();
        } else if (repository.treeExists(request.service())) {
            services = List.of(request.service());
        } else {
            return ControlErrors.noTree(request.service());
        }
        List<TreeNodeView> views = new ArrayList<>();
        for (String service : services) {
            for (TreeNode n : repository.nodes(service)) {
                views.add(new TreeNodeView(service, n.info(), n.parentId(), n.live(), n.registeredAtMillis()));
            }
        }
        return new TreeListing(views);
    }

    /** Migration records that have not expired, of one service or of all for "". */
    public RootMessage migrations(MigrationsQuery request) {
        long now = clock.millis();
        return new MigrationListing(repository.migrations(request.service()).stream()
                .filter(m -> m.isLiveAt(now))
                .map(m -> new MigrationView(m.service(), m.clients().toString(), m.targetNodeId(),
                        m.createdAtMillis(), m.expiresAtMillis()))
                .toList());
    }
}
