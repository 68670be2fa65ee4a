package dev.tendril.eval.topology;

import java.util.List;

/**
 * One emulated topology of the thesis and its reference figures (DESIGN.md).
 *
 * @param switchDepth  depth of the binary switch tree (3: 7 switches, 5: 31 switches)
 * @param platforms    platforms, placed on switches (see {@link TopologyExperiment})
 * @param users        users, one per platform's switch in A, at random switches otherwise
 * @param instances    platforms hosting the service at the start (the rest are free for replicas)
 * @param thesisMigrate   thesis' time-to-migrate p50, p90 in ms
 * @param thesisReplicate thesis' time-to-replicate p50, p90 in ms
 */
public record TopologySpec(String name, int switchDepth, int platforms, int users, int instances,
                           double[] thesisMigrate, double[] thesisReplicate) {
    public static final TopologySpec A = new TopologySpec("A", 3, 7, 7, 4, new double[]{208, 257}, new double[]{117, 181});
    public static final TopologySpec B = new TopologySpec("B", 5, 10, 10, 5, new double[]{302, 400}, new double[]{252, 311});
    public static final TopologySpec C = new TopologySpec("C", 5, 20, 20, 10, new double[]{281, 346}, new double[]{365, 418});
    public static final TopologySpec D = new TopologySpec("D", 5, 30, 30, 15, new double[]{390, 470}, new double[]{424, 524});

    public static List<TopologySpec> all() {
        return List.of(A, B, C, D);
    }

    public static TopologySpec named(String name) {
        return all().stream().filter(t -> t.name().equalsIgnoreCase(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown topology '" + name + "'; known: A, B, C, D"));
    }
}
