package dev.tendril.edge.adapter.out.ebpf;

import dev.tendril.edge.monitoring.latency.LatencyProbe;
import dev.tendril.edge.monitoring.latency.UserKey;
import dev.tendril.edge.monitoring.latency.UserLatency;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Operator check: can this machine measure per-user latency? Starts the probe as the edge
 * node would, prints whether it measures, and optionally prints every user's latency once a
 * second. Exit status 0 when measuring, 3 when degraded, 2 on bad arguments.
 * {@code --stats} prints, instead of the users, each cycle's cost (time to read the kernel
 * map and update the windows, entries read) and at the end this process's CPU time and
 * memory (see ebpf/bench/).
 * <pre>
 * java -cp ... dev.tendril.edge.adapter.out.ebpf.BpfProbeCheck [--port P]... [--seconds N] [--stats] [--verbose]
 * </pre>
 */
public final class BpfProbeCheck {
    private BpfProbeCheck() {
    }

    public static void main(String[] args) throws InterruptedException {
        Set<Integer> ports = new HashSet<>();
        int seconds = 0;
        boolean verbose = false;
        boolean stats = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> ports.add(Integer.parseInt(args[++i]));
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--verbose" -> verbose = true;
                case "--stats" -> stats = true;
                default -> {
                    System.err.println("usage: BpfProbeCheck [--port P]... [--seconds N] [--stats] [--verbose]");
                    System.exit(2);
                }
            }
        }
        BpfLatencyProbe.Settings settings = new BpfLatencyProbe.Settings(Duration.ofSeconds(10),
                Duration.ofSeconds(60), 16384, verbose);
        try (LatencyProbe probe = BpfLatencyProbe.start(settings, Clock.systemUTC())) {
            System.out.println("measuring: " + probe.status().measuring());
            if (!probe.status().measuring()) {
                System.exit(3);
            }
            probe.watchPorts(ports);
            for (int s = 0; s < seconds; s++) {
                Thread.sleep(1000); // a sampling period, not a wait for a condition
                long start = System.nanoTime();
                Map<UserKey, UserLatency> users = probe.sample();
                long took = System.nanoTime() - start;
                if (stats) {
                    BpfLatencyProbe b = (BpfLatencyProbe) probe;
                    System.out.printf("cycle %d: sample() %.3f ms, map read %.3f ms (%s), kernel entries %d, users %d%n",
                            s + 1, took / 1e6, b.lastReadTime().toNanos() / 1e6,
                            b.readsInBatches() ? "batch" : "key by key", b.kernelEntries(), users.size());
                } else {
                    users.values().stream()
                            .sorted(Comparator.comparing(u -> u.user().toString()))
                            .forEach(u -> System.out.println(line(u)));
                    System.out.println("--");
                }
            }
            if (stats) {
                printCost();
            }
        }
    }

    private static void printCost() {
        long cpuNanos = ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
        String rss = "?";
        try {
            rss = Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("VmRSS:")).findFirst().orElse("?").replaceAll("\\s+", " ");
        } catch (IOException e) {
            // leave "?"
        }
        Runtime rt = Runtime.getRuntime();
        System.out.printf("process cpu %.3f s, %s, heap used %.1f MiB%n", cpuNanos / 1e9, rss,
                (rt.totalMemory() - rt.freeMemory()) / 1048576.0);
    }

    private static String line(UserLatency u) {
        return String.format("%s median=%.3fms min=%.3fms samples=%d", u.user(), u.medianMillis(),
                u.minRtt().toNanos() / 1e6, u.samples());
    }
}
