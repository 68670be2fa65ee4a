package dev.tendril.edge.selforg.domain;

import dev.tendril.edge.domain.FreeCapacity;
import dev.tendril.edge.domain.HardwareNeed;
import dev.tendril.edge.domain.InfrastructureDb;
import dev.tendril.edge.domain.Platform;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.text.Decimals;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Replication candidates (DESIGN.md flow 7): every platform of the infrastructure DB that
 * does not host the service yet and fits the spec's hardware need (arch, free CPU, RAM,
 * GPU, disk), nearest to the wanted position first; and, for the log, why the others were
 * skipped. Free capacity is the DB's figure when it is recent (fed from the grid exchange by
 * {@link GridReadings}), else all of the platform's hardware.
 */
public record CandidateChoice(List<Platform> candidates, List<String> skipped) {

    /**
     * @param near    an extra condition a candidate must meet (e.g. nearer to the cluster than the origin)
     * @param nearWhy what that condition means, for the skip reason
     * @param now     figures older than {@link GridReadings#MAX_AGE} at this time count as unknown (all hardware free)
     */
    public static CandidateChoice rank(InfrastructureDb infra, HardwareNeed need, GeoPoint position, Set<String> hosting,
                                       Predicate<Platform> near, String nearWhy, Instant now) {
        List<Platform> ok = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (Platform p : infra.nearest(position, Integer.MAX_VALUE)) {
            if (hosting.contains(p.id())) {
                continue;
            }
            String misfit = misfit(need, p, infra.free(p.id(), now, GridReadings.MAX_AGE));
            if (!misfit.isEmpty()) {
                skipped.add(p.id() + ": " + misfit);
            } else if (!near.test(p)) {
                skipped.add(p.id() + ": " + nearWhy);
            } else {
                ok.add(p);
            }
        }
        return new CandidateChoice(List.copyOf(ok), List.copyOf(skipped));
    }

    /** Why a platform does not fit, or "" when it does. */
    static String misfit(HardwareNeed need, Platform p, FreeCapacity free) {
        List<String> why = new ArrayList<>();
        if (!need.archs().isEmpty() && !need.archs().contains(p.hardware().arch())) {
            why.add("arch " + p.hardware().arch() + " not in " + need.archs().stream().map(Object::toString).sorted().toList());
        }
        if (free.gpus() < need.gpus()) {
            why.add(free.gpus() == 0 ? "no GPU free (needs " + need.gpus() + ")" : "GPUs " + free.gpus() + " < " + need.gpus());
        }
        if (free.cpus() < need.cpus()) {
            why.add("CPU " + Decimals.fixed(free.cpus(), 2) + " free < " + Decimals.fixed(need.cpus(), 2));
        }
        if (free.ramBytes() < need.ramBytes()) {
            why.add("RAM " + (free.ramBytes() >> 20) + " MiB free < " + (need.ramBytes() >> 20) + " MiB");
        }
        if (free.diskBytes() < need.diskBytes()) {
            why.add("disk " + (free.diskBytes() >> 20) + " MiB free < " + (need.diskBytes() >> 20) + " MiB");
        }
        return String.join(", ", why);
    }
}
