package dev.tendril.root.bootstrap;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.root.adapter.out.sqlite.SpatialiteTopologyRepository;
import dev.tendril.root.domain.TreeNode;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Times the parent search alone (no transport, no writes): {@code nearestLiveWithRoom} on an
 * existing topology database, for seeded random points (same mix as {@link ControlLoad}).
 * Usage: NearestBench &lt;topology.db&gt; &lt;service&gt; &lt;fanOut&gt; &lt;queries&gt;
 */
public final class NearestBench {
    private NearestBench() {
    }

    public static void main(String[] args) {
        Path db = Path.of(args[0]);
        String service = args[1];
        int fanOut = Integer.parseInt(args[2]);
        int queries = Integer.parseInt(args[3]);
        try (SpatialiteTopologyRepository repo = SpatialiteTopologyRepository.open(db, SpatialiteTopologyRepository.Sync.NORMAL)) {
            int nodes = repo.nodes(service).size();
            SplittableRandom random = new SplittableRandom(7);
            for (int round = 0; round < 2; round++) { // the first round warms up the JIT and the page cache
                long found = 0;
                long t0 = System.nanoTime();
                for (int i = 0; i < queries; i++) {
                    Optional<TreeNode> n = repo.nearestLiveWithRoom(service, ControlLoad.position(random), fanOut, Set.of());
                    found += n.isPresent() ? 1 : 0;
                }
                long t1 = System.nanoTime();
                System.out.printf(Locale.ROOT, "%s: %,d nearest-with-room queries on %,d nodes (fan-out %d): %.1f us each, %,.0f/s, %d found%n",
                        round == 0 ? "warm-up" : "measured", queries, nodes, fanOut, (t1 - t0) / 1e3 / queries,
                        queries / ((t1 - t0) / 1e9), found);
            }
        }
    }
}
