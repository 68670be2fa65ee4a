package dev.tendril.edge.selforg.application.port.out;

import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.spec.DeploymentSpec;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Consumer;

/** Port: this platform's deployments, as self-organization uses them. */
public interface ReplicaHost {
    /** How a replica deployment ended. */
    sealed interface Outcome {
    }

    /** Running, registered with the root and attached to its parent. */
    record Deployed(NodeInfo instance, DeploymentSpec spec, Duration containerStart, Instant registeredAt) implements Outcome {
        public Deployed {
            Objects.requireNonNull(instance, "instance");
            Objects.requireNonNull(spec, "spec");
            Objects.requireNonNull(containerStart, "containerStart");
            Objects.requireNonNull(registeredAt, "registeredAt");
        }
    }

    record Failed(String reason) implements Outcome {
    }

    /**
     * Deploys a replica from the spec text as a joining (never a tree-creating) deployment:
     * start the instance, register with the root, attach. {@code done} is called once, on
     * the agent's thread (the adapter hands it over), when that has finished or failed.
     */
    void deploy(String service, String specYaml, Consumer<Outcome> done);

    /** Terminates this platform's instance of {@code service}: sign off at the root, stop it; its children re-attach. */
    void remove(String service);
}
