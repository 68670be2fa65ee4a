package dev.tendril.root.bootstrap;

import dev.tendril.protocol.message.EnvelopeFactory;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.Ack;
import dev.tendril.protocol.message.RootMessage.CreateTree;
import dev.tendril.protocol.message.RootMessage.RecordMigration;
import dev.tendril.protocol.message.RootMessage.RegisterNode;
import dev.tendril.protocol.message.RootMessage.ResolveAnswer;
import dev.tendril.protocol.message.RootMessage.ResolveQuery;
import dev.tendril.protocol.transport.LeaderFollower;
import dev.tendril.protocol.transport.PipelinedClient;
import dev.tendril.protocol.transport.RequestResult;
import dev.tendril.root.bootstrap.DemoRegistration.City;
import dev.tendril.root.testing.Poll;
import dev.tendril.root.testing.RootCluster;
import dev.tendril.root.testing.RootCluster.Member;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Figures of a 3-root Raft group on this machine (benchmark mode, not CI):
 * <ol>
 *   <li>durable migration records/s: W client threads, each with one RecordMigration (one
 *       record) in flight, for a few seconds, for W = 8 and 64;</li>
 *   <li>leader failover: K times, under 8 writers, {@code kill -9} of the leader, the time to
 *       the first acknowledged write after the kill; the killed root is restarted and caught
 *       up before the next kill; p50/p99/max;</li>
 *   <li>apply lag: the roots log it every 10 s (proposal at the leader to apply here); the
 *       last lines of each root's log are printed.</li>
 * </ol>
 * With {@code dnsQps} > 0, dnsperf sends that many queries per second (8 clients, ECS) to the
 * leader's DNS port during each throughput window, and the answered rate is printed beside it.
 * The roots run with the product's control settings ({@link RootCluster#configureForBench}).
 * With {@code warmSeconds} > 0, each window follows that long a run of the same load, unmeasured
 * (a root as shipped spends its first half minute under load mostly in the JIT compiler).
 * {@code java -cp <root-dns-server test classpath> dev.tendril.root.bootstrap.RootClusterBench [kills] [seconds] [dnsQps] [writers,...] [warmSeconds]}
 */
public final class RootClusterBench {
    private static final String SERVICE = "web";

    private RootClusterBench() {
    }

    public static void main(String[] args) throws Exception {
        int kills = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int dnsQps = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        int[] writerCounts = args.length > 3 ? Arrays.stream(args[3].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[] {8, 64};
        int warmSeconds = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        Path dir = Files.createTempDirectory("root-cluster-bench");
        List<City> cities = DemoRegistration.CITIES;
        try (RootCluster cluster = RootCluster.configureForBench(dir, 3);
             PipelinedClient client = new PipelinedClient("bench")) {
            cluster.startAll();
            LeaderFollower group = cluster.leaderFollower(client, Duration.ofSeconds(30));
            EnvelopeFactory envelopes = new EnvelopeFactory("bench", Clock.systemUTC(), new SplittableRandom(3));
            call(group, envelopes, new CreateTree(SERVICE, cities.get(0).info()));
            for (City c : cities.subList(1, cities.size())) {
                call(group, envelopes, new RegisterNode(SERVICE, c.info()));
            }
            AtomicLong sequence = new AtomicLong();

            Path queries = dir.resolve("queries");
            Files.writeString(queries, "web.svc.example.edge A\n");
            for (int writers : writerCounts) {
                AtomicLong acks = new AtomicLong();
                AtomicBoolean stop = new AtomicBoolean();
                List<Thread> threads = writers(writers, group, envelopes, cities, sequence, acks,
                        new AtomicLong(Long.MAX_VALUE), new AtomicLong(), new java.util.concurrent.atomic.AtomicReference<>(""), stop);
                Poll.until(Duration.ofSeconds(90), "first writes", () -> acks.get() > writers);
                Member leader = cluster.byControl(group.preferredEndpoint());
                if (warmSeconds > 0) { // the same load, unmeasured: the JIT compiles the hot paths first
                    if (dnsQps > 0) {
                        ReplicatedDnsBench.dnsperf(leader.handle().dnsPort(), queries, warmSeconds, dnsQps);
                    } else {
                        Thread.sleep(warmSeconds * 1000L);
                    }
                    leader = cluster.byControl(group.preferredEndpoint());
                }
                long a0 = acks.get();
                long t0 = System.nanoTime();
                String dns = "";
                if (dnsQps > 0) {
                    double answered = ReplicatedDnsBench.dnsperf(leader.handle().dnsPort(), queries, seconds, dnsQps);
                    dns = String.format(" while the leader %s answered %.0f DNS queries/s (dnsperf -Q %d)", leader.id, answered, dnsQps);
                } else {
                    Thread.sleep(seconds * 1000L); // a measuring window, not a wait for a condition
                }
                long a1 = acks.get();
                long t1 = System.nanoTime();
                stop.set(true);
                for (Thread t : threads) {
                    t.join(30_000);
                }
                System.out.printf("throughput: %d writers, %.0f acknowledged RecordMigration/s (1 record each, 3 roots, "
                        + "each committed on a majority) over %.1f s%s; load %s%n", writers, (a1 - a0) * 1e9 / (t1 - t0),
                        (t1 - t0) / 1e9, dns, Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
            }
            System.out.println("apply lag after the throughput runs:");
            printLag(cluster);

            AtomicLong acks = new AtomicLong();
            AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
            AtomicLong firstAfterKill = new AtomicLong();
            java.util.concurrent.atomic.AtomicReference<String> deadId = new java.util.concurrent.atomic.AtomicReference<>("");
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> threads = writers(8, group, envelopes, cities, sequence, acks, killedAt, firstAfterKill, deadId, stop);
            long[] failover = new long[kills];
            for (int k = 0; k < kills; k++) {
                long before = acks.get();
                Poll.until(Duration.ofSeconds(60), "100 writes before kill " + k, () -> acks.get() >= before + 100);
                Member leader = cluster.byControl(group.preferredEndpoint());
                firstAfterKill.set(0);
                deadId.set(leader.id);
                killedAt.set(System.nanoTime());
                cluster.kill9(leader);
                Poll.until(Duration.ofSeconds(60), "a write after kill " + k, () -> firstAfterKill.get() != 0);
                failover[k] = (firstAfterKill.get() - killedAt.get()) / 1_000_000;
                killedAt.set(Long.MAX_VALUE);
                System.out.printf("kill %d: leader %s, first acknowledged write after %d ms%n", k + 1, leader.id, failover[k]);
                cluster.start(leader);
                String marker = "10.250." + (k / 250) + "." + (k % 250 + 1);
                String target = cities.get(cities.size() - 1).nodeId();
                call(group, envelopes, new RecordMigration(SERVICE, List.of(marker + "/32"), target, 600_000));
                Poll.until(Duration.ofSeconds(60), leader.id + " catching up after restart " + k,
                        () -> caughtUp(leader, marker, target));
            }
            stop.set(true);
            for (Thread t : threads) {
                t.join(30_000);
            }
            long[] sorted = failover.clone();
            Arrays.sort(sorted);
            if (kills > 0) {
                System.out.printf("failover (kill -9 of the leader -> first acknowledged write), %d kills: p50 %d ms, p99 %d ms, "
                                + "min %d ms, max %d ms; all: %s%n", kills, sorted[(kills - 1) / 2],
                        sorted[(int) Math.ceil(kills * 0.99) - 1], sorted[0], sorted[kills - 1], Arrays.toString(failover));
            }
            System.out.println("apply lag at the end:");
            printLag(cluster);
        }
    }

    private static List<Thread> writers(int n, LeaderFollower group, EnvelopeFactory envelopes, List<City> cities,
                                        AtomicLong sequence, AtomicLong acks, AtomicLong killedAt, AtomicLong firstAfterKill,
                                        java.util.concurrent.atomic.AtomicReference<String> deadId, AtomicBoolean stop) {
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            Thread thread = new Thread(() -> {
                while (!stop.get()) {
                    long s = sequence.incrementAndGet();
                    String subnet = "10." + (s >> 16 & 0xff) + "." + (s >> 8 & 0xff) + "." + (s & 0xff) + "/32";
                    RequestResult r = group.request(() -> envelopes.create(SERVICE, new RecordMigration(SERVICE,
                            List.of(subnet), cities.get(1 + (int) (s % (cities.size() - 1))).nodeId(), 600_000)));
                    if (r instanceof RequestResult.Reply reply && reply.envelope().body() instanceof Ack) {
                        acks.incrementAndGet();
                        long now = System.nanoTime();
                        if (now > killedAt.get() && !reply.envelope().from().equals(deadId.get())) {
                            firstAfterKill.compareAndSet(0, now);
                        }
                    }
                }
            }, "writer-" + t);
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }
        return threads;
    }

    private static boolean caughtUp(Member m, String client, String target) {
        try (ControlCalls direct = new ControlCalls(m.controlEndpoint(), "bench", Duration.ofMillis(500), 1)) {
            RootMessage r = direct.call(new ResolveQuery(SERVICE, client));
            return r instanceof ResolveAnswer a && a.basis().equals("migration") && !a.instances().isEmpty()
                    && a.instances().get(0).nodeId().equals(target);
        } catch (IllegalStateException e) {
            return false;
        }
    }

    private static void printLag(RootCluster cluster) throws Exception {
        for (Member m : cluster.members()) {
            if (m.handle() == null) {
                continue;
            }
            List<String> lines = m.handle().log().lines().filter(l -> l.contains("lag p50")).toList();
            System.out.println("  " + m.id + ": " + (lines.isEmpty() ? "no lag report yet"
                    : lines.get(lines.size() - 1).replaceAll("^.* - ", "")));
        }
    }

    private static RootMessage call(LeaderFollower group, EnvelopeFactory envelopes, RootMessage request) {
        RequestResult r = group.request(() -> envelopes.create(SERVICE, request));
        if (r instanceof RequestResult.Reply reply && reply.envelope().body() instanceof RootMessage m) {
            return m;
        }
        throw new IllegalStateException("no reply to " + request + ": " + r);
    }
}
