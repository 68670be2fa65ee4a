package dev.tendril.root.domain;

import dev.tendril.protocol.message.Names;
import dev.tendril.protocol.net.Cidr;

import java.util.Objects;

/**
 * A migration record: DNS answers clients in {@code clients} with {@code targetNodeId}
 * instead of the nearest instance, until {@code expiresAtMillis}.
 */
public record Migration(String service, Cidr clients, String targetNodeId, long createdAtMillis, long expiresAtMillis) {
    public Migration {
        Names.requireDnsLabel("service", service);
        Objects.requireNonNull(clients, "clients");
        Names.requireDnsLabel("target node id", targetNodeId);
        if (expiresAtMillis <= createdAtMillis) {
            throw new IllegalArgumentException("migration must expire after it was created: created "
                    + createdAtMillis + ", expires " + expiresAtMillis);
        }
    }

    public boolean isLiveAt(long nowMillis) {
        return nowMillis < expiresAtMillis;
    }
}
