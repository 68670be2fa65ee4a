package dev.tendril.root.application;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.RegisterNode;
import dev.tendril.protocol.message.RootMessage.Registered;
import dev.tendril.root.application.port.out.TopologyRepository;
import dev.tendril.root.domain.InstanceDirectory;
import dev.tendril.root.domain.TreeNode;

import java.time.Clock;
import java.util.Optional;
import java.util.Set;

/**
 * Joins a node to an existing tree under the nearest live node with room (see
 * {@link ParentAssignment}).
 *
 * <ul>
 *   <li>A node the root already holds as live under a live parent (a retry, or a quick
 *       restart nobody noticed) keeps its place: same answer, refreshed address/ports/position.</li>
 *   <li>A known node that is down, or whose parent is down, re-joins as a leaf: it becomes
 *       live and gets a new parent chosen outside its own subtree; its old children stay
 *       attached to it (they re-parent themselves if they noticed it gone).</li>
 *   <li>When no live node of the tree has room (e.g. all are down), the node becomes a top node.</li>
 *   <li>A new node is refused (LIMIT) when its tree or its platform is at its quota ({@link InstanceQuota}).</li>
 * </ul>
 */
public final class RegisterInstance {
    private final TopologyRepository repository;
    private final InstanceDirectory directory;
    private final ParentAssignment parents;
    private final Clock clock;
    private final InstanceQuota quota;

    /** Without instance quotas (simulations). */
    public RegisterInstance(TopologyRepository repository, InstanceDirectory directory, ParentAssignment parents, Clock clock) {
        this(repository, directory, parents, clock, InstanceQuota.unlimited(repository));
    }

    RegisterInstance(TopologyRepository repository, InstanceDirectory directory, ParentAssignment parents, Clock clock,
                     InstanceQuota quota) {
        this.repository = repository;
        this.directory = directory;
        this.parents = parents;
        this.clock = clock;
        this.quota = quota;
    }

    public RootMessage execute(RegisterNode request) {
        String service = request.service();
        String nodeId = request.node().nodeId();
        if (!repository.treeExists(service)) {
            return ControlErrors.noTree(service);
        }
        Optional<TreeNode> existing = repository.node(service, nodeId);
        if (existing.isPresent() && existing.get().live()) {
            TreeNode known = existing.get();
            Optional<TreeNode> parent = known.isTop() ? Optional.empty() : repository.node(service, known.parentId());
            if (known.isTop() || parent.filter(TreeNode::live).isPresent()) {
                TreeNode refreshed = new TreeNode(service, request.node(), known.parentId(), true, known.registeredAtMillis());
                if (!refreshed.equals(known)) {
                    repository.saveNode(refreshed);
                    directory.putInstance(service, request.node(), true);
                }
                return new Registered(service, nodeId, parent.map(TreeNode::info));
            }
        }
        if (existing.isEmpty()) {
            Optional<dev.tendril.protocol.message.RootMessage.ErrorReply> refused = quota.refusalOfNew(service, nodeId);
            if (refused.isPresent()) {
                return refused.get();
            }
        }
        Set<String> excluded = existing.isPresent() ? parents.subtree(service, nodeId) : Set.of(nodeId);
        Optional<TreeNode> parent = parents.nearest(service, request.node().position(), excluded);
        repository.saveNode(new TreeNode(service, request.node(), parent.map(TreeNode::nodeId).orElse(TreeNode.NO_PARENT),
                true, clock.millis()));
        directory.putInstance(service, request.node(), true);
        return new Registered(service, nodeId, parent.map(TreeNode::info));
    }
}
