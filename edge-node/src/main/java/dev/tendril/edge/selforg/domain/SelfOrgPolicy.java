package dev.tendril.edge.selforg.domain;

import java.time.Duration;
import java.util.Objects;

/**
 * Tunables of self-organization (see docs/self-organization.md).
 *
 * @param gridSize              n of the n×n capacity grids
 * @param exchangeInterval      how often a node sends its grids to parent and children
 * @param gridStaleAfter        a child's grid older than this is left out of merges and searches
 * @param clusterRadiusKm       a bad-QoE user joins the nearest cluster whose centroid is this close
 * @param clusterScoreThreshold a cluster acts once its score (bad-user observations) reaches this
 * @param kmPerRttMs            the latency model of searches: a target within (max latency × this) km of a
 *                              cluster is expected to serve it well (100: light in fibre, there and back)
 * @param hopLimit              most messages of one migration search (forwards up, down and back): a budget, not
 *                              the reach; a search's path is about twice the tree's depth (26 levels at 100,000
 *                              nodes in the scale simulation, whose searches took at most 28 messages), plus the
 *                              returns from branches that held nothing
 * @param searchTimeout         deadline of a migration search, from the decision
 * @param migrationLifetime     how long the root keeps a redirect
 * @param replyTimeout          how long to wait for a replication candidate's answer before resending
 * @param replicateAttempts     sends of one Replicate (same request id) before the next candidate
 * @param readyTimeout          how long an accepted replica may take to report ready
 * @param idleJitter            fraction of the idle timeout added at random per instance, so idle
 *                              instances do not all decide in the same round
 * @param migrationHoldDown     a user that a migration moved to this instance less than this long ago
 *                              (by the root's record) and that is still bad here is not moved again: the
 *                              delay is on its own link, moving did not help (default: the redirect lifetime)
 */
public record SelfOrgPolicy(int gridSize, Duration exchangeInterval, Duration gridStaleAfter, double clusterRadiusKm,
                            double clusterScoreThreshold, double kmPerRttMs, int hopLimit, Duration searchTimeout,
                            Duration migrationLifetime, Duration replyTimeout, int replicateAttempts,
                            Duration readyTimeout, double idleJitter, Duration migrationHoldDown) {
    public SelfOrgPolicy {
        Objects.requireNonNull(migrationHoldDown, "migrationHoldDown");
        if (migrationHoldDown.isNegative()) {
            throw new IllegalArgumentException("migrationHoldDown must not be negative, got " + migrationHoldDown);
        }
        Objects.requireNonNull(exchangeInterval, "exchangeInterval");
        Objects.requireNonNull(gridStaleAfter, "gridStaleAfter");
        Objects.requireNonNull(searchTimeout, "searchTimeout");
        Objects.requireNonNull(migrationLifetime, "migrationLifetime");
        Objects.requireNonNull(replyTimeout, "replyTimeout");
        Objects.requireNonNull(readyTimeout, "readyTimeout");
        if (gridSize < 1 || gridSize > 1024) {
            throw new IllegalArgumentException("gridSize must be in [1, 1024], got " + gridSize);
        }
        if (!(clusterRadiusKm > 0) || !(clusterScoreThreshold > 0) || !(kmPerRttMs > 0)) {
            throw new IllegalArgumentException("clusterRadiusKm > 0, clusterScoreThreshold > 0, kmPerRttMs > 0 required");
        }
        if (hopLimit < 1 || replicateAttempts < 1 || !(idleJitter >= 0 && idleJitter <= 1)) {
            throw new IllegalArgumentException("hopLimit >= 1, replicateAttempts >= 1, idleJitter in [0, 1] required");
        }
    }

    /** Defaults for a LAN/WAN testbed: 8×8 grids every second, 100 km clusters, 3 observations. */
    public static SelfOrgPolicy defaults() {
        return new SelfOrgPolicy(8, Duration.ofSeconds(1), Duration.ofSeconds(5), 100, 3, 100, 128,
                Duration.ofSeconds(2), Duration.ofMinutes(10), Duration.ofSeconds(1), 3, Duration.ofSeconds(60), 0.25, Duration.ofMinutes(10));
    }

    /** This policy with another {@link #migrationHoldDown}. */
    public SelfOrgPolicy withMigrationHoldDown(Duration holdDown) {
        return new SelfOrgPolicy(gridSize, exchangeInterval, gridStaleAfter, clusterRadiusKm, clusterScoreThreshold, kmPerRttMs,
                hopLimit, searchTimeout, migrationLifetime, replyTimeout, replicateAttempts, readyTimeout, idleJitter, holdDown);
    }
}
