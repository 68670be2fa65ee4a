package dev.tendril.cli.load;

import dev.tendril.protocol.message.RootMessage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * Fires RecordMigration requests for {@code --seconds} from several threads, each waiting
 * for the root's acknowledgement (which the root gives only once the record is durable),
 * and prints acknowledged records per second with p50/p99 acknowledgement latency.
 * Clients are /32s in 198.18.0.0/15, targets n0000001..n{targets}, lifetime 60 s.
 */
@Command(name = "migrations", mixinStandardHelpOptions = true, description = "Fire migration records at a root and count durable acks/s.")
final class FireMigrations implements Callable<Integer> {
    @Option(names = "--root", required = true, description = "control endpoint, host:port")
    String root;
    @Option(names = "--service", defaultValue = "web")
    String service;
    @Option(names = "--targets", required = true, description = "number of registered instances n0000001.. to target")
    int targets;
    @Option(names = "--seconds", defaultValue = "10")
    int seconds;
    @Option(names = "--threads", defaultValue = "8")
    int threads;

    @Override
    public Integer call() throws Exception {
        String endpoint = "tcp://" + root;
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        long[] sorted = ControlLoad.runThreads(threads, (thread, latencies) -> {
            long seed = 1000 + thread;
            SplittableRandom random = new SplittableRandom(seed);
            try (ControlLoad load = new ControlLoad(endpoint, seed)) {
                while (System.nanoTime() < deadline) {
                    String client = "198." + (18 + random.nextInt(2)) + "." + random.nextInt(256) + "." + random.nextInt(256);
                    String target = String.format(Locale.ROOT, "n%07d", 1 + random.nextInt(targets));
                    long t0 = System.nanoTime();
                    load.call(service, new RootMessage.RecordMigration(service, List.of(client), target, 60_000));
                    latencies.add(System.nanoTime() - t0);
                }
            }
        });
        System.out.printf(Locale.ROOT, "migration records acknowledged: %d in %d s = %.0f/s, ack p50 %.2f ms, p99 %.2f ms (%d threads)%n",
                sorted.length, seconds, sorted.length / (double) seconds,
                ControlLoad.percentile(sorted, 50), ControlLoad.percentile(sorted, 99), threads);
        return 0;
    }
}
