package dev.tendril.root.application;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.ConditionalSignOff;
import dev.tendril.protocol.message.RootMessage.SignOff;
import dev.tendril.protocol.message.RootMessage.SignOffDecision;
import dev.tendril.root.application.port.out.TopologyRepository;
import dev.tendril.root.domain.TreeNode;

import java.util.Optional;

/**
 * An idle instance asks to leave: granted only if at least {@code minInstances} live
 * instances remain without it, and then carried out as a {@link SignOffInstance} (children
 * re-parented, migrations to it dropped, DNS stops answering it). Check and sign-off run in
 * one step of the root's single writer inside one transaction (see {@link GroupCommitter}),
 * so instances asking at the same moment are decided one after the other, each seeing the
 * previous ones gone: the live count can never be taken below the minimum by leaving. A
 * refusal writes nothing. A node the tree does not hold (already signed off: a retry) is
 * granted: leaving changes nothing.
 */
public final class ConditionalSignOffInstance {
    private final TopologyRepository repository;
    private final SignOffInstance signOff;

    public ConditionalSignOffInstance(TopologyRepository repository, SignOffInstance signOff) {
        this.repository = repository;
        this.signOff = signOff;
    }

    public RootMessage execute(ConditionalSignOff request) {
        String service = request.service();
        String nodeId = request.nodeId();
        int min = request.minInstances();
        int live = (int) repository.nodes(service).stream().filter(TreeNode::live).count();
        Optional<TreeNode> node = repository.node(service, nodeId);
        if (node.isEmpty()) {
            return new SignOffDecision(service, nodeId, true, live, min);
        }
        int without = node.get().live() ? live - 1 : live;
        if (without < min) {
            return new SignOffDecision(service, nodeId, false, live, min);
        }
        signOff.execute(new SignOff(service, nodeId));
        return new SignOffDecision(service, nodeId, true, without, min);
    }
}
