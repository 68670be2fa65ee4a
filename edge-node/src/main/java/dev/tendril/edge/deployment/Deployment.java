package dev.tendril.edge.deployment;

import dev.tendril.protocol.spec.DeploymentSpec;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A service hosted on this node: its spec (and the text it came from) and its running instance.
 *
 * @param since     when the deployment's first instance was up (or when it was adopted)
 * @param startTook how long the container runtime took to start that instance (zero for an adopted one)
 */
public record Deployment(DeploymentSpec spec, String specText, Instance instance, Instant since, Duration startTook,
                         boolean adopted) {
    public Deployment {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(specText, "specText");
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(startTook, "startTook");
    }

    public String service() {
        return spec.service();
    }
}
