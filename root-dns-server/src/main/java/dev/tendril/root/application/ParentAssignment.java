package dev.tendril.root.application;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.root.application.port.out.TopologyRepository;
import dev.tendril.root.domain.TreeNode;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Parent choice: the geographically nearest live node of the tree that has room for one more
 * child under the fan-out, never one of the excluded nodes. The search runs on the
 * repository's spatial index, so it stays cheap with 100,000 nodes.
 */
public final class ParentAssignment {
    private final TopologyRepository repository;
    private final int fanOut;

    public ParentAssignment(TopologyRepository repository, int fanOut) {
        if (fanOut < 1) {
            throw new IllegalArgumentException("fan-out must be >= 1, got " + fanOut);
        }
        this.repository = repository;
        this.fanOut = fanOut;
    }

    public int fanOut() {
        return fanOut;
    }

    public Optional<TreeNode> nearest(String service, GeoPoint near, Set<String> excluded) {
        return repository.nearestLiveWithRoom(service, near, fanOut, excluded);
    }

    /** The node and everything below it (a parent found there would make a cycle). */
    public Set<String> subtree(String service, String nodeId) {
        Set<String> seen = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>();
        todo.add(nodeId);
        while (!todo.isEmpty()) {
            String id = todo.poll();
            if (seen.add(id)) {
                for (TreeNode child : repository.children(service, id)) {
                    todo.add(child.nodeId());
                }
            }
        }
        return seen;
    }
}
