package dev.tendril.root.application;

import dev.tendril.root.application.port.out.TopologyRepository;
import dev.tendril.root.domain.InstanceDirectory;
import dev.tendril.root.domain.Migration;

import java.time.Clock;

/** Drops migration records whose lifetime is over, from the repository and then from DNS. */
public final class PurgeExpiredMigrations {
    private final TopologyRepository repository;
    private final InstanceDirectory directory;
    private final Clock clock;

    public PurgeExpiredMigrations(TopologyRepository repository, InstanceDirectory directory, Clock clock) {
        this.repository = repository;
        this.directory = directory;
        this.clock = clock;
    }

    /** Returns how many records were dropped. */
    public int execute() {
        int n = 0;
        for (Migration m : repository.removeExpiredMigrations(clock.millis())) {
            directory.removeMigration(m.service(), m.clients());
            n++;
        }
        return n;
    }
}
