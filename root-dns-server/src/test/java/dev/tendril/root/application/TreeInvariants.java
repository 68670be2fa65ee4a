package dev.tendril.root.application;

import dev.tendril.root.application.port.out.TopologyRepository;
import dev.tendril.root.domain.TreeNode;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/** Checks a stored tree: parents exist, no cycles, counts match, fan-out held. */
final class TreeInvariants {
    private TreeInvariants() {
    }

    static void check(TopologyRepository repo, String service, int fanOut) {
        Map<String, TreeNode> nodes = repo.nodes(service).stream().collect(Collectors.toMap(TreeNode::nodeId, Function.identity()));
        for (TreeNode n : nodes.values()) {
            if (!n.isTop()) {
                assertTrue(nodes.containsKey(n.parentId()), n.nodeId() + " points at missing parent " + n.parentId());
            }
            Set<String> seen = new HashSet<>();
            TreeNode cur = n;
            while (!cur.isTop()) {
                assertTrue(seen.add(cur.nodeId()), "cycle through " + n.nodeId());
                cur = nodes.get(cur.parentId());
            }
            long children = nodes.values().stream().filter(c -> c.parentId().equals(n.nodeId())).count();
            assertEquals(children, repo.childCount(service, n.nodeId()), "child count of " + n.nodeId());
            assertTrue(children <= fanOut, n.nodeId() + " has " + children + " children, fan-out " + fanOut);
        }
    }
}
