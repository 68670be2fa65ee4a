package dev.tendril.root.application;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.Ack;
import dev.tendril.protocol.message.RootMessage.NodeState;
import dev.tendril.root.application.port.out.TopologyRepository;
import dev.tendril.root.domain.InstanceDirectory;
import dev.tendril.root.domain.TreeNode;

import java.util.Optional;

/** Marks a node down (DNS stops answering it; it is no parent candidate) or up again. Idempotent. */
public final class ChangeInstanceState {
    private final TopologyRepository repository;
    private final InstanceDirectory directory;

    public ChangeInstanceState(TopologyRepository repository, InstanceDirectory directory) {
        this.repository = repository;
        this.directory = directory;
    }

    public RootMessage execute(NodeState request) {
        Optional<TreeNode> node = repository.node(request.service(), request.nodeId());
        if (node.isEmpty()) {
            return ControlErrors.missing(repository, request.service(), request.nodeId());
        }
        if (node.get().live() != request.live()) {
            repository.saveNode(node.get().withLive(request.live()));
            directory.setLive(request.service(), request.nodeId(), request.live());
        }
        return new Ack();
    }
}
