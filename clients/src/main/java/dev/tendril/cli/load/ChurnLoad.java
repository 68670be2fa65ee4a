package dev.tendril.cli.load;

import dev.tendril.protocol.message.RootMessage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * Keeps a root's topology changing at a steady pace for {@code --seconds}: every second,
 * {@code --rate} instance state changes (a random instance n0000001..n{targets} goes down,
 * and back up on the next turn; any still down at the end is brought back up) and
 * {@code --rate} migration records (a random /24 in 198.18.0.0/15 to a random instance that
 * is up, 5 s lifetime), each waiting for the durable ack.
 * Prints how many changes were acknowledged and the worst acknowledgement latency.
 */
@Command(name = "churn", mixinStandardHelpOptions = true,
        description = "Change instance states and migration records at a steady rate (acks are durable).")
final class ChurnLoad implements Callable<Integer> {
    @Option(names = "--root", required = true, description = "control endpoint, host:port")
    String root;
    @Option(names = "--service", defaultValue = "web")
    String service;
    @Option(names = "--targets", required = true, description = "number of registered instances n0000001.. to change")
    int targets;
    @Option(names = "--seconds", defaultValue = "10")
    int seconds;
    @Option(names = "--rate", defaultValue = "10", description = "instance changes and migration records per second (each)")
    int rate;

    @Override
    public Integer call() throws Exception {
        SplittableRandom random = new SplittableRandom(77);
        List<Long> lat = new ArrayList<>();
        List<String> down = new ArrayList<>();
        long start = System.nanoTime();
        long periodNanos = 1_000_000_000L / Math.max(1, rate);
        try (ControlLoad load = new ControlLoad("tcp://" + root, 77)) {
            for (long i = 0; ; i++) {
                long due = start + i * periodNanos;
                long now = System.nanoTime();
                if (now - start >= seconds * 1_000_000_000L) {
                    break;
                }
                if (due > now) {
                    Thread.sleep((due - now) / 1_000_000, (int) ((due - now) % 1_000_000));
                }
                boolean live = i % 2 == 1;     // down on even turns, the same node back up on odd ones
                String node = live ? down.remove(0) : String.format(Locale.ROOT, "n%07d", 1 + random.nextInt(targets));
                if (!live) {
                    down.add(node);
                }
                long t0 = System.nanoTime();
                load.call(service, new RootMessage.NodeState(service, node, live));
                lat.add(System.nanoTime() - t0);
                String client = "198." + (18 + random.nextInt(2)) + "." + random.nextInt(256) + ".0/24";
                String target;
                do { // the root refuses a migration to an instance that is down (issue 10): never ask for one
                    target = String.format(Locale.ROOT, "n%07d", 1 + random.nextInt(targets));
                } while (down.contains(target) && targets > down.size());
                t0 = System.nanoTime();
                load.call(service, new RootMessage.RecordMigration(service, List.of(client), target, 5_000));
                lat.add(System.nanoTime() - t0);
            }
            for (String node : down) { // a run that ends on a "down" turn leaves the root as it found it
                load.call(service, new RootMessage.NodeState(service, node, true));
            }
        }
        long[] sorted = lat.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf(Locale.ROOT, "churn: %d instance changes + %d migration records in %d s, ack p50 %.2f ms, max %.2f ms%n",
                sorted.length / 2, sorted.length - sorted.length / 2, seconds,
                ControlLoad.percentile(sorted, 50), sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6);
        return 0;
    }
}
