package dev.tendril.cli;

import dev.tendril.cli.EmulatedHosts.Ctl;
import dev.tendril.edge.testing.links.TestNetwork;
import dev.tendril.edge.testing.links.Topology;
import dev.tendril.protocol.keys.CurveKeyFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The thesis' topologies with real processes (issue 6, build item 1), A by default,
 * {@code -Dtopology.name=B|C|D|H}: the link harness emulates the {@link SwitchTree} network
 * (A: 7 switches, B-D: 31 switches, 5 ms one way on every link); a root and the edge nodes
 * (process runtime, busybox httpd, eBPF probe, spoofable load files) run in their own
 * namespaces, the users (curl clients that resolve with dig from their own address) in
 * theirs. Users sit at random (seeded) positions over Munich: the run compiles a GeoIP
 * database placing each user's /24 there ({@code bin/tendril-geoip-compile}) and gives it to
 * the root and every edge node, layered over the demo database. The service starts on
 * {@code layout.initial()} platforms (seeded); instances nobody uses go idle; each run then
 * triggers, in turn:
 * <ol>
 * <li>bad QoE -> migration: a user (seeded) with a fresh address gets 65 ms more one-way
 *     delay on its link (RTT over the spec's 100 ms); its instance clusters it, searches,
 *     and the root redirects it (dig from the user answers another instance);</li>
 * <li>overload -> replication: a live instance (seeded) reports 95 % CPU through its load
 *     file; a replica starts on a free platform and registers;</li>
 * <li>idle -> termination: instances without users (the replica among them) pass the 6 s
 *     idle timeout and terminate, never below 2.</li>
 * </ol>
 * H (heterogeneous) instead: three amd64 platforms in Potsdam host the service, an idle arm64
 * platform in Munich does not; each run a fresh address of the Munich user fetches from the
 * Potsdam instance DNS answers, its round trip is over the spec's 4 ms, no instance lies
 * within reach, the origin replicates onto the arm64 platform and DNS answers the user the
 * replica; once the user stops, the replica goes idle and terminates.
 * Then it collects every node's events ({@code tendrilctl events}), pairs them into
 * time-to-migrate and time-to-replicate trials, prints the percentile table beside the
 * thesis' figures with the path's network delay and the processing share, writes it and a
 * CDF plot ({@code -Dtopology.out=DIR}, default target), and checks that every run produced
 * its events. {@code -Dtopology.runs=N} (default 1, at most 60), {@code -Dtopology.seed=S}
 * (default 1). Asserts behaviour, never speed.
 */
class RealTopologyIT {
    static final String KEY = "topo-key-0123456789abcdef0123";
    static final String ZONE = "svc.example.edge";
    static final String ROOT = SwitchTree.ROOT;
    static final int RUNS = Integer.getInteger("topology.runs", 1);
    static final long SEED = Long.getLong("topology.seed", 1);
    static final SwitchTree.Layout LAYOUT = SwitchTree.layout(System.getProperty("topology.name", "A"));
    static final Path OUT = Path.of(System.getProperty("topology.out", "target"));
    /**
     * {@code -Dtopology.security=curve} (default): CURVE on every ZeroMQ plane (a root key, an
     * operator "alice", one key per platform enrolled at the root before the edges start);
     * {@code clear}: {@code security.insecureClear} as before, for the cost of security.
     */
    static final boolean CURVE = !"clear".equals(System.getProperty("topology.security", "curve"));
    /** A: 100 ms (user RTTs 20-60 ms); B-D: 150 ms, as the simulation (RTTs up to 2 x 50 ms across the depth-5 tree). */
    static final int MAX_LATENCY_MS = LAYOUT.depth() == 3 ? 100 : 150;
    /** The slow user link one way: RTT >= 2 x (70 + 5) = 150 ms > 100 (A); >= 2 x (100 + 5) = 210 ms > 150 (B-D). */
    static final Duration SLOW = Duration.ofMillis(LAYOUT.depth() == 3 ? 70 : 100);
    static final int IDLE_SECONDS = 6;
    /**
     * While the tree settles, a steady user asks DNS again this often, so it follows the
     * instances as they come; afterwards only when its instance fails (so a replica started by
     * an overload stays without users and goes idle, as the runs expect).
     */
    static final Duration REDIG = Duration.ofSeconds(4);
    /**
     * How often the runner looks (tendrilctl, DNS) while the nodes act. Until 2026-12-06 each look
     * started processes: tendrilctl a JVM of 0.3-0.5 CPU-seconds, a dig ip netns exec + dig (~12
     * ms); looking every 10 ms, as it did until 2026-12-03, kept about one of the 2 cores busy
     * with the runner in the very window the nodes time. The figures are the nodes' own event
     * times, so looking less often changes only when the runner notices, not what it measures.
     * The looks run at nice 19 since 2026-12-05, and in the runner's own JVM since 2026-12-06
     * ({@link #look}, {@link #awaitAnswer}, {@link NamespaceWorkers}).
     */
    static final Duration LOOK_CTL = Duration.ofSeconds(1);
    static final Duration LOOK_DIG = Duration.ofMillis(200);
    /**
     * The runner's first look for a replica after it overloaded a node: the load window (2 s)
     * and the replication itself (under a second) pass without a tendrilctl JVM beside them.
     */
    static final Duration FIRST_REPLICA_LOOK = Duration.ofSeconds(3);
    /**
     * The first run waits until the edge nodes together use under this share of one core per
     * node over {@link #QUIET_WINDOW} (at most {@link #QUIET_AT_MOST}). 30 JVMs that start at once
     * on the 2-core testbed still load classes and compile for minutes after the tree has settled
     * (D, 2026-12-06: 31-36 % of a core in all when the runs began, 22-25 % from about two minutes
     * later), and runs 1-4 of every D set were its slowest. A node on a machine of its own is long
     * past that when it first migrates a user; the runs themselves are unchanged.
     */
    static final double QUIET_SHARE_PER_NODE = 0.01;
    /**
     * {@code -Dtopology.quiet=true|false}: whether the first run waits for the quiet nodes above.
     * Default: only for a set of runs (the experiments' figures, {@code run-topology.sh}); the
     * suite's single run asserts behaviour, not times, and skipped a wait of up to 3 min (90 s on
     * the 2-core VM, 2026-12-07) that only made its one printed figure steadier.
     */
    static final boolean QUIET_FIRST = Boolean.parseBoolean(System.getProperty("topology.quiet", String.valueOf(RUNS > 1)));
    static final Duration QUIET_WINDOW = Duration.ofSeconds(10);
    static final Duration QUIET_AT_MOST = Duration.ofMinutes(3);
    static final int H_MAX_LATENCY_MS = 4; // reach 4 x 100 km/ms = 400 km < Potsdam-Munich; RTT to Munich ~2 ms
    static final String ARM64 = "arm64";

    @TempDir
    Path dir;
    TestNetwork net;
    SwitchTree tree;
    final Map<String, Integer> admin = new LinkedHashMap<>();
    final List<Thread> threads = new ArrayList<>();
    final AtomicBoolean stop = new AtomicBoolean();
    final Map<String, AtomicBoolean> paused = new HashMap<>();
    final Map<String, AtomicLong> served = new HashMap<>();
    final AtomicBoolean settling = new AtomicBoolean(true);

    @AfterEach
    void tearDown() throws InterruptedException {
        stop.set(true);
        looks.close();
        for (Thread t : threads) {
            t.join(10_000);
        }
        if (net != null) {
            net.close();
        }
        // keep the processes' logs for a look after the run (the temp dir goes)
        Path logs = Path.of("target", "real-topology-logs");
        try (var files = Files.list(dir)) {
            Files.createDirectories(logs);
            for (Path f : files.filter(f -> f.toString().endsWith(".log")).toList()) {
                Files.copy(f, logs.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            System.out.println("could not keep the logs: " + e);
        }
    }

    @Test
    void topologyMigratesReplicatesAndTerminatesWithRealProcesses() throws Exception {
        assertTrue(RUNS >= 1 && RUNS <= SwitchTree.MAX_RUNS, "topology.runs must be 1.." + SwitchTree.MAX_RUNS);
        Testbed.requireTool("dig", "dnsutils");
        Testbed.requireTool("curl", "curl");
        Testbed.requireTool("ip", "iproute2");
        Testbed.classpath("root-dns-server");
        Testbed.classpath("edge-node");
        Testbed.classpath("clients");
        Testbed.classpath("geoip-data");
        String name = LAYOUT.name();
        tree = SwitchTree.of(LAYOUT, SEED);
        Random random = new Random(SEED);
        long t0 = System.nanoTime();
        // users at their seeded positions: one GeoIP database for the root and every edge node
        Files.writeString(dir.resolve("users.csv"), tree.geoCsv());
        Testbed.run(Duration.ofSeconds(120), Testbed.REPO.resolve("bin/tendril-geoip-compile").toString(),
                "--build-epoch", "0", dir.resolve("users.csv").toString(), dir.resolve("users.mmdb").toString());
        net = TestNetwork.start(tree.topology(RUNS));
        for (String host : tree.topology(RUNS).hosts()) {
            assertEquals(0, net.run(Duration.ofSeconds(5), host, "ip", "route", "add", "default", "dev", "br0"));
        }
        Path ready = dir.resolve("root.ready");
        List<String> security = List.of("--set", "security.insecureClear=true");
        if (CURVE) {
            CurveKeyFiles.generate(keys(), "root-topo");
            CurveKeyFiles.generate(keys(), "alice");
            for (SwitchTree.Platform p : tree.platforms) {
                CurveKeyFiles.generate(keys(), p.name());
            }
            security = List.of("--set", "security.serverKey=" + keys().resolve("root-topo.key"),
                    "--set", "security.operatorKeys={alice: " + keys().resolve("alice.pub") + "}");
        }
        List<String> rootArgs = new ArrayList<>(List.of(Testbed.REPO.resolve("bin/tendril-root").toString(),
                "--config", "builtin:demo", "--set", "dns.bindAddress=" + ROOT, "--set", "dns.port=5353",
                "--set", "control.bindAddress=" + ROOT, "--set", "control.port=5390"));
        rootArgs.addAll(security);
        rootArgs.addAll(List.of("--set", "geoip.databases=[" + dir.resolve("users.mmdb") + ", builtin:demo]",
                "--set", "store.path=" + dir.resolve("topology.db"), "--ready-file", ready.toString()));
        Process root = net.spawn(dir.resolve("root.log"), "root", rootArgs.toArray(String[]::new));
        Testbed.until("root ready", Duration.ofSeconds(90), () -> Files.exists(ready) ? Optional.of(true) : Optional.empty());
        if (CURVE) { // every platform enrolled before it starts: it fetches the enrolled keys before its tree socket opens
            for (SwitchTree.Platform p : tree.platforms) {
                Ctl c = ctl("keys", "enrol", "--root", ROOT + ":5390", "platform", p.name(),
                        keys().resolve(p.name() + ".pub").toString());
                assertEquals(0, c.code(), c.out());
            }
        }
        Map<String, Process> edges = new LinkedHashMap<>();
        for (SwitchTree.Platform p : tree.platforms) {
            load(p, 0.10);
            edges.put(p.name(), startEdge(p));
        }
        for (SwitchTree.Platform p : tree.platforms) {
            admin.put(p.name(), awaitReady(p));
        }
        System.out.printf("topology %s: root and %d edge nodes ready after %d s; RSS root %d MiB, edge nodes %s MiB%n", name,
                edges.size(), (System.nanoTime() - t0) / 1_000_000_000, rssMiB(root), rssSummary(edges.values()));

        warmUp();
        System.out.printf("topology %s: warm-up deployment on every platform done after %d s%n", name,
                (System.nanoTime() - t0) / 1_000_000_000);

        // the service on the first platforms of a seeded order (H: the three in Potsdam), the first creates the tree
        List<SwitchTree.Platform> order = new ArrayList<>(tree.platforms);
        if (LAYOUT != SwitchTree.H) {
            Collections.shuffle(order, random);
        }
        Files.writeString(dir.resolve("web.yaml"), webSpec(true));
        Files.writeString(dir.resolve("web-join.yaml"), webSpec(false));
        // users first (they dig until the service answers and re-dig every few seconds), so every
        // instance finds the users DNS sends it before its idle timeout; then the deployments, in parallel
        List<SwitchTree.User> steady = LAYOUT == SwitchTree.H ? tree.users.subList(1, tree.users.size()) : tree.users;
        for (SwitchTree.User u : steady) {
            startUser(u);
        }
        List<SwitchTree.Platform> hosting = order.subList(0, LAYOUT.initial());
        parallel(hosting, p -> joinedOrReplicated(ctl("deploy", dir.resolve(p == hosting.get(0) ? "web.yaml" : "web-join.yaml").toString(),
                "--node", node(p), "--key", KEY)), true);
        Testbed.until("2 instances live", Duration.ofSeconds(60),
                () -> live().size() >= 2 ? Optional.of(true) : Optional.empty());
        for (SwitchTree.User u : steady) {
            Testbed.until(u.name() + " is served", Duration.ofSeconds(60),
                    () -> served.get(u.name()).get() > 0 ? Optional.of(true) : Optional.empty());
        }
        // instances without users go idle (never below the minimum); start once the tree has stopped changing
        Map<String, String> settled = awaitSettled();
        settling.set(false);
        System.out.printf("topology %s up, service deployed on %s, live %s, %d users served: %d s; load average %s%n", name,
                order.subList(0, LAYOUT.initial()).stream().map(SwitchTree.Platform::name).toList(), settled,
                steady.size(), (System.nanoTime() - t0) / 1_000_000_000, loadAverage());

        if (QUIET_FIRST) {
            long quietFrom = System.nanoTime();
            double share = awaitQuietNodes(edges.values());
            System.out.printf(java.util.Locale.ROOT, "topology %s: edge nodes at %.0f %% of a core in all over %d s (under %.0f %%: %s) after %d s more%n",
                    name, share * 100, QUIET_WINDOW.toSeconds(), QUIET_SHARE_PER_NODE * edges.size() * 100,
                    share < QUIET_SHARE_PER_NODE * edges.size() ? "quiet" : "not reached, runs start anyway",
                    (System.nanoTime() - quietFrom) / 1_000_000_000);
        } else {
            System.out.printf("topology %s: runs start without waiting for quiet nodes (-Dtopology.quiet=true waits)%n", name);
        }

        for (int run = 1; run <= RUNS; run++) {
            if (LAYOUT == SwitchTree.H) {
                replicateForQoe(run);
            } else {
                migrate(run, tree.users.get(random.nextInt(tree.users.size())));
                replicate(run, random);
            }
        }
        System.out.printf("topology %s: %d run(s) done after %d s; load average %s; RSS root %d MiB, edge nodes %s MiB%n", name,
                RUNS, (System.nanoTime() - t0) / 1_000_000_000, loadAverage(), rssMiB(root), rssSummary(edges.values()));

        TopologyEvents ev = collectEvents();
        List<TopologyEvents.Trial> migrations = ev.migrations(tree);
        List<TopologyEvents.Trial> all = ev.replications(tree);
        String timed = LAYOUT == SwitchTree.H ? "replicate-qoe" : "replicate-shortage";
        List<TopologyEvents.Trial> replications = all.stream().filter(t -> t.what().equals(timed)).toList();
        long otherReplications = all.size() - replications.size();
        migrations.forEach(t -> System.out.printf("migrate %s -> %s: %.0f ms, path %.1f ms (%s)%n",
                t.origin(), t.target(), t.measuredMs(), t.pathMs(), t.path()));
        all.forEach(t -> System.out.printf(t.what() + " %s -> %s: %.0f ms, path %.1f ms (%s)%n",
                t.origin(), t.target(), t.measuredMs(), t.pathMs(), t.path()));
        String table = TopologyEvents.table(name, migrations, replications, ev.count("TERMINATED"), LAYOUT.thesisMigrate(),
                LAYOUT.thesisReplicate())
                + (LAYOUT == SwitchTree.H ? "shortage replications (none expected): " + otherReplications + "\n"
                : "bad-QoE runs whose search found no instance and replicated near the user instead: " + otherReplications + "\n");
        System.out.println("real-process topology " + name + ", seed " + SEED + ", " + RUNS + " run(s), security "
                + (CURVE ? "CURVE" : "clear") + ":\n" + table);
        Files.createDirectories(OUT);
        String file = "real-topology-" + name + (CURVE ? "" : "-clear");
        Files.writeString(OUT.resolve(file + ".md"), table);
        TopologyEvents.plot(name, SEED, migrations, replications, OUT.resolve(file + "-cdf.png"));

        if (LAYOUT == SwitchTree.H) {
            assertEquals(RUNS, replications.size(), "one bad-QoE replication per run in the events: " + all);
            for (TopologyEvents.Trial t : replications) {
                assertEquals("p4", t.target(), "the replica goes to the arm64 platform in Munich: " + t);
            }
        } else {
            assertTrue(migrations.size() + otherReplications >= RUNS,
                    "every run's bad QoE ended in a migration (or a replica near the user) in the events: " + migrations.size()
                            + " + " + otherReplications);
            assertEquals(RUNS, replications.size(), "one time-to-replicate per overload from the events");
            for (TopologyEvents.Trial t : migrations) {
                assertTrue(t.measuredMs() >= 0 && t.pathMs() >= 4 * SwitchTree.LINK.toMillis(), t.toString());
            }
        }
        assertTrue(ev.count("TERMINATED") >= 1, "idle instances terminated");
        List<Double> measured = replications.stream().map(TopologyEvents.Trial::measuredMs).toList();
        double previous = 0;
        for (double p : new double[] {1, 50, 75, 90, 99}) {
            double v = TopologyEvents.percentile(measured, p);
            assertTrue(!Double.isNaN(v) && v >= previous, "time-to-replicate p" + p + " computed and ordered: " + measured);
            previous = v;
        }
        for (TopologyEvents.Trial t : replications) {
            assertTrue(t.measuredMs() >= 0 && t.pathMs() > 0, t.toString());
        }
        assertTrue(live().size() >= 2, "never below the minimum of instances");
    }

    /**
     * A discarded deployment of another service on every platform (deploy, serve once, remove),
     * so that no measured replica is the first deployment its JVM ever ran (class loading and
     * JIT of the deploy, process start and registration paths; A's p99 once was such a cold start).
     */
    void warmUp() throws Exception {
        Files.writeString(dir.resolve("warm.yaml"), webSpec(true).replace("service: web", "service: warm"));
        Files.writeString(dir.resolve("warm-join.yaml"), webSpec(false).replace("service: web", "service: warm"));
        parallel(tree.platforms, p -> ctl("deploy", dir.resolve(p == tree.platforms.get(0) ? "warm.yaml" : "warm-join.yaml")
                .toString(), "--node", node(p), "--key", KEY), true);
        // an instance may have gone idle before (then there is nothing to remove): not checked
        parallel(tree.platforms, p -> new Ctl(0, ctl("remove", "warm", "--node", node(p), "--key", KEY).out()), false);
    }

    /** Runs one tendrilctl call per platform, 4 at a time ({@code firstAlone}: the first before the others). */
    void parallel(List<SwitchTree.Platform> platforms, java.util.function.Function<SwitchTree.Platform, Ctl> call,
                  boolean firstAlone) throws Exception {
        List<SwitchTree.Platform> rest = platforms;
        if (firstAlone) {
            Ctl c = call.apply(platforms.get(0));
            assertEquals(0, c.code(), c.out());
            rest = platforms.subList(1, platforms.size());
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<Ctl>> calls = new ArrayList<>();
            for (SwitchTree.Platform p : rest) {
                calls.add(pool.submit(() -> call.apply(p)));
            }
            for (var f : calls) {
                Ctl c = f.get(120, TimeUnit.SECONDS);
                assertEquals(0, c.code(), c.out());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Waits until {@code edges} together used under {@link #QUIET_SHARE_PER_NODE} of a core per
     * node over the last {@link #QUIET_WINDOW}, or {@link #QUIET_AT_MOST} passed; returns the last
     * window's share of one core (their CPU time, as the kernel counts it, over the window).
     */
    static double awaitQuietNodes(java.util.Collection<Process> edges) throws InterruptedException {
        double limit = QUIET_SHARE_PER_NODE * edges.size();
        long end = System.nanoTime() + QUIET_AT_MOST.toNanos();
        long cpu = cpuNanos(edges);
        long at = System.nanoTime();
        while (true) {
            Thread.sleep(QUIET_WINDOW.toMillis());
            long cpuNow = cpuNanos(edges);
            long now = System.nanoTime();
            double share = (double) (cpuNow - cpu) / (now - at);
            if (share < limit || now - end >= 0) {
                return share;
            }
            cpu = cpuNow;
            at = now;
        }
    }

    /** The processes' CPU time so far (user and system), as the JDK reads it from /proc. */
    static long cpuNanos(java.util.Collection<Process> processes) {
        long sum = 0;
        for (Process p : processes) {
            sum += p.info().totalCpuDuration().map(Duration::toNanos)
                    .orElseThrow(() -> new IllegalStateException("no CPU time for process " + p.pid()));
        }
        return sum;
    }

    /** Polls the root's tree until it has not changed for two idle timeouts; returns it. */
    Map<String, String> awaitSettled() {
        long quietNanos = Duration.ofSeconds(IDLE_SECONDS * 2L).toNanos();
        Map<String, String>[] last = new Map[] {live()};
        long[] since = {System.nanoTime()};
        return Testbed.until("the tree settles", Duration.ofSeconds(IDLE_SECONDS * 10L + 60), LOOK_CTL, () -> {
            Map<String, String> now = live();
            if (!now.equals(last[0])) {
                last[0] = now;
                since[0] = System.nanoTime();
                return Optional.empty();
            }
            return System.nanoTime() - since[0] >= quietNanos ? Optional.of(now) : Optional.empty();
        });
    }

    /**
     * H: a fresh address of the Munich user fetches from the Potsdam instance DNS answers;
     * its round trip is over the spec's maximum and nothing existing is near enough, so the
     * origin replicates onto the arm64 platform in Munich; the run waits until DNS answers the
     * user that replica, then stops the user and waits for the idle replica to terminate.
     */
    void replicateForQoe(int run) throws Exception {
        SwitchTree.User u = tree.users.get(0);
        SwitchTree.Platform munich = platform("p4");
        Testbed.until("only the Potsdam instances live", Duration.ofSeconds(IDLE_SECONDS * 3L + 30), LOOK_CTL,
                () -> live().containsKey(munich.name()) ? Optional.empty() : Optional.of(true));
        String me = u.address(run);
        String origin = awaitAnswer(u.name(), me, a -> !a.isEmpty(), Duration.ofSeconds(30));
        AtomicBoolean done = new AtomicBoolean();
        long t0 = System.nanoTime();
        AtomicLong ok = startFetcher(u.name(), me, origin, done, 200);
        Testbed.until(me + " is served by " + origin, Duration.ofSeconds(20), () -> ok.get() > 0 ? Optional.of(true) : Optional.empty());
        String target = awaitAnswer(u.name(), me, a -> a.equals(munich.address()), Duration.ofSeconds(60), LOOK_DIG);
        String parent = live().getOrDefault(munich.name(), "");
        System.out.printf("run %d: %s (Munich, %s) on %s -> dig answers %s (arm64, parent %s) after %d ms%n", run, me, u.place(),
                origin, target, parent, (System.nanoTime() - t0) / 1_000_000);
        done.set(true);
        awaitIdleEnd(run, munich);
    }

    /** Bad QoE: a fresh user address on u's host, delay on u's link, until DNS answers another instance. */
    void migrate(int run, SwitchTree.User u) throws Exception {
        String me = u.address(run);
        paused.get(u.name()).set(true); // u's steady user waits, so only the fresh one turns bad
        String origin = awaitAnswer(u.name(), me, a -> !a.isEmpty(), Duration.ofSeconds(30));
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong ok = startFetcher(u.name(), me, origin, done, 200);
        Testbed.until(me + " is served by " + origin, Duration.ofSeconds(20), () -> ok.get() > 0 ? Optional.of(true) : Optional.empty());
        net.setLink(u.name(), SwitchTree.switchOf(u.switchIndex()), Topology.Link.delay(SLOW));
        long t0 = System.nanoTime();
        String target = awaitAnswer(u.name(), me, a -> !a.isEmpty() && !a.equals(origin), Duration.ofSeconds(60), LOOK_DIG);
        System.out.printf("run %d: %s (%s) slow -> dig answers %s instead of %s after %d ms%n", run, me, u.place(), target,
                origin, (System.nanoTime() - t0) / 1_000_000);
        done.set(true);
        net.setLink(u.name(), SwitchTree.switchOf(u.switchIndex()), Topology.Link.delay(SwitchTree.LINK));
        paused.get(u.name()).set(false);
    }

    static final Pattern REPLICA = Pattern.compile("REPLICA_REGISTERED  \\[[^\\]]+\\]  replica (\\S+) registered");

    /**
     * Overload on a live instance until it records REPLICA_REGISTERED; then the idle replica
     * (or another instance nobody uses) terminates, unless the minimum holds it.
     */
    void replicate(int run, Random random) throws Exception {
        List<String> hosting = new ArrayList<>(live().keySet());
        Collections.sort(hosting);
        SwitchTree.Platform p = platform(hosting.get(random.nextInt(hosting.size())));
        long normalBefore = countEvents(p, "LOAD_NORMAL");
        long registeredBefore = countEvents(p, "REPLICA_REGISTERED");
        load(p, 0.95);
        long t0 = System.nanoTime();
        Thread.sleep(FIRST_REPLICA_LOOK.toMillis()); // not a wait for a condition: the runner stays out of the window it times
        String replica = Testbed.until("a replica of " + p.name() + " registered", Duration.ofSeconds(40), LOOK_CTL, () -> {
            Ctl e = look("events", "--service", "web", "--kind", "REPLICA_REGISTERED", "--node", node(p), "--key", KEY);
            List<String> names = e.out().lines().map(REPLICA::matcher).filter(Matcher::find).map(m -> m.group(1)).toList();
            return names.size() > registeredBefore ? Optional.of(names.get(names.size() - 1)) : Optional.empty();
        });
        String parent = live().getOrDefault(replica, "");
        System.out.printf("run %d: %s overloaded -> replica on %s (parent %s) registered, seen after %d ms%n", run, p.name(),
                replica, parent, (System.nanoTime() - t0) / 1_000_000);
        load(p, 0.10);
        Testbed.until(p.name() + " sees normal load (or went idle)", Duration.ofSeconds(30), LOOK_CTL,
                () -> countEvents(p, "LOAD_NORMAL") > normalBefore || !live().containsKey(p.name()) ? Optional.of(true) : Optional.empty());
        awaitIdleEnd(run, platform(replica));
    }

    /**
     * Waits until the replica on {@code r} (no users) terminates after the idle timeout, or
     * the minimum holds it; a replica that won users (DNS answered it to a fresh address) is
     * reported as still live, which ends the wait too.
     */
    void awaitIdleEnd(int run, SwitchTree.Platform r) {
        long t1 = System.nanoTime();
        String outcome;
        try {
            outcome = Testbed.until("the idle replica on " + r.name() + " terminates or is held at the minimum",
                    Duration.ofSeconds(IDLE_SECONDS * 3L + 30), LOOK_CTL, () -> {
                        Ctl e = look("events", "--service", "web", "--node", node(r), "--key", KEY);
                        List<String> lines = e.out().lines().toList();
                        int started = -1;
                        for (int i = 0; i < lines.size(); i++) {
                            if (lines.get(i).contains("  REPLICA_STARTED  ")) {
                                started = i;
                            }
                        }
                        for (int i = Math.max(0, started); started >= 0 && i < lines.size(); i++) {
                            if (lines.get(i).contains("  TERMINATED  ")) {
                                return Optional.of("terminated");
                            }
                            if (lines.get(i).contains("  TERMINATION_SKIPPED  ")) {
                                return Optional.of("held at the minimum (another instance went)");
                            }
                        }
                        return Optional.empty();
                    });
        } catch (AssertionError e) {
            outcome = "still live (it has users)";
        }
        System.out.printf("run %d: idle replica %s %s after %d ms; live %s%n", run, r.name(), outcome,
                (System.nanoTime() - t1) / 1_000_000, live().keySet());
    }

    static String webSpec(boolean root) {
        boolean h = LAYOUT == SwitchTree.H;
        return """
                service: web
                %s
                command: ["/bin/sh", "-c", "mkdir -p www && echo \\"web on $TENDRIL_NODE_ID\\" > www/index.html && exec /bin/busybox httpd -f -p ${TENDRIL_BIND_ADDRESS}:${TENDRIL_PORT_HTTP} -h www"]
                ports: [{name: http, protocol: tcp, containerPort: 8080, hostPort: 8080}]
                qos: {maxLatencyMs: %d}
                policies: {idleTimeout: %ds, minInstances: %d}
                """.formatted(h ? "images: {amd64: local/busybox-httpd, arm64: local/busybox-httpd-arm64}" : "image: local/busybox-httpd",
                h ? H_MAX_LATENCY_MS : MAX_LATENCY_MS, IDLE_SECONDS, h ? 3 : 2) + (root ? "root: true\n" : "zone: " + ZONE + "\n");
    }

    static String platformYaml(SwitchTree.Platform p) {
        return "{id: %s, address: %s, position: {lat: %s, lon: %s}, arch: %s, cpus: 2, ram: 4Gi, disk: 10Gi}"
                .formatted(p.name(), p.address(), p.lat(), p.lon(), p.arch());
    }

    SwitchTree.Platform platform(String name) {
        return tree.platforms.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }

    String node(SwitchTree.Platform p) {
        return p.address() + ":" + admin.get(p.name());
    }

    void load(SwitchTree.Platform p, double cpu) throws IOException {
        Path home = Files.createDirectories(dir.resolve(p.name()));
        Path tmp = home.resolve("load.json.tmp");
        Files.writeString(tmp, "{\"cpuLoad\": " + cpu + ", \"memory\": {\"total\": \"4Gi\", \"used\": \"1Gi\"},"
                + " \"disk\": {\"total\": \"10Gi\", \"used\": \"2Gi\"}, \"gpus\": []}");
        Files.move(tmp, home.resolve("load.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    Process startEdge(SwitchTree.Platform p) throws IOException {
        Path home = dir.resolve(p.name());
        StringBuilder infra = new StringBuilder();
        for (SwitchTree.Platform q : tree.platforms) {
            infra.append(infra.isEmpty() ? "" : ", ").append(platformYaml(q));
        }
        Files.writeString(home.resolve("edge.yaml"), """
                platform: %s
                zone: %s
                root: {control: ["%s:5390"]}
                infrastructure: {platforms: [%s]}
                policies: {preset: local, sampleInterval: 250ms, loadWindow: 2s, latencyWindow: 3s, heartbeatInterval: 1s, missedHeartbeats: 5}
                admin: {key: %s, bind: "%s:0"}
                tree: {bind: "%s:7400"}
                runtime: {kind: process}
                monitoring: {loadFile: load.json}
                geoip: {databases: [%s, builtin:demo]}
                security: %s
                """.formatted(platformYaml(p), ZONE, ROOT, infra, KEY, p.address(), p.address(), dir.resolve("users.mmdb"),
                CURVE ? "{key: %s, rootKeys: [%s], operatorKeys: {alice: %s}}".formatted(keys().resolve(p.name() + ".key"),
                        keys().resolve("root-topo.pub"), keys().resolve("alice.pub")) : "{insecureClear: true}"));
        return net.spawn(dir.resolve(p.name() + ".log"), p.name(), Testbed.REPO.resolve("bin/tendril-edge").toString(),
                "--config", home.resolve("edge.yaml").toString());
    }

    int awaitReady(SwitchTree.Platform p) {
        return EmulatedHosts.awaitEdgeReady(dir.resolve(p.name() + ".log"), p.name(), Duration.ofSeconds(120));
    }

    static final Pattern TREE_LINE = Pattern.compile("^\\s+(p\\d+) \\S+ .*?(?:  parent (\\S+))?$");

    /** Live instances of web (name -> parent, "" for the top), from the root. */
    Map<String, String> live() {
        Ctl t = look("tree", "web", "--root", ROOT + ":5390");
        Map<String, String> out = new LinkedHashMap<>();
        if (t.code() != 0) {
            return out;
        }
        for (String line : t.out().lines().toList()) {
            Matcher m = TREE_LINE.matcher(line);
            if (m.matches() && !line.contains(" DOWN")) {
                out.put(m.group(1), m.group(2) == null ? "" : m.group(2));
            }
        }
        return out;
    }

    long countEvents(SwitchTree.Platform p, String kind) {
        Ctl e = look("events", "--service", "web", "--kind", kind, "--node", node(p), "--key", KEY);
        return e.out().lines().filter(l -> l.contains("  " + kind)).count();
    }

    TopologyEvents collectEvents() {
        TopologyEvents ev = new TopologyEvents();
        for (SwitchTree.Platform p : tree.platforms) {
            long after = 0;
            while (true) {
                Ctl e = ctl("events", "--service", "web", "--after", Long.toString(after), "--limit", "1000",
                        "--node", node(p), "--key", KEY);
                assertEquals(0, e.code(), e.out());
                long last = ev.add(e.out());
                if (last < 0 || e.out().lines().filter(l -> TopologyEvents.LINE.matcher(l).matches()).count() < 1000) {
                    break;
                }
                after = last;
            }
        }
        return ev;
    }

    void startUser(SwitchTree.User u) {
        AtomicBoolean pause = new AtomicBoolean();
        AtomicLong ok = new AtomicLong();
        paused.put(u.name(), pause);
        served.put(u.name(), ok);
        String me = u.address(0);
        long pace = Math.max(500, 50L * tree.users.size()); // set when each fetch was a curl process; kept, so the traffic is as before
        Thread t = new Thread(() -> {
            enterUserNamespace(u.name());
            String instance = "";
            int failures = 0;
            long dug = 0;
            while (!stop.get()) {
                try {
                    if (pause.get()) {
                        Thread.sleep(200); // the user's pace while paused
                        continue;
                    }
                    if (instance.isEmpty() || failures >= 2 || (settling.get() && System.nanoTime() - dug > REDIG.toNanos())) {
                        instance = dig(u.name(), me);
                        dug = System.nanoTime();
                        failures = 0;
                    }
                    if (!instance.isEmpty() && fetch(u.name(), me, instance)) {
                        ok.incrementAndGet();
                    } else {
                        failures++;
                    }
                    Thread.sleep(pace); // the user's pace, not a wait for a condition
                } catch (IOException e) {
                    return;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }, "user-" + me);
        t.setDaemon(true);
        t.start();
        threads.add(t);
    }

    AtomicLong startFetcher(String host, String from, String instance, AtomicBoolean done, long paceMs) {
        AtomicLong ok = new AtomicLong();
        Thread t = new Thread(() -> {
            enterUserNamespace(host);
            while (!stop.get() && !done.get()) {
                try {
                    if (fetch(host, from, instance)) {
                        ok.incrementAndGet();
                    }
                    Thread.sleep(paceMs); // the user's pace, not a wait for a condition
                } catch (IOException e) {
                    return;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }, "mover-" + from);
        t.setDaemon(true);
        t.start();
        threads.add(t);
        return ok;
    }

    /**
     * One fetch of a user from the user's address, at nice 19. A user stands for a host
     * elsewhere; here it shares the 2 cores with the nodes being timed: on D 20 fetches a second
     * (30 users, one each 1.5 s). Made by the user's own thread from inside its namespace
     * ({@link NamespacedUser}, since 2026-12-06: no process per fetch) when the thread entered it;
     * else by a curl behind {@code ip netns exec}, the whole of it at nice 19 (about 9 ms of CPU
     * each: an exec of ip, which enters the namespace, then of curl). What the nodes measure of a
     * user, its TCP round trip (eBPF, in the kernel's TCP), and what the runner checks (served at
     * all) are the same either way: a new connection from the user's address, one GET.
     */
    boolean fetch(String host, String from, String instance) throws IOException, InterruptedException {
        if (net.namespace(host).equals(NamespacedUser.entered())) {
            return NamespacedUser.get(from, instance, 8080, Duration.ofSeconds(3));
        }
        return net.runBehind(EmulatedHosts.ASIDE, Duration.ofSeconds(5), host, "curl", "-sf", "-o", "/dev/null",
                "--max-time", "3", "--interface", from, "http://" + instance + ":8080/") == 0;
    }

    /**
     * Moves the calling (user's or mover's) thread into {@code host}'s network namespace for
     * its fetches; where the kernel refuses, one WARN line and the thread fetches with curl.
     */
    void enterUserNamespace(String host) {
        try {
            NamespacedUser.enter(net.namespace(host));
        } catch (IOException | RuntimeException | LinkageError e) {
            if (userNamespaceWarned.compareAndSet(false, true)) {
                System.out.println("warning: users fetch with curl processes: " + e);
            }
        }
    }

    private final AtomicBoolean userNamespaceWarned = new AtomicBoolean();

    String dig(String host, String from) {
        return EmulatedHosts.dig(net, host, from, ROOT, "web." + ZONE);
    }

    String awaitAnswer(String host, String from, java.util.function.Predicate<String> wanted, Duration limit) {
        return awaitAnswer(host, from, wanted, limit, Duration.ofMillis(10));
    }

    /**
     * Polls DNS from {@code from} on {@code host} until the answer satisfies {@code wanted}, each
     * query from the runner's thread in the host's namespace ({@link NamespaceWorkers}: no process
     * per poll), then asks once more with a real {@code dig} (the client a user meets), which
     * must give the same answer. Where the namespace cannot be entered, every poll is a dig at
     * nice 19, as before.
     */
    String awaitAnswer(String host, String from, java.util.function.Predicate<String> wanted, Duration limit, Duration pace) {
        String answer;
        try {
            answer = EmulatedHosts.awaitAnswer("an answer from DNS to " + from, () -> {
                try {
                    return looks.call(net.namespace(host), 5_000,
                            () -> NamespacedUser.resolveA(from, ROOT, 5353, "web." + ZONE, Duration.ofSeconds(2)));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, wanted, limit, pace);
        } catch (java.io.UncheckedIOException e) {
            warnLooksAsProcesses(e.getCause());
            return EmulatedHosts.awaitAnswer(net, EmulatedHosts.ASIDE, host, from, ROOT, "web." + ZONE, wanted, limit, pace);
        }
        String dug = dig(host, from);
        assertEquals(answer, dug, "dig from " + from + " answers as the runner's own query did");
        return answer;
    }

    /** The runner's looks in-process (tendrilctl calls, DNS queries), one thread per namespace. */
    private final NamespaceWorkers looks = new NamespaceWorkers();
    private final AtomicBoolean looksWarned = new AtomicBoolean();

    private void warnLooksAsProcesses(Exception e) {
        if (looksWarned.compareAndSet(false, true)) {
            System.out.println("warning: the runner's looks run as processes: " + e);
        }
    }

    /** Resident memory of a process (the JVM: ip netns exec and the launcher exec it), MiB; -1 if gone. */
    static long rssMiB(Process p) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    static String rssSummary(java.util.Collection<Process> processes) {
        List<Long> rss = processes.stream().map(RealTopologyIT::rssMiB).sorted().toList();
        long sum = rss.stream().mapToLong(Long::longValue).sum();
        return String.format(java.util.Locale.ROOT, "min %d / median %d / max %d, total %d", rss.get(0), rss.get(rss.size() / 2),
                rss.get(rss.size() - 1), sum);
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "?";
        }
    }

    Path keys() {
        return dir.resolve("keys");
    }

    /**
     * A join that finds {@code web} already there was beaten by self-organization: a replica
     * placed on that platform before the deploy arrived (the users dig from the start). The
     * platform hosts the service either way, which is what the scenario needs.
     */
    static Ctl joinedOrReplicated(Ctl c) {
        if (c.code() != 0 && c.out().contains("it is already deployed here")) {
            System.out.println("join found a replica of web already there: " + c.out().strip().lines().findFirst().orElse(""));
            return new Ctl(0, c.out());
        }
        return c;
    }

    /** tendrilctl from the root's namespace; with CURVE as the operator alice, pinning the root's or the node's key. */
    Ctl ctl(String... args) {
        return ctl(List.of(), args);
    }

    /**
     * A look of the runner's at what the nodes did: the tendrilctl command run in the runner's
     * JVM on its thread in the root's namespace at nice 19 ({@link NamespaceWorkers}), where
     * a tendrilctl process (a JVM start) would take the nodes' CPU in the window being timed;
     * where the namespace cannot be entered, a tendrilctl process at nice 19
     * ({@link EmulatedHosts#ASIDE}).
     */
    Ctl look(String... args) {
        String[] all = withKeys(args);
        try {
            return looks.call(net.namespace("root"), 60_000, () -> {
                CtlRun c = CtlRun.of(all); // tendrilctl in-process, its output captured
                return new Ctl(c.code(), c.out() + c.err());
            });
        } catch (IOException e) {
            warnLooksAsProcesses(e);
            return EmulatedHosts.ctl(net, "root", EmulatedHosts.ASIDE, all);
        }
    }

    private Ctl ctl(List<String> prefix, String... args) {
        return EmulatedHosts.ctl(net, "root", prefix, withKeys(args));
    }

    /** The arguments with the CURVE options of the operator alice, pinning the root's or the node's key. */
    private String[] withKeys(String... args) {
        if (!CURVE) {
            return args;
        }
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--curve-key", keys().resolve("alice.key").toString()));
        int node = all.indexOf("--node");
        if (node >= 0) {
            String address = all.get(node + 1).substring(0, all.get(node + 1).lastIndexOf(':'));
            String platform = tree.platforms.stream().filter(p -> p.address().equals(address)).findFirst().orElseThrow().name();
            all.addAll(List.of("--node-key", keys().resolve(platform + ".pub").toString()));
        } else {
            all.addAll(List.of("--root-key", keys().resolve("root-topo.pub").toString()));
        }
        return all.toArray(String[]::new);
    }
}
