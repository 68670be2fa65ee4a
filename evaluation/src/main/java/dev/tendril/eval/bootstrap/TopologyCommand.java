package dev.tendril.eval.bootstrap;

import dev.tendril.eval.report.Percentiles;
import dev.tendril.eval.report.PngChart;
import dev.tendril.eval.report.TextTable;
import dev.tendril.eval.topology.HeterogeneousExperiment;
import dev.tendril.eval.topology.RunSeries;
import dev.tendril.eval.topology.TopologyExperiment;
import dev.tendril.eval.topology.TopologySpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "topology", mixinStandardHelpOptions = true,
        description = "The thesis' topologies A-D (and the heterogeneous case, H) on simulated time with 5 ms links; prints the tables.")
final class TopologyCommand implements Callable<Integer> {
    @Option(names = "--topologies", split = ",", defaultValue = "A,B,C,D,H", description = "A, B, C, D and/or H (heterogeneous)")
    List<String> topologies;

    @Option(names = "--runs", defaultValue = "20", description = "runs per topology (H: --runs-h)")
    int runs;

    @Option(names = "--runs-h", defaultValue = "30", description = "runs of the heterogeneous case")
    int runsH;

    @Option(names = "--link-ms", defaultValue = "5", description = "one-way delay per link")
    int linkMs;

    @Option(names = "--plots", description = "write CDF plots (PNG) into this folder")
    Path plots;

    @Override
    public Integer call() throws Exception {
        Map<String, RunSeries> done = new LinkedHashMap<>();
        for (String name : topologies) {
            RunSeries s = name.equalsIgnoreCase("H") ? new HeterogeneousExperiment().run(runsH)
                    : new TopologyExperiment(TopologySpec.named(name), Duration.ofMillis(linkMs)).run(runs);
            done.put(name.toUpperCase(java.util.Locale.ROOT), s);
            System.err.printf("topology %s: %d runs%n", name, s.runs());
        }
        System.out.print(table(done));
        int problems = 0;
        for (var e : done.entrySet()) {
            for (String p : e.getValue().problems()) {
                System.out.println("check failed, topology " + e.getKey() + ", " + p);
                problems++;
            }
        }
        if (plots != null) {
            Files.createDirectories(plots);
            PngChart m = PngChart.lines("CDF of time-to-migrate (simulated, 5 ms links)", "time-to-migrate (ms)", "fraction of runs", false);
            PngChart r = PngChart.lines("CDF of time-to-replicate, container start excluded (simulated)", "time-to-replicate (ms)", "fraction of runs", false);
            done.forEach((k, s) -> {
                if (s.migrateMs().length > 0) {
                    m.cdf(k, s.migrateMs());
                }
                if (s.replicateMs().length > 0) {
                    r.cdf(k, s.replicateMs());
                }
            });
            m.write(plots.resolve("topology-migrate-cdf.png"));
            r.write(plots.resolve("topology-replicate-cdf.png"));
        }
        return problems == 0 ? 0 : 1;
    }

    static String table(Map<String, RunSeries> done) {
        TextTable t = new TextTable("topology", "what", "n", "p1", "p50", "p75", "p90", "p99", "thesis p50", "thesis p90",
                "network p50", "processing p50", "processing p90", "ok runs");
        for (var e : done.entrySet()) {
            String k = e.getKey();
            RunSeries s = e.getValue();
            double[] tm = thesis(k, true), tr = thesis(k, false);
            row(t, k, "time-to-migrate ms", s.migrate(), tm, s.migrateNetwork(), s.migrateProcessing(),
                    s.migrated() + "/" + s.runs() + " redirected");
            row(t, k, "time-to-replicate ms", s.replicate(), tr, s.replicateNetwork(), s.replicateProcessing(),
                    s.replicated() + "/" + s.runs() + " replicated" + (k.equals("H") ? "" : ", " + s.terminated() + " terminations"));
        }
        return t.toString();
    }

    private static void row(TextTable t, String k, String what, Percentiles p, double[] thesis, Percentiles net, Percentiles proc,
                            String ok) {
        t.row(k, what, p.count(), p.p1(), p.p50(), p.p75(), p.p90(), p.p99(), thesis[0], thesis[1], net.p50(), proc.p50(),
                proc.p90(), ok);
    }

    private static double[] thesis(String k, boolean migrate) {
        if (k.equals("H")) {
            return migrate ? new double[]{Double.NaN, Double.NaN} : new double[]{132, Double.NaN};
        }
        TopologySpec s = TopologySpec.named(k);
        return migrate ? s.thesisMigrate() : s.thesisReplicate();
    }
}
