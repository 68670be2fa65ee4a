package dev.tendril.edge.deployment;

/** Outcome of a runtime action. */
public sealed interface RuntimeResult {
    record Started(Instance instance) implements RuntimeResult {
    }

    record Stopped(String id) implements RuntimeResult {
    }

    record NotFound(String id) implements RuntimeResult {
    }

    /** The runtime could not do it; {@code reason} says why, in words for an operator. */
    record Failed(String reason) implements RuntimeResult {
    }
}
