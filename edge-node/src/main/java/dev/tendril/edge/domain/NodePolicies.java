package dev.tendril.edge.domain;

import dev.tendril.protocol.spec.Thresholds;

import java.time.Duration;
import java.util.Objects;

/**
 * The node's policies: load thresholds, monitoring windows, and the heartbeat timing of
 * the overlay (a peer is dead after {@code missedHeartbeats} intervals without an answer).
 */
public record NodePolicies(Thresholds thresholds, Duration sampleInterval, Duration loadWindow,
                           Duration latencyWindow, Duration heartbeatInterval, int missedHeartbeats) {
    public NodePolicies {
        Objects.requireNonNull(thresholds, "thresholds");
        Objects.requireNonNull(sampleInterval, "sampleInterval");
        Objects.requireNonNull(loadWindow, "loadWindow");
        Objects.requireNonNull(latencyWindow, "latencyWindow");
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        if (missedHeartbeats < 1) {
            throw new IllegalArgumentException("missedHeartbeats must be >= 1");
        }
    }

    /** Presets: local (one machine, fast failure detection), lan, wan. */
    public static NodePolicies preset(String name) {
        return switch (name) {
            case "local" -> new NodePolicies(Thresholds.DEFAULT, Duration.ofMillis(500), Duration.ofSeconds(10),
                    Duration.ofSeconds(10), Duration.ofMillis(250), 3);
            case "lan" -> new NodePolicies(Thresholds.DEFAULT, Duration.ofSeconds(1), Duration.ofSeconds(30),
                    Duration.ofSeconds(30), Duration.ofSeconds(1), 3);
            case "wan" -> new NodePolicies(Thresholds.DEFAULT, Duration.ofSeconds(2), Duration.ofSeconds(60),
                    Duration.ofSeconds(60), Duration.ofSeconds(5), 3);
            default -> throw new IllegalArgumentException("unknown preset '" + name + "', allowed: local, lan, wan");
        };
    }

    /** How long a silent peer counts as alive. */
    public Duration deadAfter() {
        return heartbeatInterval.multipliedBy(missedHeartbeats);
    }
}
