package dev.tendril.root.application;

import dev.tendril.root.application.port.out.TopologyRepository;
import dev.tendril.root.domain.Instance;
import dev.tendril.root.domain.InstanceDirectory;
import dev.tendril.root.domain.MigrationEntry;
import dev.tendril.root.domain.SpatialInstanceDirectory;
import dev.tendril.root.domain.Migration;
import dev.tendril.root.domain.TreeNode;

import java.time.Clock;

/**
 * At start: fills the in-memory directory from the repository (every node with its state,
 * every migration record still alive), after dropping the records that expired while the
 * root was down.
 */
public final class RecoverDirectory {
    /** What was loaded. */
    public record Recovered(int trees, int nodes, int migrations, int expiredDropped) {
    }

    private final TopologyRepository repository;
    private final Clock clock;

    public RecoverDirectory(TopologyRepository repository, Clock clock) {
        this.repository = repository;
        this.clock = clock;
    }

    public Recovered into(InstanceDirectory target) {
        DeferredDirectory directory = new DeferredDirectory();
        Recovered recovered = repository.inTransaction(() -> {
            long now = clock.millis();
            int expired = repository.removeExpiredMigrations(now).size();
            int trees = 0;
            int nodes = 0;
            for (String service : repository.services()) {
                trees++;
                for (TreeNode n : repository.nodes(service)) {
                    directory.putInstance(service, n.info(), n.live());
                    nodes++;
                }
            }
            int migrations = 0;
            for (Migration m : repository.migrations("")) {
                directory.putMigration(m.service(), m.clients(), m.targetNodeId(), m.expiresAtMillis());
                migrations++;
            }
            return new Recovered(trees, nodes, migrations, expired);
        });
        target.batch(directory::flushTo); // one publication for the whole state
        return recovered;
    }

    /**
     * Replaces everything the directory holds with the repository's state (after the store was
     * restored from a snapshot), published as one step: DNS sees the old state or the new one.
     */
    public Recovered replacing(SpatialInstanceDirectory target) {
        DeferredDirectory fresh = new DeferredDirectory();
        Recovered recovered = into(fresh);
        target.batch(d -> {
            for (String service : target.serviceNames()) {
                target.service(service).ifPresent(view -> {
                    for (Instance i : view.instances().all()) {
                        d.removeInstance(service, i.nodeId());
                    }
                    for (MigrationEntry m : view.migrations().all()) {
                        d.removeMigration(service, m.clients());
                    }
                });
            }
            fresh.flushTo(d);
        });
        return recovered;
    }
}
