package dev.tendril.eval.scale;

import dev.tendril.eval.report.Percentiles;

import java.util.List;

/**
 * What one scale run measured.
 *
 * @param nodes               tree size (instances of the service)
 * @param spares              platforms in the infrastructure DB that host nothing (replication targets)
 * @param registrationsPerSec parent assignment throughput: RegisterInstance calls per wall second
 * @param rootHeapBytes       heap held by the root's state (repository and instance directory) after registration
 * @param directoryHeapBytes  heap held by the instance directory alone (what a SpatiaLite-backed root keeps in memory)
 * @param messagesPerNodeSec  self-organization messages per tree node per simulated second in steady state
 * @param migrate             time-to-migrate (simulated ms)
 * @param replicate           time-to-replicate, container start excluded (simulated ms)
 * @param migrationTrials     bad-QoE clusters set up; migrate.count() of them were redirected by a search
 * @param replicationTrials   overloaded nodes set up
 * @param notFound            searches that ended without a target (then replicated near the cluster)
 * @param treeDepth           levels below the top of the deepest tree node (the top is level 0)
 * @param searchHops          search messages (forwards, down, up and back) per migration search
 * @param notFoundReasons     why each search that ended without a target ended, as its origin logged it
 * @param simulatedSeconds    simulated time run
 * @param wallSeconds         wall time of the simulation (registration, start and run)
 * @param split               the same trials without processing charged (pure network), and the difference
 */
public record ScaleResult(int nodes, int spares, double registrationsPerSec, long rootHeapBytes, long directoryHeapBytes,
                          double messagesPerNodeSec, Percentiles migrate, Percentiles replicate, int migrationTrials,
                          int replicationTrials, long notFound, int treeDepth, Percentiles searchHops,
                          List<String> notFoundReasons, double simulatedSeconds, double wallSeconds, Split split) {
    public ScaleResult {
        notFoundReasons = List.copyOf(notFoundReasons);
    }

    /** Network-only figures of the same trials and the processing share (charged minus network), per trial. */
    public record Split(Percentiles migrateNetwork, Percentiles migrateProcessing, Percentiles replicateNetwork,
                        Percentiles replicateProcessing) {
        public static final Split NONE = new Split(Percentiles.NONE, Percentiles.NONE, Percentiles.NONE, Percentiles.NONE);
    }

    public ScaleResult withSplit(Split s) {
        return new ScaleResult(nodes, spares, registrationsPerSec, rootHeapBytes, directoryHeapBytes, messagesPerNodeSec,
                migrate, replicate, migrationTrials, replicationTrials, notFound, treeDepth, searchHops, notFoundReasons,
                simulatedSeconds, wallSeconds, s);
    }
}
