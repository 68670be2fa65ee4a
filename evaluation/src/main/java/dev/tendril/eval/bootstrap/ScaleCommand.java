package dev.tendril.eval.bootstrap;

import dev.tendril.eval.report.PngChart;
import dev.tendril.eval.report.TextTable;
import dev.tendril.eval.scale.ScaleExperiment;
import dev.tendril.eval.scale.ScaleResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "scale", mixinStandardHelpOptions = true,
        description = "Scale simulation: the real orchestration code for trees of the given sizes; prints the table.")
final class ScaleCommand implements Callable<Integer> {
    @Option(names = "--nodes", split = ",", defaultValue = "1000,10000,100000", description = "tree sizes (default: ${DEFAULT-VALUE})")
    List<Integer> nodes;

    @Option(names = "--seed", defaultValue = "1")
    long seed;

    @Option(names = "--trials", defaultValue = "20", description = "migration and replication trials per size")
    int trials;

    @Option(names = "--fan-out", defaultValue = "4", description = "children per tree node (the root's local/lan preset)")
    int fanOut;

    @Option(names = "--no-processing", description = "do not charge the handlers' real run time as simulated time")
    boolean noProcessing;

    @Option(names = "--split", description = "run each size again without processing charged, to part network delay from processing")
    boolean split;

    @Option(names = "--warm-up", defaultValue = "1000", description = "nodes of a discarded first run (0: none)")
    int warmUp;

    @Option(names = "--plots", description = "write PNG plots into this folder")
    Path plots;

    @Override
    public Integer call() throws Exception {
        var defaults = ScaleExperiment.Options.defaults();
        var options = new ScaleExperiment.Options(seed, fanOut, defaults.warmUp(), defaults.window(), trials,
                defaults.perPath(), !noProcessing);
        List<ScaleResult> results = new ArrayList<>();
        if (warmUp > 0) {
            new ScaleExperiment(options).run(warmUp); // JIT: processing times of a long-running node, not of a cold JVM
        }
        for (int n : nodes) {
            ScaleResult r = new ScaleExperiment(options).measure(n, split);
            results.add(r);
            System.err.printf("scale %d done in %.1f s wall%n%s%s", n, r.wallSeconds(), table(List.of(r)),
                    split ? splitTable(List.of(r)) : "");
            r.notFoundReasons().forEach(why -> System.err.println("  not found: " + why));
        }
        System.out.print(table(results));
        if (split) {
            System.out.println();
            System.out.print(splitTable(results));
        }
        if (plots != null) {
            Files.createDirectories(plots);
            PngChart.lines("Time to migrate / replicate vs tree size (simulated)", "tree size (nodes, log)", "ms", true)
                    .series("migrate p50", results.stream().map(r -> new double[]{r.nodes(), r.migrate().p50()}).toList())
                    .series("migrate p90", results.stream().map(r -> new double[]{r.nodes(), r.migrate().p90()}).toList())
                    .series("replicate p50", results.stream().map(r -> new double[]{r.nodes(), r.replicate().p50()}).toList())
                    .series("replicate p90", results.stream().map(r -> new double[]{r.nodes(), r.replicate().p90()}).toList())
                    .write(plots.resolve("scale-times.png"));
            PngChart.lines("Self-organization messages per node per second", "tree size (nodes, log)", "msg/node/s", true)
                    .series("messages/node/s", results.stream().map(r -> new double[]{r.nodes(), r.messagesPerNodeSec()}).toList())
                    .zeroBased()
                    .write(plots.resolve("scale-messages.png"));
        }
        return 0;
    }

    static String splitTable(List<ScaleResult> results) {
        TextTable t = new TextTable("nodes", "migrate p50 ms", "of it network p50", "of it processing p50", "processing p90",
                "replicate p50 ms", "of it network p50", "of it processing p50", "processing p90");
        for (ScaleResult r : results) {
            var s = r.split();
            t.row(r.nodes(), r.migrate().p50(), s.migrateNetwork().p50(), s.migrateProcessing().p50(), s.migrateProcessing().p90(),
                    r.replicate().p50(), s.replicateNetwork().p50(), s.replicateProcessing().p50(), s.replicateProcessing().p90());
        }
        return t.toString();
    }

    static String table(List<ScaleResult> results) {
        TextTable t = new TextTable("nodes", "spares", "msg/node/s", "migrate p50 ms", "migrate p90 ms", "migrated/trials",
                "search not found", "tree depth", "search msgs p50", "search msgs max", "replicate p50 ms", "replicate p90 ms", "replicated/trials", "root heap MiB",
                "directory heap MiB", "registrations/s", "simulated s", "wall s");
        for (ScaleResult r : results) {
            t.row(r.nodes(), r.spares(), r.messagesPerNodeSec(), r.migrate().p50(), r.migrate().p90(),
                    r.migrate().count() + "/" + r.migrationTrials(), r.notFound(), r.treeDepth(), r.searchHops().p50(),
                    r.searchHops().p99(), r.replicate().p50(), r.replicate().p90(),
                    r.replicate().count() + "/" + r.replicationTrials(), r.rootHeapBytes() / 1048576.0,
                    r.directoryHeapBytes() / 1048576.0, r.registrationsPerSec(), r.simulatedSeconds(), r.wallSeconds());
        }
        return t.toString();
    }
}
