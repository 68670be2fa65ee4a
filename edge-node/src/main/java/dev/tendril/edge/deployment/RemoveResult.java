package dev.tendril.edge.deployment;

/** Outcome of removing a service from this node. */
public sealed interface RemoveResult {
    record Removed(Deployment deployment) implements RemoveResult {
    }

    record NotDeployed(String service) implements RemoveResult {
    }

    record Failed(String reason) implements RemoveResult {
    }
}
