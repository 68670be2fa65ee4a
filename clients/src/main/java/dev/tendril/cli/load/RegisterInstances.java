package dev.tendril.cli.load;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.ServicePort;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * Registers {@code count} instances of a service through the control endpoint: the first
 * creates the tree, the rest join it (so every registration runs the parent assignment).
 * Positions are uniform over the sphere from a fixed seed; ids n0000001...; addresses in
 * 10.0.0.0/8 (A records). Writes id,address,lat,lon per instance to {@code --positions-out}.
 */
@Command(name = "register", mixinStandardHelpOptions = true, description = "Register N instances of a service at a root.")
final class RegisterInstances implements Callable<Integer> {
    @Option(names = "--root", required = true, description = "control endpoint, host:port; \"\" writes --positions-out only")
    String root;
    @Option(names = "--service", defaultValue = "web")
    String service;
    @Option(names = "--count", required = true)
    int count;
    @Option(names = "--seed", defaultValue = "1")
    long seed;
    @Option(names = "--threads", defaultValue = "4")
    int threads;
    @Option(names = "--positions-out", description = "CSV of the registered instances")
    Path positionsOut;

    @Override
    public Integer call() throws Exception {
        if (count < 1) {
            throw new IllegalArgumentException("--count must be >= 1, got " + count);
        }
        List<NodeInfo> nodes = instances(count, seed);
        if (positionsOut != null) {
            writePositions(nodes, positionsOut);
        }
        if (root.isEmpty()) {
            return 0; // positions only
        }
        String endpoint = "tcp://" + root;
        long start = System.nanoTime();
        try (ControlLoad first = new ControlLoad(endpoint, seed)) {
            first.call(service, new RootMessage.CreateTree(service, nodes.get(0)));
        }
        long[] sorted = ControlLoad.runThreads(threads, (thread, latencies) -> {
            try (ControlLoad load = new ControlLoad(endpoint, seed * 31 + thread)) {
                for (int i = 1 + thread; i < nodes.size(); i += threads) {
                    long t0 = System.nanoTime();
                    load.call(service, new RootMessage.RegisterNode(service, nodes.get(i)));
                    latencies.add(System.nanoTime() - t0);
                }
            }
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "registered %d instances of %s in %.1f s: %.0f registrations/s, p50 %.2f ms, p99 %.2f ms%n",
                count, service, seconds, count / seconds, ControlLoad.percentile(sorted, 50), ControlLoad.percentile(sorted, 99));
        return 0;
    }

    static List<NodeInfo> instances(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<NodeInfo> nodes = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            double lat = Math.toDegrees(Math.asin(2 * random.nextDouble() - 1));
            double lon = random.nextDouble() * 360 - 180;
            String address = "10." + ((i >> 16) & 0xff) + "." + ((i >> 8) & 0xff) + "." + (i & 0xff);
            nodes.add(new NodeInfo(String.format(Locale.ROOT, "n%07d", i), address, new GeoPoint(lat, lon),
                    List.of(new ServicePort("http", "tcp", 80)), 7000));
        }
        return nodes;
    }

    private static void writePositions(List<NodeInfo> nodes, Path out) throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out))) {
            w.println("id,address,lat,lon");
            for (NodeInfo n : nodes) {
                w.printf(Locale.ROOT, "%s,%s,%.6f,%.6f%n", n.nodeId(), n.address(), n.position().latitude(), n.position().longitude());
            }
        }
    }
}
