package dev.tendril.root.application;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.Ack;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.message.RootMessage.RecordMigration;
import dev.tendril.protocol.net.Cidr;
import dev.tendril.protocol.refusal.RefusalLog;
import dev.tendril.root.application.port.out.TopologyRepository;
import dev.tendril.root.domain.InstanceDirectory;
import dev.tendril.root.domain.Migration;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Records that a cluster of clients (addresses or subnets) is answered with a target node
 * for a lifetime. One record per subnet; a newer record for the same subnet replaces the
 * older one. All subnets are checked before anything is written (all or nothing).
 *
 * <p>Within {@link ControlLimits}: at most {@code maxSubnetsPerRequest} subnets, none wider
 * than the minimum prefix of its family, a lifetime of at most {@code maxMigrationLifetime},
 * a target that is a live node of the tree, and no more records per service and in total
 * than the quotas (a subnet already recorded is replaced, so it does not count again). Each
 * refusal is a LIMIT (NOT_FOUND for a missing tree or node, INVALID for a bad subnet) and is
 * counted per reason. A retry re-records the same targets with a lifetime counted from the retry.
 */
public final class RecordClientMigration {
    static final String TOO_MANY_SUBNETS = "migration-too-many-subnets";
    static final String TOO_WIDE = "migration-subnet-too-wide";
    static final String TOO_LONG = "migration-lifetime-too-long";
    static final String NOT_LIVE = "migration-target-not-live";
    static final String SERVICE_QUOTA = "migration-quota-per-service";
    static final String TOTAL_QUOTA = "migration-quota-total";
    static final String BAD_SUBNET = "migration-bad-subnet";

    private final TopologyRepository repository;
    private final InstanceDirectory directory;
    private final Clock clock;
    private final ControlLimits limits;
    private final RefusalLog refusals;

    /** Without limits or quotas (simulations); the target must still be live. */
    public RecordClientMigration(TopologyRepository repository, InstanceDirectory directory, Clock clock) {
        this(repository, directory, clock, ControlLimits.unlimited(), ControlLimits.quietRefusals());
    }

    public RecordClientMigration(TopologyRepository repository, InstanceDirectory directory, Clock clock,
                                 ControlLimits limits, RefusalLog refusals) {
        this.repository = repository;
        this.directory = directory;
        this.clock = clock;
        this.limits = limits;
        this.refusals = refusals;
    }

    public RootMessage execute(RecordMigration request) {
        String service = request.service();
        if (request.clients().size() > limits.maxSubnetsPerRequest()) {
            return refuse(TOO_MANY_SUBNETS, ControlErrors.LIMIT, request.clients().size() + " subnets in one request; at most "
                    + limits.maxSubnetsPerRequest() + " allowed (control.limits.maxSubnetsPerRequest)");
        }
        if (request.lifetimeMillis() > limits.maxMigrationLifetime().toMillis()) {
            return refuse(TOO_LONG, ControlErrors.LIMIT, "lifetime " + request.lifetimeMillis() + " ms; at most "
                    + limits.maxMigrationLifetime().toMillis() + " ms allowed (control.limits.maxMigrationLifetime)");
        }
        List<Cidr> subnets = new ArrayList<>(request.clients().size());
        for (String client : request.clients()) {
            Cidr subnet;
            try {
                subnet = Cidr.parse(client);
            } catch (IllegalArgumentException e) {
                return refuse(BAD_SUBNET, ControlErrors.INVALID, e.getMessage());
            }
            int min = subnet.isIpv6() ? limits.minIpv6Prefix() : limits.minIpv4Prefix();
            if (subnet.prefixLength() < min) {
                return refuse(TOO_WIDE, ControlErrors.LIMIT, "subnet " + subnet + " is wider than /" + min
                        + " (control.limits." + (subnet.isIpv6() ? "minIpv6Prefix" : "minIpv4Prefix") + ")");
            }
            subnets.add(subnet);
        }
        var target = repository.node(service, request.targetNodeId());
        if (target.isEmpty()) {
            return ControlErrors.missing(repository, service, request.targetNodeId());
        }
        if (!target.get().live()) {
            return refuse(NOT_LIVE, ControlErrors.LIMIT, "target '" + request.targetNodeId() + "' of '" + service
                    + "' is down; a migration must target a live instance");
        }
        int added = (int) subnets.stream().distinct().filter(s -> !repository.hasMigration(service, s)).count();
        if (added > 0) {
            int perService = repository.migrationCount(service);
            if ((long) perService + added > limits.maxMigrationsPerService()) {
                return refuse(SERVICE_QUOTA, ControlErrors.LIMIT, "'" + service + "' holds " + perService
                        + " migration records; " + added + " more would pass its quota of "
                        + limits.maxMigrationsPerService() + " (control.limits.maxMigrationsPerService)");
            }
            int total = repository.migrationCount("");
            if ((long) total + added > limits.maxMigrationsTotal()) {
                return refuse(TOTAL_QUOTA, ControlErrors.LIMIT, "the root holds " + total + " migration records; "
                        + added + " more would pass the quota of " + limits.maxMigrationsTotal()
                        + " (control.limits.maxMigrationsTotal)");
            }
        }
        long now = clock.millis();
        long expires = now > Long.MAX_VALUE - request.lifetimeMillis() ? Long.MAX_VALUE : now + request.lifetimeMillis();
        for (Cidr subnet : subnets) {
            repository.saveMigration(new Migration(service, subnet, request.targetNodeId(), now, expires));
            directory.putMigration(service, subnet, request.targetNodeId(), expires);
        }
        return new Ack();
    }

    private ErrorReply refuse(String reason, String code, String message) {
        refusals.count(reason);
        return new ErrorReply(code, message);
    }
}
