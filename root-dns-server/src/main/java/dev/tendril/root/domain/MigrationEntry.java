package dev.tendril.root.domain;

import dev.tendril.protocol.net.Cidr;

import java.util.Objects;

/** The directory's in-memory migration record: clients in {@code clients} are answered with {@code targetNodeId} until {@code expiresAtMillis} (exclusive). */
public record MigrationEntry(Cidr clients, String targetNodeId, long expiresAtMillis) {
    public MigrationEntry {
        Objects.requireNonNull(clients, "clients");
        Objects.requireNonNull(targetNodeId, "targetNodeId");
    }

    public boolean isLiveAt(long nowMillis) {
        return nowMillis < expiresAtMillis;
    }
}
