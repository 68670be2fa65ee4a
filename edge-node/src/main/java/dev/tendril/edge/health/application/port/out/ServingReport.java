package dev.tendril.edge.health.application.port.out;

/**
 * Port: tells the rest of the node (and through it the root) whether the instance of
 * {@code service} should be answered in DNS. May block on a root call; never throws.
 */
public interface ServingReport {
    void serving(String service, boolean serving);
}
