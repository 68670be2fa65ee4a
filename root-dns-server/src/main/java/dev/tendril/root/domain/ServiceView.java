package dev.tendril.root.domain;

import java.util.Objects;

/** One consistent, immutable view of a service: its instances and its migration records. */
public record ServiceView(String service, ServiceInstances instances, MigrationTable migrations) {
    public ServiceView {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(instances, "instances");
        Objects.requireNonNull(migrations, "migrations");
    }
}
