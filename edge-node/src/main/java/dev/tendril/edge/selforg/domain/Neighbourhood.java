package dev.tendril.edge.selforg.domain;

import dev.tendril.protocol.grid.CapacityGrid;
import dev.tendril.protocol.grid.GridPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.SelfOrgMessage.SiblingGrid;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a node knows of its neighbourhood in one service tree: the grid each child last
 * reported for its subtree, and what the parent last told it (the parent's own point and
 * the siblings' grids). Stale entries are left out of queries. Not thread-safe.
 */
public final class Neighbourhood {
    /** A child's subtree grid as last reported. */
    public record ChildGrid(NodeInfo node, CapacityGrid grid, Instant at) {
    }

    private final Map<String, ChildGrid> children = new TreeMap<>();
    private String parentId = "";
    private GridPoint parentPoint;
    private List<SiblingGrid> siblings = List.of();
    private Instant neighboursAt = Instant.MIN;

    public void putChild(NodeInfo node, CapacityGrid grid, Instant at) {
        children.put(node.nodeId(), new ChildGrid(node, grid, at));
    }

    /** Forgets children that are no longer attached. */
    public void retainChildren(Set<String> ids) {
        children.keySet().retainAll(ids);
    }

    public List<ChildGrid> freshChildren(Instant now, Duration staleAfter) {
        List<ChildGrid> out = new ArrayList<>();
        for (ChildGrid c : children.values()) {
            if (!c.at().plus(staleAfter).isBefore(now)) {
                out.add(c);
            }
        }
        return out;
    }

    public void putNeighbours(String fromParent, GridPoint point, List<SiblingGrid> grids, Instant at) {
        parentId = fromParent;
        parentPoint = point;
        siblings = List.copyOf(grids);
        neighboursAt = at;
    }

    private boolean neighboursFresh(Instant now, Duration staleAfter, String currentParentId) {
        return parentPoint != null && parentId.equals(currentParentId) && !neighboursAt.plus(staleAfter).isBefore(now);
    }

    public List<SiblingGrid> freshSiblings(Instant now, Duration staleAfter, String currentParentId) {
        return neighboursFresh(now, staleAfter, currentParentId) ? siblings : List.of();
    }

    /** A sibling the parent last told of, fresh or not (to send a search back to it). */
    public Optional<NodeInfo> sibling(String nodeId) {
        return siblings.stream().map(SiblingGrid::node).filter(n -> n.nodeId().equals(nodeId)).findFirst();
    }

    public Optional<GridPoint> parentPoint(Instant now, Duration staleAfter, String currentParentId) {
        return neighboursFresh(now, staleAfter, currentParentId) ? Optional.of(parentPoint) : Optional.empty();
    }
}
