package dev.tendril.root.application;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.RootMessage.NodeState;
import dev.tendril.protocol.message.RootMessage.OrphanReport;
import dev.tendril.protocol.message.RootMessage.RegisterNode;
import dev.tendril.protocol.message.RootMessage.SignOff;
import dev.tendril.root.domain.TreeNode;
import dev.tendril.root.testing.ControlHarness;
import dev.tendril.root.testing.RecordingDirectory.Instance;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static dev.tendril.root.testing.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Random sequences of registrations, sign-offs, orphan reports and state changes: after each
 * step the stored tree is a forest without cycles within the fan-out, and DNS's directory
 * holds exactly the stored nodes with the stored states.
 */
class ControlInvariantsTest {

    @Test
    void randomOperationsKeepTheTreeAndTheDirectoryConsistent() {
        for (long seed = 1; seed <= 20; seed++) {
            run(seed);
        }
    }

    private void run(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int fanOut = 1 + random.nextInt(3);
        ControlHarness root = new ControlHarness(fanOut);
        root.createTree("web", "n0", BERLIN);
        for (int step = 0; step < 150; step++) {
            String id = "n" + random.nextInt(25);
            GeoPoint where = new GeoPoint(random.nextDouble(-60, 60), random.nextDouble(-180, 180));
            List<TreeNode> nodes = root.repository.nodes("web");
            switch (random.nextInt(6)) {
                case 0, 1 -> root.send(new RegisterNode("web", info(id, where)));
                case 2 -> root.send(new SignOff("web", id));
                case 3 -> root.send(new NodeState("web", id, random.nextBoolean()));
                default -> {
                    if (!nodes.isEmpty()) {
                        TreeNode n = nodes.get(random.nextInt(nodes.size()));
                        String dead = n.isTop() || random.nextInt(4) == 0 ? "n" + random.nextInt(25) : n.parentId();
                        if (!dead.equals(n.nodeId())) {
                            root.send(new OrphanReport("web", n.nodeId(), dead));
                        }
                    }
                }
            }
            String context = "seed " + seed + " step " + step;
            try {
                TreeInvariants.check(root.repository, "web", fanOut);
            } catch (AssertionError e) {
                throw new AssertionError(context + ": " + e.getMessage(), e);
            }
            Map<String, Instance> dns = root.directory.instances("web");
            List<TreeNode> stored = root.repository.nodes("web");
            assertEquals(stored.size(), dns.size(), context);
            for (TreeNode n : stored) {
                assertEquals(new Instance(n.info(), n.live()), dns.get(n.nodeId()), context + " node " + n.nodeId());
            }
        }
    }
}
