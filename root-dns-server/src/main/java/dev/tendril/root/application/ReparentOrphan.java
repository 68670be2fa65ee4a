package dev.tendril.root.application;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.OrphanReport;
import dev.tendril.protocol.message.RootMessage.Registered;
import dev.tendril.root.application.port.out.TopologyRepository;
import dev.tendril.root.domain.InstanceDirectory;
import dev.tendril.root.domain.TreeNode;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * A node reports that its parent stopped answering. When the reported parent is the node's
 * recorded parent, the root marks it down (DNS stops answering it) and assigns the nearest
 * live node with room, never the dead parent and never a node of the reporter's own subtree
 * (that would make a cycle); with no such node, the reporter becomes a top node.
 *
 * <p>When the node was already re-parented (an earlier report, or its parent signed off),
 * the current live parent is answered again and nobody is marked down: a late or repeated
 * report cannot take down a node that came back.
 */
public final class ReparentOrphan {
    private final TopologyRepository repository;
    private final InstanceDirectory directory;
    private final ParentAssignment parents;

    public ReparentOrphan(TopologyRepository repository, InstanceDirectory directory, ParentAssignment parents) {
        this.repository = repository;
        this.directory = directory;
        this.parents = parents;
    }

    public RootMessage execute(OrphanReport request) {
        String service = request.service();
        Optional<TreeNode> found = repository.node(service, request.nodeId());
        if (found.isEmpty()) {
            return ControlErrors.missing(repository, service, request.nodeId());
        }
        TreeNode node = found.get();
        if (node.parentId().equals(request.deadParentId())) {
            repository.node(service, request.deadParentId()).filter(TreeNode::live).ifPresent(dead -> {
                repository.saveNode(dead.withLive(false));
                directory.setLive(service, dead.nodeId(), false);
            });
        } else if (node.isTop()) {
            return new Registered(service, node.nodeId(), Optional.empty());
        } else {
            Optional<TreeNode> current = repository.node(service, node.parentId()).filter(TreeNode::live);
            if (current.isPresent()) {
                return new Registered(service, node.nodeId(), current.map(TreeNode::info));
            }
        }
        Set<String> excluded = new HashSet<>(parents.subtree(service, node.nodeId()));
        excluded.add(request.deadParentId());
        if (!node.isTop()) {
            excluded.add(node.parentId());
        }
        Optional<TreeNode> parent = parents.nearest(service, node.info().position(), excluded);
        repository.saveNode(node.withParent(parent.map(TreeNode::nodeId).orElse(TreeNode.NO_PARENT)));
        return new Registered(service, node.nodeId(), parent.map(TreeNode::info));
    }
}
