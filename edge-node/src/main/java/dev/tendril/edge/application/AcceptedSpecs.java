package dev.tendril.edge.application;

import dev.tendril.protocol.spec.DeploymentSpec;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Spec texts this node accepted (size and operator signature checked, parsed without a
 * problem) with what they parsed to: the last {@link #REMEMBERED}, least recently used first to
 * go. A replica's spec comes with its {@code ReplicateSoon} hint seconds before the
 * {@code Replicate}, and the same text with every replication of the service; checking and
 * parsing it at the hint, on a worker, makes the deploy's own check a lookup. Parsing the spec
 * took 1.1-1.8 ms in a fresh edge JVM (C1 only, its 2nd to 5th parse, idle machine; 0.15 ms
 * after 200), on the replica's path between the membership check and the container start.
 *
 * <p>The key is the text itself: the same bytes signed by the same operator keys (fixed for
 * the node's life) parse to the same spec, so a remembered answer stays right. The texts held
 * are bounded by {@link #REMEMBERED} times the node's spec size limit. Thread-safe.
 */
final class AcceptedSpecs {
    /** Spec texts remembered; a node hosts a few services, each replicated with one text. */
    static final int REMEMBERED = 8;

    private final Map<String, DeploymentSpec> byText = new LinkedHashMap<>(REMEMBERED * 2, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, DeploymentSpec> eldest) {
            return size() > REMEMBERED;
        }
    };

    /** What {@code text} parsed to when it was accepted, or null when it was not (or was forgotten). */
    synchronized DeploymentSpec get(String text) {
        return byText.get(text);
    }

    /** Remembers that {@code text}, its checks passed, parsed to {@code spec}. */
    synchronized void put(String text, DeploymentSpec spec) {
        byText.put(text, spec);
    }

    synchronized int size() {
        return byText.size();
    }
}
