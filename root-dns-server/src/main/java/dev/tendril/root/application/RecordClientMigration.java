package dev.tendril.root.application;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.Ack;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.message.RootMessage.RecordMigration;
import dev.tendril.protocol.net.Cidr;
import dev.tendril.root.application.port.out.TopologyRepository;
import dev.tendril.root.domain.InstanceDirectory;
import dev.tendril.root.domain.Migration;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Records that a cluster of clients (addresses or subnets) is answered with a target node
 * for a lifetime. One record per subnet; a newer record for the same subnet replaces the
 * older one. All subnets are checked before anything is written (all or nothing). The target
 * must be a node of the tree (live or not: DNS answers a migration only while its target is live).
 * A retry re-records the same targets with a lifetime counted from the retry.
 */
public final class RecordClientMigration {
    private final TopologyRepository repository;
    private final InstanceDirectory directory;
    private final Clock clock;

    public RecordClientMigration(TopologyRepository repository, InstanceDirectory directory, Clock clock) {
        this.repository = repository;
        this.directory = directory;
        this.clock = clock;
    }

    public RootMessage execute(RecordMigration request) {
        String service = request.service();
        List<Cidr> subnets = new ArrayList<>(request.clients().size());
        for (String client : request.clients()) {
            try {
                subnets.add(Cidr.parse(client));
            } catch (IllegalArgumentException e) {
                return new ErrorReply(ControlErrors.INVALID, e.getMessage());
            }
        }
        if (repository.node(service, request.targetNodeId()).isEmpty()) {
            return ControlErrors.missing(repository, service, request.targetNodeId());
        }
        long now = clock.millis();
        long expires = now > Long.MAX_VALUE - request.lifetimeMillis() ? Long.MAX_VALUE : now + request.lifetimeMillis();
        for (Cidr subnet : subnets) {
            repository.saveMigration(new Migration(service, subnet, request.targetNodeId(), now, expires));
            directory.putMigration(service, subnet, request.targetNodeId(), expires);
        }
        return new Ack();
    }
}
