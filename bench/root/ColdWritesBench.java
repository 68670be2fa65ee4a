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

/**
 * The root's rare writes as a root meets them: a new node's registration and a migration's
 * record, 60 of each, 20 ms apart, on the root's writer and SQLite store (FULL sync, a
 * temporary file) in a fresh JVM, after {@code ROUNDS} rounds of the warm-up's change rehearsal
 * ({@link RootWarmUp#rehearseChanges}; 0: none, the cold root). Prints the medians of the last
 * 50 of each. In the package of {@link RootWarmUp} to call it. See bench/root/cold-writes.sh.
 */
public final class ColdWritesBench {
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        long t0 = System.nanoTime();
        int done = rounds > 0 ? RootWarmUp.rehearseChanges(rounds, 4, () -> false) : 0;
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        Path dir = Files.createTempDirectory("tendril-cold-writes");
        try (SpatialiteTopologyRepository repo = SpatialiteTopologyRepository.open(dir.resolve("topology.db"),
                SpatialiteTopologyRepository.Sync.FULL);
             GroupCommitter root = RootWarmUp.writerOver("bench", repo, 4, 512).start()) {
            root.handle(new RootMessage.CreateTree("web", node(0)));
            int n = 60;
            double[] register = new double[n];
            double[] migration = new double[n];
            for (int i = 1; i <= n; i++) {
                long s = System.nanoTime();
                expect(root.handle(new RootMessage.RegisterNode("web", node(i))), RootMessage.Registered.class);
                register[i - 1] = (System.nanoTime() - s) / 1e6;
                Thread.sleep(20);
                s = System.nanoTime();
                expect(root.handle(new RootMessage.RecordMigration("web", List.of("198.51." + i + ".0/24"), "n" + i, 60_000)),
                        RootMessage.Ack.class);
                migration[i - 1] = (System.nanoTime() - s) / 1e6;
                Thread.sleep(20);
            }
            System.out.printf("rehearsal: %d rounds in %d ms | new node: %s | migration record: %s%n", done, tookMs,
                    quantiles(register), quantiles(migration));
        } finally {
            RootWarmUp.deleteScratch(dir);
        }
    }

    private static NodeInfo node(int i) {
        return new NodeInfo("n" + i, "10.0." + (i / 250) + "." + (i % 250 + 1),
                new GeoPoint(48.0 + (i % 20) * 0.01, 11.4 + (i / 20) * 0.03), List.of(), 7400);
    }

    private static void expect(RootMessage reply, Class<? extends RootMessage> type) {
        if (!type.isInstance(reply)) {
            throw new IllegalStateException("answered " + reply + ", not " + type.getSimpleName());
        }
    }

    /** p10 / p50 / p90 of the last 50 (the first 10 are the JVM's very first calls). */
    private static String quantiles(double[] v) {
        double[] w = Arrays.copyOfRange(v, 10, v.length);
        Arrays.sort(w);
        return String.format(java.util.Locale.ROOT, "p10 %.2f p50 %.2f p90 %.2f ms", w[w.length / 10], w[w.length / 2],
                w[w.length * 9 / 10]);
    }
}
