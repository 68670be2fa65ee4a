package dev.tendril.edge.selforg.domain;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Time-to-migrate and time-to-replicate from events (of one or many nodes):
 * <ul>
 * <li>time-to-migrate: MIGRATION_DECIDED -> MIGRATION_RECORDED of the same search (the root
 *     acknowledged the redirect), both at the origin;</li>
 * <li>time-to-replicate: REPLICATION_DECIDED -> REPLICA_REGISTERED of the same replication
 *     (the origin learnt that the replica is registered; its Attach to the tree runs meanwhile),
 *     minus the container
 *     start that the replica reported, which is listed apart ({@link #containerStarts}).</li>
 * </ul>
 */
public final class Timings {
    private final List<Duration> toMigrate = new ArrayList<>();
    private final List<Duration> toReplicate = new ArrayList<>();
    private final List<Duration> containerStarts = new ArrayList<>();

    public static Timings of(Collection<SelfOrgEvent> events) {
        Timings t = new Timings();
        Map<String, SelfOrgEvent> migrationDecisions = new HashMap<>();
        Map<String, SelfOrgEvent> replicationDecisions = new HashMap<>();
        for (SelfOrgEvent e : events) {
            String key = e.nodeId() + "/" + e.correlationId();
            switch (e.kind()) {
                case MIGRATION_DECIDED -> migrationDecisions.put(key, e);
                case REPLICATION_DECIDED -> replicationDecisions.put(key, e);
                default -> { }
            }
        }
        for (SelfOrgEvent e : events) {
            String key = e.nodeId() + "/" + e.correlationId();
            if (e.kind() == EventKind.MIGRATION_RECORDED && migrationDecisions.containsKey(key)) {
                t.toMigrate.add(Duration.between(migrationDecisions.get(key).at(), e.at()));
            } else if (e.kind() == EventKind.REPLICA_REGISTERED && replicationDecisions.containsKey(key)) {
                long start = Math.max(0, e.containerStartMillis());
                t.toReplicate.add(Duration.between(replicationDecisions.get(key).at(), e.at()).minusMillis(start));
                t.containerStarts.add(Duration.ofMillis(start));
            }
        }
        return t;
    }

    public List<Duration> toMigrate() {
        return List.copyOf(toMigrate);
    }

    public List<Duration> toReplicate() {
        return List.copyOf(toReplicate);
    }

    public List<Duration> containerStarts() {
        return List.copyOf(containerStarts);
    }

    /** The p-th percentile (nearest rank, p in (0, 100]) of durations, or null when there are none. */
    public static Duration percentile(List<Duration> values, double p) {
        if (values.isEmpty()) {
            return null;
        }
        List<Duration> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }
}
