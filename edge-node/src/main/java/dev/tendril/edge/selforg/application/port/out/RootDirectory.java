package dev.tendril.edge.selforg.application.port.out;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Port: what self-organization asks of the root control endpoint. Empty/false when no root answered. */
public interface RootDirectory {
    /** A live redirect at the root: {@code client} (an address or CIDR) is answered with the target since {@code createdAt}. */
    record Redirect(String client, String targetNodeId, Instant createdAt) {
    }

    /** Answer {@code clients} (addresses or CIDRs) with {@code targetNodeId} for {@code lifetime}; true once recorded. */
    boolean recordMigration(String service, List<String> clients, String targetNodeId, Duration lifetime);

    /** The platforms hosting {@code service} (one round trip). */
    Optional<Set<String>> hostedSet(String service);

    /** The live redirects of {@code service} (one round trip). */
    Optional<List<Redirect>> redirects(String service);
}
