package dev.tendril.protocol.spec;

import dev.tendril.protocol.message.Names;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What to run: a validated deployment spec (see {@link DeploymentSpecReader} for the YAML
 * form and docs/configuration.md for the reference).
 *
 * @param service      service name, a DNS label
 * @param images       the image for each arch, or one multi-arch image
 * @param command      command override (the container's CMD; the command the process runtime runs), may be empty
 * @param ports        published ports
 * @param env          environment of the instance
 * @param limits       resource limits of one instance
 * @param requirements what a platform needs to host it
 * @param maxLatencyMs QoS: the largest acceptable median user latency (0 = no QoS goal)
 * @param policies     idle timeout, minimum instances, optional threshold override
 * @param root         true: this deployment creates the tree; false: it joins the tree in {@code zone}
 * @param zone         zone of the tree to join ("" with {@code root: true} = the node's zone)
 * @param restart      what the node does when the instance exits on its own
 * @param health       the instance's health probe, if any (without one, a running instance counts as healthy)
 */
public record DeploymentSpec(String service, Images images, List<String> command, List<PortSpec> ports,
                             Map<String, String> env, Limits limits, Requirements requirements, int maxLatencyMs,
                             Policies policies, boolean root, String zone, RestartPolicy restart,
                             Optional<HealthCheck> health) {
    /** A spec with the default restart policy (always) and no health probe. */
    public DeploymentSpec(String service, Images images, List<String> command, List<PortSpec> ports,
                          Map<String, String> env, Limits limits, Requirements requirements, int maxLatencyMs,
                          Policies policies, boolean root, String zone) {
        this(service, images, command, ports, env, limits, requirements, maxLatencyMs, policies, root, zone,
                RestartPolicy.ALWAYS, Optional.empty());
    }

    public DeploymentSpec {
        Names.requireDnsLabel("service", service);
        Objects.requireNonNull(images, "images");
        command = List.copyOf(command);
        ports = List.copyOf(ports);
        env = Map.copyOf(env);
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(requirements, "requirements");
        Objects.requireNonNull(policies, "policies");
        zone = zone == null ? "" : zone;
        if (!root && zone.isEmpty()) {
            throw new IllegalArgumentException("a spec needs root: true or a zone to join");
        }
        Objects.requireNonNull(restart, "restart");
        Objects.requireNonNull(health, "health");
        if (health.isPresent()) {
            String probePort = health.get().port();
            if (ports.stream().noneMatch(p -> p.name().equals(probePort) && p.protocol().equals("tcp"))) {
                throw new IllegalArgumentException("health port '" + probePort + "' is not a tcp port of the spec");
            }
        }
    }

    /** The port a health probe connects to. */
    public Optional<PortSpec> healthPort() {
        return health.flatMap(h -> ports.stream().filter(p -> p.name().equals(h.port())).findFirst());
    }

    /** One image for every arch, or one per arch. */
    public record Images(Optional<String> multiArch, Map<Arch, String> perArch) {
        public Images {
            Objects.requireNonNull(multiArch, "multiArch");
            perArch = Map.copyOf(perArch);
            if (multiArch.isEmpty() && perArch.isEmpty()) {
                throw new IllegalArgumentException("an image is required");
            }
        }

        public static Images of(String image) {
            return new Images(Optional.of(image), Map.of());
        }

        /** The image to run on {@code arch}, or empty when the spec has none for it. */
        public Optional<String> forArch(Arch arch) {
            return perArch.containsKey(arch) ? Optional.of(perArch.get(arch)) : multiArch;
        }
    }

    /** Per-instance limits; 0 means no limit. */
    public record Limits(double cpus, long memoryBytes) {
        public static final Limits NONE = new Limits(0, 0);

        public Limits {
            if (cpus < 0 || memoryBytes < 0) {
                throw new IllegalArgumentException("limits must be >= 0");
            }
        }
    }

    /** What a platform must offer; an empty arch set means any arch the images cover. */
    public record Requirements(Set<Arch> archs, double minCpus, long minRamBytes, int minGpus, long minDiskBytes) {
        public static final Requirements NONE = new Requirements(Set.of(), 0, 0, 0, 0);

        public Requirements {
            archs = archs.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(archs));
            if (minCpus < 0 || minRamBytes < 0 || minGpus < 0 || minDiskBytes < 0) {
                throw new IllegalArgumentException("requirements must be >= 0");
            }
        }

        public boolean allowsArch(Arch arch) {
            return archs.isEmpty() || archs.contains(arch);
        }

        /** The capacity a platform must have free: what a migration search asks of its targets. */
        public dev.tendril.protocol.grid.Capacity minimum() {
            return dev.tendril.protocol.grid.Capacity.of(minCpus, minRamBytes, minGpus, minDiskBytes);
        }
    }

    /** Lifecycle policies of the service. */
    public record Policies(Duration idleTimeout, int minInstances, Optional<Thresholds> thresholds) {
        public static final Policies DEFAULT = new Policies(Duration.ofMinutes(10), 1, Optional.empty());

        public Policies {
            Objects.requireNonNull(idleTimeout, "idleTimeout");
            Objects.requireNonNull(thresholds, "thresholds");
            if (minInstances < 0) {
                throw new IllegalArgumentException("minInstances must be >= 0");
            }
        }
    }

    /** True when this spec has an image for {@code arch} and its requirements allow that arch. */
    public boolean runsOn(Arch arch) {
        return requirements.allowsArch(arch) && images.forArch(arch).isPresent();
    }
}
