package dev.tendril.root.application;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.CreateTree;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.message.RootMessage.Registered;
import dev.tendril.root.application.port.out.TopologyRepository;
import dev.tendril.root.domain.InstanceDirectory;
import dev.tendril.root.domain.TreeNode;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Creates a service tree with the requesting node on top. Idempotent: creating it again with
 * the same top node answers the same (and refreshes the node's address, ports and position);
 * a tree that already has other nodes is a CONFLICT (register into it instead). A tree whose
 * nodes all signed off may be created anew. A platform at its quota of trees is refused
 * (LIMIT, see {@link InstanceQuota}).
 */
public final class CreateServiceTree {
    private final TopologyRepository repository;
    private final InstanceDirectory directory;
    private final Clock clock;
    private final InstanceQuota quota;

    /** Without instance quotas (simulations). */
    public CreateServiceTree(TopologyRepository repository, InstanceDirectory directory, Clock clock) {
        this(repository, directory, clock, InstanceQuota.unlimited(repository));
    }

    CreateServiceTree(TopologyRepository repository, InstanceDirectory directory, Clock clock, InstanceQuota quota) {
        this.repository = repository;
        this.directory = directory;
        this.clock = clock;
        this.quota = quota;
    }

    public RootMessage execute(CreateTree request) {
        String service = request.service();
        String nodeId = request.node().nodeId();
        long now = clock.millis();
        Optional<ErrorReply> refused = quota.refusal(service, nodeId);
        if (refused.isPresent()) {
            return refused.get();
        }
        if (!repository.createTree(service, now)) {
            Optional<TreeNode> existing = repository.node(service, nodeId);
            if (existing.isPresent() && existing.get().isTop()) {
                TreeNode refreshed = new TreeNode(service, request.node(), TreeNode.NO_PARENT, true,
                        existing.get().registeredAtMillis());
                if (!refreshed.equals(existing.get())) {
                    repository.saveNode(refreshed);
                    directory.putInstance(service, request.node(), true);
                }
                return new Registered(service, nodeId, Optional.empty());
            }
            List<TreeNode> nodes = repository.nodes(service);
            if (!nodes.isEmpty()) {
                String tops = nodes.stream().filter(TreeNode::isTop).map(TreeNode::nodeId).toList().toString();
                return new ErrorReply(ControlErrors.CONFLICT, "the tree of '" + service + "' exists (top " + tops
                        + "); register node '" + nodeId + "' into it instead");
            }
        }
        repository.saveNode(new TreeNode(service, request.node(), TreeNode.NO_PARENT, true, now));
        directory.putInstance(service, request.node(), true);
        return new Registered(service, nodeId, Optional.empty());
    }
}
