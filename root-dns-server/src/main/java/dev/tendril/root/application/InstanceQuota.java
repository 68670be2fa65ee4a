package dev.tendril.root.application;

import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.refusal.RefusalLog;
import dev.tendril.root.application.port.out.TopologyRepository;

import java.util.Optional;

/**
 * Bounds the nodes a registration may add: at most {@code maxInstancesPerService} nodes in
 * one tree and at most {@code maxServicesPerPlatform} trees per platform (node id). A node
 * already in the tree is never refused (a retry or a re-join adds nothing). Refusals are
 * LIMIT replies, counted per reason.
 */
final class InstanceQuota {
    static final String PER_SERVICE = "instances-quota-per-service";
    static final String PER_PLATFORM = "instances-quota-per-platform";

    private final TopologyRepository repository;
    private final ControlLimits limits;
    private final RefusalLog refusals;

    InstanceQuota(TopologyRepository repository, ControlLimits limits, RefusalLog refusals) {
        this.repository = repository;
        this.limits = limits;
        this.refusals = refusals;
    }

    /** No practical bound (simulations and callers that bound nodes themselves). */
    static InstanceQuota unlimited(TopologyRepository repository) {
        return new InstanceQuota(repository, ControlLimits.unlimited(), ControlLimits.quietRefusals());
    }

    /** The refusal when adding {@code nodeId} to the tree of {@code service} would pass a quota; empty when it may join. */
    Optional<ErrorReply> refusal(String service, String nodeId) {
        if (repository.node(service, nodeId).isPresent()) {
            return Optional.empty();
        }
        return refusalOfNew(service, nodeId);
    }

    /** As {@link #refusal}, for a node the caller has just found absent from the tree (no second look-up). */
    Optional<ErrorReply> refusalOfNew(String service, String nodeId) {
        int inTree = repository.nodeCount(service);
        if (inTree >= limits.maxInstancesPerService()) {
            refusals.count(PER_SERVICE);
            return Optional.of(new ErrorReply(ControlErrors.LIMIT, "the tree of '" + service + "' has " + inTree
                    + " nodes, its quota (control.limits.maxInstancesPerService)"));
        }
        int trees = repository.treesOf(nodeId);
        if (trees >= limits.maxServicesPerPlatform()) {
            refusals.count(PER_PLATFORM);
            return Optional.of(new ErrorReply(ControlErrors.LIMIT, "platform '" + nodeId + "' is a node of " + trees
                    + " trees, its quota (control.limits.maxServicesPerPlatform)"));
        }
        return Optional.empty();
    }
}
