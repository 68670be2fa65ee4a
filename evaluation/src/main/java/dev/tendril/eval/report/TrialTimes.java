package dev.tendril.eval.report;

import dev.tendril.edge.selforg.domain.EventKind;
import dev.tendril.edge.selforg.domain.SelfOrgEvent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Time-to-migrate and time-to-replicate per trial, keyed by "origin node #k" (the k-th
 * decision of that kind at that node), so two runs of the same seed (one with processing
 * charged, one without) can be paired trial by trial. Same definitions as the edge node's
 * {@code Timings}: MIGRATION_DECIDED -> MIGRATION_RECORDED of the same correlation at the
 * origin; REPLICATION_DECIDED -> REPLICA_REGISTERED minus the container start reported.
 */
public record TrialTimes(Map<String, Duration> migrate, Map<String, Duration> replicate, Map<String, Duration> containerStart) {
    public static TrialTimes of(List<SelfOrgEvent> events) {
        List<SelfOrgEvent> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparing(SelfOrgEvent::nodeId).thenComparingLong(SelfOrgEvent::seq));
        Map<String, String> keyOf = new HashMap<>();
        Map<String, SelfOrgEvent> decided = new HashMap<>();
        Map<String, Integer> ordinal = new HashMap<>();
        Map<String, Duration> migrate = new LinkedHashMap<>();
        Map<String, Duration> replicate = new LinkedHashMap<>();
        Map<String, Duration> starts = new LinkedHashMap<>();
        for (SelfOrgEvent e : sorted) {
            String corr = e.nodeId() + "/" + e.correlationId();
            if (e.kind() == EventKind.MIGRATION_DECIDED || e.kind() == EventKind.REPLICATION_DECIDED) {
                String kind = e.kind() == EventKind.MIGRATION_DECIDED ? "m" : "r";
                int k = ordinal.merge(e.nodeId() + kind, 1, Integer::sum);
                keyOf.put(corr + kind, e.nodeId() + "#" + k);
                decided.put(corr + kind, e);
            } else if (e.kind() == EventKind.MIGRATION_RECORDED && decided.containsKey(corr + "m")) {
                migrate.put(keyOf.get(corr + "m"), Duration.between(decided.get(corr + "m").at(), e.at()));
            } else if (e.kind() == EventKind.REPLICA_REGISTERED && decided.containsKey(corr + "r")) {
                long start = Math.max(0, e.containerStartMillis());
                String key = keyOf.get(corr + "r");
                replicate.put(key, Duration.between(decided.get(corr + "r").at(), e.at()).minusMillis(start));
                starts.put(key, Duration.ofMillis(start));
            }
        }
        return new TrialTimes(migrate, replicate, starts);
    }

    /** For the trials present in both: this run's figure minus the other's (e.g. processing = charged - network). */
    public static double[] differenceMs(Map<String, Duration> a, Map<String, Duration> b) {
        return a.entrySet().stream().filter(e -> b.containsKey(e.getKey()))
                .mapToDouble(e -> (e.getValue().toNanos() - b.get(e.getKey()).toNanos()) / 1e6).toArray();
    }

    public static double[] ms(Map<String, Duration> m) {
        return m.values().stream().mapToDouble(d -> d.toNanos() / 1e6).toArray();
    }

    /** Values of {@code of} for the keys also in {@code in}. */
    public static double[] msPaired(Map<String, Duration> of, Map<String, Duration> in) {
        return of.entrySet().stream().filter(e -> in.containsKey(e.getKey())).mapToDouble(e -> e.getValue().toNanos() / 1e6).toArray();
    }
}
