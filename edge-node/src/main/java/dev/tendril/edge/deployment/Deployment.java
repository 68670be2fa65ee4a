package dev.tendril.edge.deployment;

import dev.tendril.protocol.spec.DeploymentSpec;

import java.time.Instant;
import java.util.Objects;

/** A service hosted on this node: its spec (and the text it came from) and its running instance. */
public record Deployment(DeploymentSpec spec, String specText, Instance instance, Instant since, boolean adopted) {
    public Deployment {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(specText, "specText");
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(since, "since");
    }

    public String service() {
        return spec.service();
    }
}
