package dev.tendril.edge.selforg.application;

import dev.tendril.edge.selforg.domain.EventKind;
import dev.tendril.edge.selforg.domain.QoeClusters;
import dev.tendril.edge.selforg.domain.UserCluster;
import dev.tendril.protocol.grid.Capacity;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.spec.DeploymentSpec;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the parts of one service's agent share ({@link ServiceAgent}, {@link GridExchange},
 * {@link MigrationSearches}, {@link ServiceReplicas}, {@link IdleTermination}): the context and
 * spec, the QoE clusters, the users redirected away or held here, the correlation-id sequence,
 * and the redirect at the root that migrations, QoE replicas and offloads end in.
 * Not thread-safe (one thread runs the agent).
 */
final class ServiceScope {
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

    private final AgentContext ctx;
    private final DeploymentSpec spec;
    private final String specYaml;
    private final String service;
    private final QoeClusters clusters;
    private final Map<String, Instant> migratedAway = new HashMap<>();
    /** Users a migration moved here that were still bad here: not moved again until then (the hold-down). */
    private final Map<String, Instant> heldHere = new HashMap<>();
    private long seq;
    private long ignored;

    ServiceScope(AgentContext ctx, DeploymentSpec spec, String specYaml) {
        this.ctx = ctx;
        this.spec = spec;
        this.specYaml = specYaml;
        this.service = spec.service();
        this.clusters = new QoeClusters(ctx.policy().clusterRadiusKm());
    }

    AgentContext ctx() {
        return ctx;
    }

    DeploymentSpec spec() {
        return spec;
    }

    String specYaml() {
        return specYaml;
    }

    String service() {
        return service;
    }

    QoeClusters clusters() {
        return clusters;
    }

    /** Users this node redirected elsewhere, until the redirect's lifetime ends. */
    Map<String, Instant> migratedAway() {
        return migratedAway;
    }

    Map<String, Instant> heldHere() {
        return heldHere;
    }

    /** A fresh correlation id ("mig", "rep"), one sequence for the service. */
    String newId(String prefix) {
        return ctx.newId(prefix, ++seq);
    }

    /** A message that named a child, parent or request this agent does not know. */
    void ignore() {
        ignored++;
    }

    long ignored() {
        return ignored;
    }

    /** How far from a cluster an instance may be and still be expected to meet the spec's latency. */
    double reachKm() {
        return spec.maxLatencyMs() * ctx.policy().kmPerRttMs();
    }

    Capacity need() {
        return spec.requirements().minimum();
    }

    void backOff(UserCluster c, Instant now) {
        c.backOff(now, ctx.policy().searchTimeout(), MAX_BACKOFF);
    }

    /** Asks the root to answer {@code clients} with {@code target}; records {@code kind} (or MIGRATION_FAILED). */
    boolean redirect(List<String> clients, NodeInfo target, String id, EventKind kind, String what, Instant now) {
        Duration lifetime = ctx.policy().migrationLifetime();
        if (!ctx.root().recordMigration(service, clients, target.nodeId(), lifetime)) {
            ctx.events().record(service, EventKind.MIGRATION_FAILED, id, "the root did not record: " + what);
            return false;
        }
        ctx.events().record(service, kind, id, what + "; lifetime " + lifetime.toSeconds() + " s");
        for (String client : clients) {
            migratedAway.put(client, now.plus(lifetime));
        }
        return true;
    }

    /** An IP literal as an address; empty for anything else (never a DNS lookup). */
    static Optional<InetAddress> addressOf(String literal) {
        if (literal.isEmpty() || !literal.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
            return Optional.empty(); // never a DNS lookup
        }
        try {
            return Optional.of(InetAddress.getByName(literal));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }
}
