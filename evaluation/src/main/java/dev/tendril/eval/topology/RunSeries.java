package dev.tendril.eval.topology;

import dev.tendril.eval.report.Percentiles;
import dev.tendril.eval.report.TrialTimes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trials of many runs of one scenario: each run's times with processing charged, the same
 * run's times without (pure network delay of the same path), and the outcome checks.
 */
public final class RunSeries {
    private final Map<String, Duration> migrate = new LinkedHashMap<>();
    private final Map<String, Duration> migrateNet = new LinkedHashMap<>();
    private final Map<String, Duration> replicate = new LinkedHashMap<>();
    private final Map<String, Duration> replicateNet = new LinkedHashMap<>();
    private final List<Duration> containerStarts = new ArrayList<>();
    private int runs;
    private int migrated;
    private int replicated;
    private int terminated;
    private int failedChecks;
    private final List<String> problems = new ArrayList<>();

    public void add(int run, TrialTimes charged, TrialTimes network, Outcome outcome) {
        runs++;
        charged.migrate().forEach((k, v) -> migrate.put(run + ":" + k, v));
        network.migrate().forEach((k, v) -> migrateNet.put(run + ":" + k, v));
        charged.replicate().forEach((k, v) -> replicate.put(run + ":" + k, v));
        network.replicate().forEach((k, v) -> replicateNet.put(run + ":" + k, v));
        containerStarts.addAll(charged.containerStart().values());
        migrated += outcome.migrated() ? 1 : 0;
        replicated += outcome.replicated() ? 1 : 0;
        terminated += outcome.terminations();
        if (!outcome.problem().isEmpty()) {
            failedChecks++;
            problems.add("run " + run + ": " + outcome.problem());
        }
    }

    /** What one run showed through the root and the nodes' events. */
    public record Outcome(boolean migrated, boolean replicated, int terminations, String problem) {
    }

    public int runs() {
        return runs;
    }

    public int migrated() {
        return migrated;
    }

    public int replicated() {
        return replicated;
    }

    public int terminated() {
        return terminated;
    }

    public int failedChecks() {
        return failedChecks;
    }

    public List<String> problems() {
        return List.copyOf(problems);
    }

    public Percentiles migrate() {
        return Percentiles.ofDurations(migrate.values());
    }

    public Percentiles replicate() {
        return Percentiles.ofDurations(replicate.values());
    }

    public Percentiles migrateNetwork() {
        return Percentiles.of(TrialTimes.msPaired(migrateNet, migrate));
    }

    public Percentiles replicateNetwork() {
        return Percentiles.of(TrialTimes.msPaired(replicateNet, replicate));
    }

    public Percentiles migrateProcessing() {
        return Percentiles.of(TrialTimes.differenceMs(migrate, migrateNet));
    }

    public Percentiles replicateProcessing() {
        return Percentiles.of(TrialTimes.differenceMs(replicate, replicateNet));
    }

    public Percentiles containerStarts() {
        return Percentiles.ofDurations(containerStarts);
    }

    public double[] migrateMs() {
        return TrialTimes.ms(migrate);
    }

    public double[] replicateMs() {
        return TrialTimes.ms(replicate);
    }
}
