package dev.tendril.root.bootstrap;

import dev.tendril.protocol.message.EnvelopeFactory;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.CreateTree;
import dev.tendril.protocol.message.RootMessage.RecordMigration;
import dev.tendril.protocol.message.RootMessage.RegisterNode;
import dev.tendril.protocol.transport.LeaderFollower;
import dev.tendril.protocol.transport.PipelinedClient;
import dev.tendril.protocol.transport.RequestResult;
import dev.tendril.root.bootstrap.DemoRegistration.City;
import dev.tendril.root.testing.RootCluster;
import dev.tendril.root.testing.RootCluster.Member;
import dev.tendril.root.testing.RootProcessHandle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * DNS answers/s of one root of a replicated group while writes are replicated, against a single
 * root, in the same run (benchmark mode, not CI): dnsperf alternates between the two in rounds
 * (8 clients, ECS from the demo GeoIP ranges) while W writer threads stream RecordMigration
 * through the group's leader. The group's root measured is a follower (it applies every entry).
 * The writers keep writing while the single root is measured too, so both measurements share
 * the machine with the group's work; the ratio shows what replication costs inside the
 * follower's own process. With {@code writesPerSecond} > 0 the writers together are paced to
 * that rate (else they write as fast as commits come back). With {@code together}, each round
 * runs the two dnsperf at the same time (one against each root), so both share the same
 * moment of a busy machine; the ratio is then less at the mercy of other loads coming and
 * going between two windows.
 * {@code java -cp <root-dns-server test classpath> dev.tendril.root.bootstrap.ReplicatedDnsBench [rounds] [seconds] [writers] [writesPerSecond] [together]}
 */
public final class ReplicatedDnsBench {
    private static final Pattern QPS = Pattern.compile("Queries per second:\\s+([0-9.]+)");

    private ReplicatedDnsBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int writers = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        int writesPerSecond = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        boolean together = args.length > 4 && args[4].equals("together");
        long interval = writesPerSecond > 0 ? 1_000_000_000L / writesPerSecond : 0;
        AtomicLong nextSlot = new AtomicLong(System.nanoTime());
        Path dir = Files.createTempDirectory("replicated-dns-bench");
        Path queries = dir.resolve("queries");
        Files.writeString(queries, "web.svc.example.edge A\n");
        List<City> cities = DemoRegistration.CITIES;
        try (RootCluster cluster = RootCluster.configureForBench(dir, 3);
             RootProcessHandle single = RootProcessHandle.start(dir, dir.resolve("single.db"));
             PipelinedClient client = new PipelinedClient("dns-bench");
             ControlCalls singleControl = new ControlCalls(single.controlEndpoint(), "dns-bench")) {
            cluster.startAll();
            LeaderFollower group = RootCluster.leaderFollower(client, cluster.members(), Duration.ofSeconds(30),
                    Duration.ofMillis(500));
            EnvelopeFactory envelopes = new EnvelopeFactory("dns-bench", Clock.systemUTC(), new SplittableRandom(5));
            group.request(() -> envelopes.create("web", new CreateTree("web", cities.get(0).info())));
            singleControl.call(new CreateTree("web", cities.get(0).info()));
            for (City c : cities.subList(1, cities.size())) {
                group.request(() -> envelopes.create("web", new RegisterNode("web", c.info())));
                singleControl.call(new RegisterNode("web", c.info()));
            }
            Member leader = cluster.byControl(group.preferredEndpoint());
            Member follower = cluster.members().stream().filter(m -> m != leader).findFirst().orElseThrow();

            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong acks = new AtomicLong();
            AtomicLong sequence = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < writers; t++) {
                Thread w = new Thread(() -> {
                    while (!stop.get()) {
                        if (interval > 0) { // pacing: each write takes the next slot of the rate
                            long slot = nextSlot.getAndAdd(interval);
                            long wait = slot - System.nanoTime();
                            if (wait > 0) {
                                java.util.concurrent.locks.LockSupport.parkNanos(wait);
                            } else if (wait < -1_000_000_000L) {
                                nextSlot.compareAndSet(slot + interval, System.nanoTime()); // fell behind: no burst to catch up
                            }
                        }
                        long s = sequence.incrementAndGet();
                        String subnet = "10." + (s >> 16 & 0xff) + "." + (s >> 8 & 0xff) + "." + (s & 0xff) + "/32";
                        RequestResult r = group.request(() -> envelopes.create("web",
                                new RecordMigration("web", List.of(subnet), cities.get(1).nodeId(), 600_000)));
                        if (r instanceof RequestResult.Reply reply && reply.envelope().body() instanceof RootMessage.Ack) {
                            acks.incrementAndGet();
                        }
                    }
                }, "writer-" + t);
                w.setDaemon(true);
                w.start();
                threads.add(w);
            }
            dnsperf(single.dnsPort(), queries, 3); // warm-up of both JITs
            dnsperf(follower.handle().dnsPort(), queries, 3);
            for (int r = 1; r <= rounds; r++) {
                long a0 = acks.get();
                long t0 = System.nanoTime();
                double replicated;
                double alone;
                double writes;
                if (together) {
                    var both = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        try {
                            return dnsperf(single.dnsPort(), queries, seconds);
                        } catch (IOException | InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    replicated = dnsperf(follower.handle().dnsPort(), queries, seconds);
                    writes = (acks.get() - a0) * 1e9 / (System.nanoTime() - t0);
                    alone = both.join();
                } else {
                    replicated = dnsperf(follower.handle().dnsPort(), queries, seconds);
                    writes = (acks.get() - a0) * 1e9 / (System.nanoTime() - t0);
                    alone = dnsperf(single.dnsPort(), queries, seconds);
                }
                System.out.printf("round %d: follower %s of 3 roots %.0f answers/s (while %.0f writes/s replicate), "
                                + "single root %.0f answers/s; ratio %.2f; load %s%n", r, follower.id, replicated, writes, alone,
                        replicated / alone, Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
            }
            stop.set(true);
            for (Thread t : threads) {
                t.join(30_000);
            }
        }
    }

    private static double dnsperf(int port, Path queries, int seconds) throws IOException, InterruptedException {
        return dnsperf(port, queries, seconds, 0);
    }

    /** Answers/s of dnsperf (8 clients, ECS) for {@code seconds}; {@code qps} > 0 caps the rate sent. */
    static double dnsperf(int port, Path queries, int seconds, int qps) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("dnsperf", "-s", "127.0.0.1", "-p", Integer.toString(port), "-d",
                queries.toString(), "-l", Integer.toString(seconds), "-c", "8", "-E", "8:00011800c61200"));
        if (qps > 0) {
            cmd.addAll(List.of("-Q", Integer.toString(qps)));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(seconds + 30L, TimeUnit.SECONDS);
        Matcher m = QPS.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("dnsperf printed no rate:\n" + out);
        }
        return Double.parseDouble(m.group(1));
    }
}
