package dev.tendril.root.bootstrap;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.Ack;
import dev.tendril.protocol.message.RootMessage.CreateTree;
import dev.tendril.protocol.message.RootMessage.RecordMigration;
import dev.tendril.protocol.message.RootMessage.RegisterNode;
import dev.tendril.protocol.message.RootMessage.Registered;
import dev.tendril.protocol.message.ServicePort;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load client for the root control endpoint (benchmarks, see docs/benchmarks.md).
 *
 * <pre>
 * ControlLoad &lt;endpoint&gt; register &lt;service&gt; &lt;count&gt; &lt;clients&gt; [first-index]
 *     creates the tree when needed, then registers count nodes (n&lt;i&gt;) at seeded random
 *     positions (two thirds around 40 cities, one third anywhere), reporting the rate per block
 * ControlLoad &lt;endpoint&gt; migrate &lt;service&gt; &lt;target-node&gt; &lt;seconds&gt; &lt;clients&gt; [subnets-per-request]
 *     records migrations of fresh /32 subnets as fast as acknowledged, for a duration
 * ControlLoad &lt;endpoint&gt; flood &lt;service&gt; &lt;target-node&gt; &lt;seconds&gt; &lt;clients&gt; [subnets-per-request]
 *     as migrate, but refusals (LIMIT when the quota is reached) are tallied by code instead of
 *     stopping the run: how many records one platform can leave behind (docs/security.md)
 * ControlLoad &lt;endpoint&gt; flood-register &lt;node&gt; &lt;seconds&gt; &lt;clients&gt;
 *     the platform {@code node} joins fresh services q&lt;i&gt; as itself, as an edge joins one:
 *     RegisterNode, and CreateTree when the tree does not exist (NOT_FOUND); replies tallied
 *     by request and code: how many trees one platform can be a node of (docs/security.md)
 * </pre>
 * CURVE when {@code TENDRIL_CURVE_KEY} (this client's .key file, an enrolled platform or an
 * operator) and {@code TENDRIL_ROOT_KEY} (the root's public key) are set, as for tendrilctl;
 * neither set: plain ZeroMQ.
 * Every request waits for its reply (which the root sends only after the commit), so the
 * rate is the rate of durably committed changes. Latencies are per acknowledged request.
 */
public final class ControlLoad {
    private static final java.util.Optional<dev.tendril.protocol.transport.ClientOptions.Curve> CURVE =
            dev.tendril.protocol.keys.CurveEnvironment.toRoot(System.getenv());

    private ControlLoad() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: ControlLoad <endpoint> register <service> <count> <clients> [first-index]\n"
                    + "       ControlLoad <endpoint> migrate <service> <target> <seconds> <clients> [subnets-per-request]");
            System.exit(2);
        }
        String endpoint = args[0];
        switch (args[1]) {
            case "register" -> register(endpoint, args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                    args.length > 5 ? Integer.parseInt(args[5]) : 0);
            case "migrate" -> migrate(endpoint, args[2], args[3], Integer.parseInt(args[4]), Integer.parseInt(args[5]),
                    args.length > 6 ? Integer.parseInt(args[6]) : 1);
            case "flood-register" -> floodRegister(endpoint, args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            case "flood" -> flood(endpoint, args[2], args[3], Integer.parseInt(args[4]), Integer.parseInt(args[5]),
                    args.length > 6 ? Integer.parseInt(args[6]) : 1);
            default -> {
                System.err.println("unknown mode " + args[1]);
                System.exit(2);
            }
        }
    }

    private static final double[][] CITIES = {
            {48.14, 11.58}, {52.52, 13.40}, {51.51, -0.13}, {48.86, 2.35}, {40.71, -74.01}, {37.39, -122.08},
            {34.05, -118.24}, {41.88, -87.63}, {-23.55, -46.63}, {-34.60, -58.38}, {19.43, -99.13}, {35.68, 139.65},
            {37.57, 126.98}, {31.23, 121.47}, {22.32, 114.17}, {1.35, 103.82}, {28.61, 77.21}, {19.08, 72.88},
            {-33.87, 151.21}, {-36.85, 174.76}, {-1.29, 36.82}, {6.52, 3.38}, {30.04, 31.24}, {-26.20, 28.05},
            {55.76, 37.62}, {59.33, 18.07}, {41.01, 28.98}, {25.20, 55.27}, {13.76, 100.50}, {14.60, 120.98},
            {-6.21, 106.85}, {43.65, -79.38}, {49.28, -123.12}, {4.71, -74.07}, {-12.05, -77.04}, {64.15, -21.94},
            {-18.12, 178.45}, {-13.83, -171.77}, {21.31, -157.86}, {61.22, -149.90}};

    static GeoPoint position(SplittableRandom r) {
        if (r.nextInt(3) < 2) {
            double[] c = CITIES[r.nextInt(CITIES.length)];
            double lon = c[1] + r.nextDouble(-1.5, 1.5);
            lon = lon > 180 ? lon - 360 : lon < -180 ? lon + 360 : lon;
            return new GeoPoint(Math.max(-90, Math.min(90, c[0] + r.nextDouble(-1, 1))), lon);
        }
        return new GeoPoint(Math.toDegrees(Math.asin(r.nextDouble(-1, 1))), r.nextDouble(-180, 180));
    }

    static NodeInfo node(int i, GeoPoint p) {
        return new NodeInfo("n" + i, "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255), p,
                List.of(new ServicePort("http", "tcp", 8080)), 7000);
    }

    private static void register(String endpoint, String service, int count, int clients, int first) throws Exception {
        try (ControlCalls c = new ControlCalls(endpoint, "load", Duration.ofSeconds(2), 3, CURVE)) {
            RootMessage r = c.call(new CreateTree(service, new NodeInfo("top", "10.255.255.254", new GeoPoint(50.11, 8.68),
                    List.of(new ServicePort("http", "tcp", 8080)), 7000)));
            if (!(r instanceof Registered) && !(r instanceof RootMessage.ErrorReply e && e.code().equals("CONFLICT"))) {
                throw new IllegalStateException("cannot create tree " + service + ": " + r);
            }
        }
        AtomicInteger next = new AtomicInteger(first);
        int end = first + count;
        int block = Math.max(1, Math.min(10_000, count / 10));
        long[] latencies = new long[count];
        AtomicInteger done = new AtomicInteger();
        long start = System.nanoTime();
        AtomicLong blockStart = new AtomicLong(start);
        run(clients, id -> {
            try (ControlCalls c = new ControlCalls(endpoint, "load-" + id, Duration.ofSeconds(30), 3, CURVE)) {
                int i;
                while ((i = next.getAndIncrement()) < end) {
                    GeoPoint p = position(new SplittableRandom(i * 0x9E3779B97F4A7C15L));
                    long t0 = System.nanoTime();
                    RootMessage reply = c.call(new RegisterNode(service, node(i, p)));
                    long t1 = System.nanoTime();
                    if (!(reply instanceof Registered)) {
                        throw new IllegalStateException("register n" + i + ": " + reply);
                    }
                    int n = done.incrementAndGet();
                    latencies[n - 1] = t1 - t0;
                    if (n % block == 0) {
                        long now = System.nanoTime();
                        long was = blockStart.getAndSet(now);
                        System.out.printf(Locale.ROOT, "registered %,d (tree size %,d): %,.0f registrations/s in the last block%n",
                                n, first + n + 1, block / ((now - was) / 1e9));
                    }
                }
            }
        });
        report("registrations", done.get(), System.nanoTime() - start, latencies, done.get());
    }

    private static void migrate(String endpoint, String service, String target, int seconds, int clients, int perRequest)
            throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        long[] latencies = new long[2_000_000];
        long start = System.nanoTime();
        run(clients, id -> {
            try (ControlCalls c = new ControlCalls(endpoint, "load-" + id, Duration.ofSeconds(30), 3, CURVE)) {
                while (System.nanoTime() < deadline) {
                    List<String> subnets = new ArrayList<>(perRequest);
                    for (int k = 0; k < perRequest; k++) {
                        int i = next.getAndIncrement();
                        subnets.add("100." + (64 + (i >> 16 & 63)) + "." + (i >> 8 & 255) + "." + (i & 255) + "/32");
                    }
                    long t0 = System.nanoTime();
                    RootMessage reply = c.call(new RecordMigration(service, subnets, target, 3_600_000));
                    long t1 = System.nanoTime();
                    if (!(reply instanceof Ack)) {
                        throw new IllegalStateException("migration: " + reply);
                    }
                    int n = done.incrementAndGet();
                    if (n <= latencies.length) {
                        latencies[n - 1] = t1 - t0;
                    }
                }
            }
        });
        int n = done.get();
        report("migration requests (" + perRequest + " subnet" + (perRequest == 1 ? "" : "s") + " each)", n,
                System.nanoTime() - start, latencies, Math.min(n, latencies.length));
        if (perRequest > 1) {
            System.out.printf(Locale.ROOT, "  = %,.0f migration records/s%n", (double) n * perRequest / ((System.nanoTime() - start) / 1e9));
        }
    }

    private static void flood(String endpoint, String service, String target, int seconds, int clients, int perRequest)
            throws Exception {
        AtomicInteger next = new AtomicInteger();
        java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.LongAdder> replies =
                new java.util.concurrent.ConcurrentHashMap<>();
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        long start = System.nanoTime();
        run(clients, id -> {
            try (ControlCalls c = new ControlCalls(endpoint, "flood-" + id, Duration.ofSeconds(30), 3, CURVE)) {
                while (System.nanoTime() < deadline) {
                    List<String> subnets = new ArrayList<>(perRequest);
                    for (int k = 0; k < perRequest; k++) {
                        int i = next.getAndIncrement();
                        subnets.add("100." + (64 + (i >> 16 & 63)) + "." + (i >> 8 & 255) + "." + (i & 255) + "/32");
                    }
                    RootMessage reply = c.call(new RecordMigration(service, subnets, target, 3_600_000));
                    String kind = reply instanceof RootMessage.ErrorReply e ? e.code() : reply.type().toString();
                    replies.computeIfAbsent(kind, k -> new java.util.concurrent.atomic.LongAdder()).increment();
                }
            }
        });
        double secs = (System.nanoTime() - start) / 1e9;
        long total = replies.values().stream().mapToLong(java.util.concurrent.atomic.LongAdder::sum).sum();
        System.out.printf(Locale.ROOT, "%,d migration requests (%d subnets each) in %.1f s = %,.0f/s; replies:%n",
                total, perRequest, secs, total / secs);
        new java.util.TreeMap<>(replies).forEach((k, v) -> System.out.printf(Locale.ROOT, "  %s %,d%n", k, v.sum()));
        long acked = replies.containsKey("ACK") ? replies.get("ACK").sum() : 0;
        System.out.printf(Locale.ROOT, "  subnets acknowledged: %,d (a subnet recorded again is replaced, not added; subnets repeat after 4,194,304)%n", acked * perRequest);
    }

    private static void floodRegister(String endpoint, String nodeId, int seconds, int clients) throws Exception {
        AtomicInteger next = new AtomicInteger();
        java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.LongAdder> replies =
                new java.util.concurrent.ConcurrentHashMap<>();
        NodeInfo self = new NodeInfo(nodeId, "10.0.0.1", new GeoPoint(50.11, 8.68), List.of(new ServicePort("http", "tcp", 8080)), 7000);
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        long start = System.nanoTime();
        run(clients, id -> {
            try (ControlCalls c = new ControlCalls(endpoint, nodeId, Duration.ofSeconds(30), 3, CURVE)) {
                while (System.nanoTime() < deadline) {
                    String service = "q" + next.getAndIncrement();
                    RootMessage reply = c.call(new RegisterNode(service, self));
                    tally(replies, "RegisterNode", reply);
                    if (reply instanceof RootMessage.ErrorReply e && e.code().equals("NOT_FOUND")) {
                        tally(replies, "CreateTree", c.call(new CreateTree(service, self)));
                    }
                }
            }
        });
        double secs = (System.nanoTime() - start) / 1e9;
        long total = replies.values().stream().mapToLong(java.util.concurrent.atomic.LongAdder::sum).sum();
        System.out.printf(Locale.ROOT, "%,d requests (%,d fresh services) in %.1f s = %,.0f/s; replies:%n", total, next.get(), secs, total / secs);
        new java.util.TreeMap<>(replies).forEach((k, v) -> System.out.printf(Locale.ROOT, "  %s %,d%n", k, v.sum()));
    }

    private static void tally(java.util.Map<String, java.util.concurrent.atomic.LongAdder> replies, String request, RootMessage reply) {
        String kind = reply instanceof RootMessage.ErrorReply e ? e.code() : reply.type().toString();
        replies.computeIfAbsent(request + " " + kind, k -> new java.util.concurrent.atomic.LongAdder()).increment();
    }

    private interface Worker {
        void run(int id) throws Exception;
    }

    private static void run(int clients, Worker worker) throws Exception {
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int t = 0; t < clients; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                try {
                    worker.run(id);
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, "load-" + t);
            th.start();
            threads.add(th);
        }
        for (Thread th : threads) {
            th.join();
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("load client failed: " + failures.get(0), failures.get(0));
        }
    }

    private static void report(String what, int n, long nanos, long[] latencies, int kept) {
        long[] l = Arrays.copyOf(latencies, kept);
        Arrays.sort(l);
        System.out.printf(Locale.ROOT, "%,d %s in %.2f s = %,.0f/s; latency p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                n, what, nanos / 1e9, n / (nanos / 1e9), pct(l, 50), pct(l, 99), l.length == 0 ? 0 : l[l.length - 1] / 1e6);
    }

    private static double pct(long[] sorted, int p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) ((long) sorted.length * p / 100))] / 1e6;
    }
}
