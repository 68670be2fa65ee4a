package dev.tendril.root.adapter.out.sqlite;

import dev.tendril.protocol.net.Cidr;
import dev.tendril.root.domain.Migration;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the repository's statements cost per new migration record, without the disk: records for new
 * /32s saved 64 to a transaction (as the group committer batches them) into a fresh database with
 * {@code store.sync: NORMAL}, a warm-up of the same size first; prints wall and thread CPU per
 * record. Run: {@code java -cp <test-classes>:<classes>:<test classpath>
 * dev.tendril.root.adapter.out.sqlite.MigrationSaveBench [transactions]} (default 1,000).
 */
public final class MigrationSaveBench {
    private static final int PER_TRANSACTION = 64;

    private MigrationSaveBench() {
    }

    public static void main(String[] args) throws Exception {
        int transactions = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
        Path dir = Files.createTempDirectory("migration-save-bench");
        SpatialiteTopologyRepository repo = SpatialiteTopologyRepository.open(dir.resolve("topology.db"),
                SpatialiteTopologyRepository.Sync.NORMAL);
        repo.inTransaction(() -> {
            repo.createTree("web", 1);
            return null;
        });
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int next = 0;
        for (String phase : new String[] {"warm-up", "measured"}) {
            long wall = System.nanoTime();
            long cpu = threads.getCurrentThreadCpuTime();
            for (int t = 0; t < transactions; t++) {
                int first = next;
                next += PER_TRANSACTION;
                repo.inTransaction(() -> {
                    for (int i = first; i < first + PER_TRANSACTION; i++) {
                        Cidr client = Cidr.parse("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255) + "/32");
                        repo.saveMigration(new Migration("web", client, "a", 1, 1_000_000));
                    }
                    return null;
                });
            }
            int records = transactions * PER_TRANSACTION;
            System.out.printf("%s: %d new records, %.2f us wall, %.2f us thread CPU per record%n", phase, records,
                    (System.nanoTime() - wall) / 1e3 / records, (threads.getCurrentThreadCpuTime() - cpu) / 1e3 / records);
        }
        repo.close();
    }
}
