package dev.tendril.edge.selforg.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * One self-organization action, as logged and as {@code tendrilctl events} lists it.
 *
 * @param seq                  position in this node's event log (1, 2, ...)
 * @param at                   when it happened (the node's clock)
 * @param nodeId               the node that recorded it
 * @param correlationId        the search or replication it belongs to ("" for none)
 * @param detail               one line: what, why, and the numbers
 * @param containerStartMillis for REPLICA_STARTED/REPLICA_REGISTERED: how long the container took to start; else -1
 */
public record SelfOrgEvent(long seq, Instant at, String nodeId, String service, EventKind kind, String correlationId,
                           String detail, long containerStartMillis) {
    public SelfOrgEvent {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(kind, "kind");
        correlationId = correlationId == null ? "" : correlationId;
        detail = detail == null ? "" : detail;
    }
}
