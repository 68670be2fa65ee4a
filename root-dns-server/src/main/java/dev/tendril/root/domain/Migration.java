package dev.tendril.root.domain;

import dev.tendril.protocol.net.Cidr;

import java.util.Objects;

/** Clients in {@code clients} are answered with {@code targetNodeId} until {@code expiresAtMillis} (exclusive). */
public record Migration(Cidr clients, String targetNodeId, long expiresAtMillis) {
    public Migration {
        Objects.requireNonNull(clients, "clients");
        Objects.requireNonNull(targetNodeId, "targetNodeId");
    }

    public boolean isLiveAt(long nowMillis) {
        return nowMillis < expiresAtMillis;
    }
}
