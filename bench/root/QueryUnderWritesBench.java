import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.root.adapter.out.sqlite.SpatialiteTopologyRepository;
import dev.tendril.root.application.ControlDispatcher;
import dev.tendril.root.application.DeferredDirectory;
import dev.tendril.root.application.GroupCommitter;
import dev.tendril.root.application.PurgeExpiredMigrations;
import dev.tendril.root.domain.SpatialInstanceDirectory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * How long a root query (a replica's MembershipQuery) takes while other nodes' registrations
 * keep the writer busy: the root's writer with its SQLite store (FULL sync, a temporary file),
 * in one process, no network. Writers mark nodes of a 200-node tree down and up again, back
 * to back (each a durable change: a row written and fsynced, DNS updated); one reader sends a MembershipQuery every 5 ms and times it.
 * Prints the query's p50/p90/p99 and the changes committed per second. See bench/root/run.sh.
 */
public final class QueryUnderWritesBench {
    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int writers = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        Path dir = Files.createTempDirectory("tendril-query-bench");
        Path file = dir.resolve("topology.db");
        Clock clock = Clock.systemUTC();
        SpatialiteTopologyRepository repo = SpatialiteTopologyRepository.open(file, SpatialiteTopologyRepository.Sync.FULL);
        DeferredDirectory deferred = new DeferredDirectory();
        ControlDispatcher dispatcher = new ControlDispatcher(repo, deferred, clock, 4, ControlDispatcher::noResolver);
        GroupCommitter root = new GroupCommitter("bench", repo, deferred, new SpatialInstanceDirectory(clock), dispatcher,
                new PurgeExpiredMigrations(repo, deferred, clock), Duration.ofHours(1), 512).start();
        int nodes = 200;
        List<NodeInfo> infos = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            infos.add(new NodeInfo("n" + i, "10.0." + (i / 250) + "." + (i % 250 + 1),
                    new GeoPoint(48.0 + (i % 20) * 0.01, 11.4 + (i / 20) * 0.03), List.of(), 7400));
        }
        root.handle(new RootMessage.CreateTree("web", infos.get(0)));
        for (int i = 1; i < nodes; i++) {
            root.handle(new RootMessage.RegisterNode("web", infos.get(i)));
        }
        AtomicBoolean running = new AtomicBoolean(true);
        LongAdder changes = new LongAdder();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int first = w;
            Thread t = new Thread(() -> {
                for (int i = first; running.get(); i += writers) {
                    // a node goes down, and up again on the next pass: each a real change (a row written, DNS updated)
                    int n = 8 + i % (nodes - 8); // n0-n7 stay as they are (the query is about n7's tree)
                    boolean live = (i / (nodes - 8)) % 2 == 1;
                    root.handle(new RootMessage.NodeState("web", infos.get(n).nodeId(), live));
                    changes.increment();
                }
            }, "writer-" + w);
            t.start();
            threads.add(t);
        }
        Thread.sleep(2_000); // warm-up: JIT, SQLite's caches
        changes.reset();
        List<Double> millis = new ArrayList<>();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        RootMessage.MembershipQuery query = new RootMessage.MembershipQuery("web", "n7", Optional.of(new GeoPoint(48.1, 11.5)), 3);
        while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            RootMessage reply = root.handle(query);
            millis.add((System.nanoTime() - t0) / 1e6);
            if (!(reply instanceof RootMessage.Membership)) {
                throw new IllegalStateException("unexpected reply " + reply);
            }
            Thread.sleep(5);
        }
        double perSecond = changes.sum() / (double) seconds;
        running.set(false);
        for (Thread t : threads) {
            t.join();
        }
        root.close();
        Collections.sort(millis);
        System.out.printf("queries %d, MembershipQuery p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms; "
                        + "changes committed %.0f/s (%d writers)%n", millis.size(), pct(millis, 50), pct(millis, 90),
                pct(millis, 99), millis.get(millis.size() - 1), perSecond, writers);
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }

    private static double pct(List<Double> sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }
}
