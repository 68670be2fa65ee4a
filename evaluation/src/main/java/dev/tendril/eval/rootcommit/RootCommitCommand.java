package dev.tendril.eval.rootcommit;

import dev.tendril.eval.report.Percentiles;
import dev.tendril.eval.report.TextTable;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.root.adapter.out.sqlite.SpatialiteTopologyRepository;
import dev.tendril.root.application.CreateServiceTree;
import dev.tendril.root.application.ParentAssignment;
import dev.tendril.root.application.RecordClientMigration;
import dev.tendril.root.application.RegisterInstance;
import dev.tendril.root.domain.SpatialInstanceDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * What the simulation leaves out of time-to-migrate: the root recording a migration durably.
 * Times RecordClientMigration inside a SpatiaLite transaction (one request per commit, the
 * worst case of the root's group commit) in a temporary database holding a tree of N nodes.
 */
@Command(name = "root-commit", mixinStandardHelpOptions = true,
        description = "Latency of one durable migration record at the root (SpatiaLite, FULL and NORMAL sync).")
public final class RootCommitCommand implements Callable<Integer> {
    @Option(names = "--nodes", defaultValue = "1000")
    int nodes;

    @Option(names = "--records", defaultValue = "200")
    int records;

    @Override
    public Integer call() throws Exception {
        TextTable t = new TextTable("sync", "tree nodes", "records", "p1 ms", "p50 ms", "p75 ms", "p90 ms", "p99 ms");
        for (SpatialiteTopologyRepository.Sync sync : SpatialiteTopologyRepository.Sync.values()) {
            Percentiles p = measure(sync);
            t.row(sync, nodes, p.count(), p.p1(), p.p50(), p.p75(), p.p90(), p.p99());
        }
        System.out.print(t);
        return 0;
    }

    private Percentiles measure(SpatialiteTopologyRepository.Sync sync) throws Exception {
        Path dir = Files.createTempDirectory("tendril-root-commit");
        try (SpatialiteTopologyRepository repo = SpatialiteTopologyRepository.open(dir.resolve("topology.db"), sync)) {
            Clock clock = Clock.systemUTC();
            SpatialInstanceDirectory directory = new SpatialInstanceDirectory(clock);
            SplittableRandom r = new SplittableRandom(1);
            var register = new RegisterInstance(repo, directory, new ParentAssignment(repo, 4), clock);
            repo.inTransaction(() -> {
                new CreateServiceTree(repo, directory, clock).execute(new RootMessage.CreateTree("web", node(0, r)));
                for (int i = 1; i < nodes; i++) {
                    register.execute(new RootMessage.RegisterNode("web", node(i, r)));
                }
                return null;
            });
            var record = new RecordClientMigration(repo, directory, clock);
            double[] ms = new double[records];
            for (int i = 0; i < records; i++) {
                String client = "100.64." + (i / 250) + "." + (i % 250 + 1);
                String target = String.format("n%06d", r.nextInt(nodes));
                long t0 = System.nanoTime();
                RootMessage reply = repo.inTransaction(() -> record.execute(
                        new RootMessage.RecordMigration("web", List.of(client), target, 600_000)));
                ms[i] = (System.nanoTime() - t0) / 1e6;
                if (!(reply instanceof RootMessage.Ack)) {
                    throw new IllegalStateException("root refused: " + reply);
                }
            }
            return Percentiles.of(ms);
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static NodeInfo node(int i, SplittableRandom r) {
        return new NodeInfo(String.format("n%06d", i), "10.1." + (i >> 8 & 255) + "." + (i & 255),
                new GeoPoint(36 + r.nextDouble() * 24, -10 + r.nextDouble() * 40), List.of(), 7400);
    }
}
