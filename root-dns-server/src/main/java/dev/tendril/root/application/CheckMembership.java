package dev.tendril.root.application;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.Membership;
import dev.tendril.protocol.message.RootMessage.MembershipQuery;
import dev.tendril.root.application.port.out.TopologyRepository;
import dev.tendril.root.domain.TreeNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Answers {@link MembershipQuery}: one node's membership (a keyed read) and the likely parents
 * of a node joining at the asked position, the nodes {@link ParentAssignment} would choose,
 * nearest first. Its work does not grow with the tree: two keyed reads, then at most
 * {@link MembershipQuery#MAX_NEAREST} nearest-with-room searches on the repository's spatial
 * index, each excluding the ones found before (the search a registration's parent choice makes;
 * like that one it widens to the whole globe only when no nearer node has room). Read-only.
 */
public final class CheckMembership {
    private final TopologyRepository repository;
    private final ParentAssignment parents;

    public CheckMembership(TopologyRepository repository, ParentAssignment parents) {
        this.repository = repository;
        this.parents = parents;
    }

    /** Not a member (and no likely parents) for an unknown service, as {@link ListTopology#hostedSet} answers it empty. */
    public RootMessage execute(MembershipQuery query) {
        if (!repository.treeExists(query.service())) { // no spatial search for a tree that is not there
            return new Membership(query.service(), query.nodeId(), false, false, List.of());
        }
        Optional<TreeNode> node = repository.node(query.service(), query.nodeId());
        List<String> nearest = query.near().map(near -> likelyParents(query.service(), near, query.nearest()))
                .orElse(List.of());
        return new Membership(query.service(), query.nodeId(), node.isPresent(), node.map(TreeNode::live).orElse(false),
                nearest);
    }

    private List<String> likelyParents(String service, GeoPoint near, int count) {
        List<String> found = new ArrayList<>(count);
        Set<String> excluded = new HashSet<>();
        while (found.size() < count) {
            Optional<TreeNode> next = parents.nearest(service, near, excluded);
            if (next.isEmpty()) {
                break;
            }
            found.add(next.get().nodeId());
            excluded.add(next.get().nodeId());
        }
        return found;
    }
}
