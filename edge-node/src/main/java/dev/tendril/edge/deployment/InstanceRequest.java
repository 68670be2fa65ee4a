package dev.tendril.edge.deployment;

import dev.tendril.protocol.message.Names;
import dev.tendril.protocol.spec.DeploymentSpec;
import dev.tendril.protocol.spec.PortSpec;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link ContainerRuntime} starts: one instance of {@code service} owned by node
 * {@code nodeId}, its image for this machine's arch, ports published on {@code bindAddress},
 * and the spec text it came from (kept with the instance so a restarted node can adopt it).
 */
public record InstanceRequest(String nodeId, String service, String image, List<String> command, List<PortSpec> ports,
                              Map<String, String> env, DeploymentSpec.Limits limits, String bindAddress,
                              String specText) {
    public InstanceRequest {
        Names.requireDnsLabel("node id", nodeId);
        Names.requireDnsLabel("service", service);
        Objects.requireNonNull(image, "image");
        command = List.copyOf(command);
        ports = List.copyOf(ports);
        env = Map.copyOf(env);
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(specText, "specText");
    }

    /** The environment an instance sees: the spec's, plus TENDRIL_NODE_ID, TENDRIL_SERVICE and TENDRIL_PORT_&lt;NAME&gt;. */
    public Map<String, String> fullEnv() {
        Map<String, String> all = new java.util.LinkedHashMap<>(env);
        all.put("TENDRIL_NODE_ID", nodeId);
        all.put("TENDRIL_SERVICE", service);
        for (PortSpec p : ports) {
            all.put("TENDRIL_PORT_" + p.name().toUpperCase(java.util.Locale.ROOT).replace('-', '_'), Integer.toString(p.containerPort()));
        }
        return all;
    }
}
