package dev.tendril.eval.sim;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.root.domain.TreeNode;
import org.junit.jupiter.api.Test;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IndexedTopologyRepositoryTest {
    private static TreeNode node(String id, GeoPoint p, String parent) {
        return new TreeNode("web", new NodeInfo(id, "10.0.0.1", p, List.of(), 7400), parent, true, 0);
    }

    @Test
    void nearestWithRoomMatchesABruteForceScanAnywhereOnEarth() {
        IndexedTopologyRepository repo = new IndexedTopologyRepository();
        repo.createTree("web", 0);
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < 3000; i++) {
            GeoPoint p = new GeoPoint(r.nextDouble(-85, 85), r.nextDouble(-180, 180));
            String parent = i == 0 ? TreeNode.NO_PARENT : repo.nearestLiveWithRoom("web", p, 3, Set.of()).orElseThrow().nodeId();
            repo.saveNode(node(String.format("n%05d", i), p, parent));
        }
        for (int q = 0; q < 300; q++) {
            GeoPoint p = new GeoPoint(r.nextDouble(-90, 90), r.nextDouble(-180, 180));
            Set<String> excluded = Set.of(String.format("n%05d", r.nextInt(3000)));
            Optional<TreeNode> expected = repo.nodes("web").stream()
                    .filter(n -> !excluded.contains(n.nodeId()) && repo.childCount("web", n.nodeId()) < 3)
                    .min(Comparator.comparingDouble((TreeNode n) -> p.distanceKm(n.info().position())).thenComparing(TreeNode::nodeId));
            assertEquals(expected.map(TreeNode::nodeId), repo.nearestLiveWithRoom("web", p, 3, excluded).map(TreeNode::nodeId));
        }
        assertTrue(repo.nodes("web").stream().allMatch(n -> repo.childCount("web", n.nodeId()) <= 3));
    }

    @Test
    void movingANodeUpdatesChildrenAndIndex() {
        IndexedTopologyRepository repo = new IndexedTopologyRepository();
        repo.createTree("web", 0);
        repo.saveNode(node("a", new GeoPoint(48, 11), ""));
        repo.saveNode(node("b", new GeoPoint(52, 13), ""));
        repo.saveNode(node("c", new GeoPoint(48.1, 11.1), "a"));
        assertEquals(1, repo.childCount("web", "a"));
        repo.saveNode(node("c", new GeoPoint(52.1, 13.1), "b"));
        assertEquals(0, repo.childCount("web", "a"));
        assertEquals(List.of("c"), repo.children("web", "b").stream().map(TreeNode::nodeId).toList());
        assertEquals("c", repo.nearestLiveWithRoom("web", new GeoPoint(52.1, 13.1), 4, Set.of()).orElseThrow().nodeId());
        assertTrue(repo.removeNode("web", "c"));
        assertEquals("b", repo.nearestLiveWithRoom("web", new GeoPoint(52.1, 13.1), 4, Set.of()).orElseThrow().nodeId());
    }
}
