package dev.tendril.root.bootstrap;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.root.adapter.out.sqlite.SpatialiteTopologyRepository;
import dev.tendril.root.application.GroupCommitter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What a new node's registration costs the root's writer without the disk: a tree of {@code BASE}
 * nodes spread over the world's cities (topology D has 30), then {@code N} replicas, each registered
 * near a city (timed: the writer's two hand-offs, its statements, an unsynced commit, the directory)
 * and signed off again (not timed), so every timed registration meets the same tree. The store runs
 * with {@code store.sync: NORMAL}: the fsync that FULL adds (~1 ms here) is the disk's, the same for
 * any statements. Prints p10 / p50 / p90 of the registrations after the first 500 (wall time, with the
 * hand-offs' wake-ups), and the writer thread's CPU time per registration and sign-off over all of them
 * (the steadier figure for an A/B). In the package of
 * {@link RootWarmUp} to use its writer. See bench/root/registrations.sh.
 */
public final class RegistrationBench {
    private static final double[][] CITIES = {
        {48.14, 11.58}, {52.52, 13.40}, {51.51, -0.13}, {48.86, 2.35}, {40.42, -3.70}, {41.90, 12.50},
        {59.33, 18.07}, {52.23, 21.01}, {40.71, -74.01}, {41.88, -87.63}, {34.05, -118.24}, {47.61, -122.33},
        {43.65, -79.38}, {19.43, -99.13}, {-23.55, -46.63}, {-34.60, -58.38}, {35.68, 139.69}, {37.57, 126.98},
        {31.23, 121.47}, {22.32, 114.17}, {1.35, 103.82}, {28.61, 77.21}, {19.08, 72.88}, {25.20, 55.27},
        {-33.87, 151.21}, {-37.81, 144.96}, {-33.92, 18.42}, {30.04, 31.24}, {6.52, 3.38}, {55.76, 37.62},
    };

    private RegistrationBench() {
    }

    public static void main(String[] args) throws Exception {
        int base = args.length > 0 ? Integer.parseInt(args[0]) : CITIES.length;
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 3_000;
        Path dir = Files.createTempDirectory("tendril-registrations");
        try (SpatialiteTopologyRepository repo = SpatialiteTopologyRepository.open(dir.resolve("topology.db"),
                SpatialiteTopologyRepository.Sync.NORMAL);
             GroupCommitter root = RootWarmUp.writerOver("bench", repo, 4, 512).start()) {
            expect(root.handle(new RootMessage.CreateTree("web", node("b0", 0, 0))), RootMessage.Registered.class);
            for (int i = 1; i < base; i++) {
                expect(root.handle(new RootMessage.RegisterNode("web", node("b" + i, i, i / CITIES.length))),
                        RootMessage.Registered.class);
            }
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long writer = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("root-writer-"))
                    .findFirst().orElseThrow().getId();
            long cpu0 = threads.getThreadCpuTime(writer);
            double[] micros = new double[n];
            for (int i = 0; i < n; i++) {
                NodeInfo replica = node("r" + i, i * 7, 1 + i % 5);
                long s = System.nanoTime();
                expect(root.handle(new RootMessage.RegisterNode("web", replica)), RootMessage.Registered.class);
                micros[i] = (System.nanoTime() - s) / 1e3;
                expect(root.handle(new RootMessage.SignOff("web", replica.nodeId())), RootMessage.Ack.class);
            }
            double cpuPerPair = (threads.getThreadCpuTime(writer) - cpu0) / 1e3 / n;
            double[] w = Arrays.copyOfRange(micros, Math.min(500, n / 2), n);
            Arrays.sort(w);
            System.out.printf(Locale.ROOT, "tree of %d, %d new nodes: registration p10 %.0f p50 %.0f p90 %.0f us; "
                    + "the writer's CPU per registration and sign-off %.0f us%n", base, w.length,
                    w[w.length / 10], w[w.length / 2], w[w.length * 9 / 10], cpuPerPair);
        } finally {
            RootWarmUp.deleteScratch(dir);
        }
    }

    /** A node near city {@code c} (mod the list), {@code ring} steps of ~20 km off it. */
    private static NodeInfo node(String id, int c, int ring) {
        double[] city = CITIES[Math.floorMod(c, CITIES.length)];
        int h = id.hashCode();
        return new NodeInfo(id, "10." + (h >>> 16 & 255) + "." + (h >>> 8 & 255) + "." + (h & 255 | 1),
                new GeoPoint(city[0] + ring * 0.18, city[1] + ring * 0.11), List.of(), 7400);
    }

    private static void expect(RootMessage reply, Class<? extends RootMessage> type) {
        if (!type.isInstance(reply)) {
            throw new IllegalStateException("answered " + reply + ", not " + type.getSimpleName());
        }
    }
}
