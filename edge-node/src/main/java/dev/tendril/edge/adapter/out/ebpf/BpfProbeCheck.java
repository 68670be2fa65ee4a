package dev.tendril.edge.adapter.out.ebpf;

import dev.tendril.edge.monitoring.latency.LatencyProbe;
import dev.tendril.edge.monitoring.latency.UserLatency;

import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;

/**
 * Operator check: can this machine measure per-user latency? Starts the probe as the edge
 * node would, prints whether it measures, and optionally prints every user's latency once a
 * second. Exit status 0 when measuring, 3 when degraded, 2 on bad arguments.
 * <pre>
 * java -cp ... dev.tendril.edge.adapter.out.ebpf.BpfProbeCheck [--port P]... [--seconds N] [--verbose]
 * </pre>
 */
public final class BpfProbeCheck {
    private BpfProbeCheck() {
    }

    public static void main(String[] args) throws InterruptedException {
        Set<Integer> ports = new HashSet<>();
        int seconds = 0;
        boolean verbose = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> ports.add(Integer.parseInt(args[++i]));
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--verbose" -> verbose = true;
                default -> {
                    System.err.println("usage: BpfProbeCheck [--port P]... [--seconds N] [--verbose]");
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
                probe.sample().values().stream()
                        .sorted(Comparator.comparing(u -> u.user().toString()))
                        .forEach(u -> System.out.println(line(u)));
                System.out.println("--");
            }
        }
    }

    private static String line(UserLatency u) {
        return String.format("%s median=%.3fms min=%.3fms samples=%d", u.user(), u.medianMillis(),
                u.minRtt().toNanos() / 1e6, u.samples());
    }
}
