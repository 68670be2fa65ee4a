package dev.tendril.edge.selforg.domain;

/** What a self-organization event records. Decisions end in _DECIDED; timings pair them with their outcome. */
public enum EventKind {
    /** A bad-QoE cluster passed its score: a migration search starts (correlation = search id). */
    MIGRATION_DECIDED,
    /** A hop sent the search on (to a child, a sibling or its parent). */
    SEARCH_FORWARDED,
    /** A hop offered itself as the target. */
    SEARCH_OFFERED,
    /** The search ended without a target (nothing nearer with capacity, hop limit, deadline). */
    SEARCH_NOT_FOUND,
    /** The root recorded the redirect of a cluster (time-to-migrate ends here). */
    MIGRATION_RECORDED,
    /** Users of a bad-QoE cluster arrived here by a migration within the hold-down: moving did not help, they stay. */
    MIGRATION_HELD,
    /** The root did not record a redirect. */
    MIGRATION_FAILED,
    /** A replica is to be deployed (correlation = replication id; reason: shortage or QoE). */
    REPLICATION_DECIDED,
    /** A candidate platform was asked to deploy. */
    REPLICA_REQUESTED,
    /** A candidate refused, failed or did not answer; the next one is tried. */
    REPLICA_REFUSED,
    /**
     * At the candidate: the replica runs and the root acknowledged its registration (stamped then; its
     * Attach follows); the container start is reported here, apart.
     */
    REPLICA_STARTED,
    /** At the origin: the replica is registered, so DNS answers it (time-to-replicate ends here). */
    REPLICA_REGISTERED,
    /** No candidate could host a replica. */
    REPLICATION_FAILED,
    /** Shortage: a cluster of users was redirected to the replica. */
    OFFLOADED,
    /** Shortage: the load is normal again; offloading stops. */
    OFFLOAD_DONE,
    /** After a shortage was answered with a replica: the load is at or below the thresholds again, a new shortage may replicate again. */
    LOAD_NORMAL,
    /** No demand for the idle timeout and more instances than the minimum: this instance goes. */
    TERMINATION_DECIDED,
    /** Signed off and stopped. */
    TERMINATED,
    /** Idle, but at the minimum number of instances: it stays. */
    TERMINATION_SKIPPED
}
