package dev.tendril.root.application;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.Ack;
import dev.tendril.protocol.message.RootMessage.SignOff;
import dev.tendril.root.application.port.out.TopologyRepository;
import dev.tendril.root.domain.InstanceDirectory;
import dev.tendril.root.domain.Migration;
import dev.tendril.root.domain.TreeNode;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Removes a node from its tree (its deployment was removed). Its migration records go with
 * it. Its children are re-parented right away, each under the nearest live node with room
 * outside its own subtree, so the stored tree never points at a node that is gone; a child
 * learns its new parent when it reports the orphaning ({@link ReparentOrphan} then answers
 * the parent already chosen). Signing off a node that is not there is acknowledged (retries).
 */
public final class SignOffInstance {
    private final TopologyRepository repository;
    private final InstanceDirectory directory;
    private final ParentAssignment parents;

    public SignOffInstance(TopologyRepository repository, InstanceDirectory directory, ParentAssignment parents) {
        this.repository = repository;
        this.directory = directory;
        this.parents = parents;
    }

    public RootMessage execute(SignOff request) {
        String service = request.service();
        String nodeId = request.nodeId();
        if (repository.node(service, nodeId).isEmpty()) {
            return new Ack();
        }
        List<TreeNode> children = repository.children(service, nodeId);
        repository.removeNode(service, nodeId);
        for (TreeNode child : children) {
            Set<String> excluded = new HashSet<>(parents.subtree(service, child.nodeId()));
            excluded.add(nodeId);
            Optional<TreeNode> parent = parents.nearest(service, child.info().position(), excluded);
            repository.saveNode(child.withParent(parent.map(TreeNode::nodeId).orElse(TreeNode.NO_PARENT)));
        }
        for (Migration m : repository.removeMigrationsTargeting(service, nodeId)) {
            directory.removeMigration(service, m.clients());
        }
        directory.removeInstance(service, nodeId);
        return new Ack();
    }
}
