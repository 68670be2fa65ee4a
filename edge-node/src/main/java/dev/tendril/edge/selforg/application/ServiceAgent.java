package dev.tendril.edge.selforg.application;

import dev.tendril.edge.selforg.application.port.out.UserLatencies.UserSample;
import dev.tendril.edge.selforg.domain.LoadSample;
import dev.tendril.edge.selforg.domain.LocatedUser;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.SelfOrgMessage;
import dev.tendril.protocol.message.SelfOrgMessage.MigrationNotFound;
import dev.tendril.protocol.message.SelfOrgMessage.MigrationOffer;
import dev.tendril.protocol.message.SelfOrgMessage.MigrationSearch;
import dev.tendril.protocol.message.SelfOrgMessage.NeighbourGrids;
import dev.tendril.protocol.message.SelfOrgMessage.ReplicaReady;
import dev.tendril.protocol.message.SelfOrgMessage.ReplicateReply;
import dev.tendril.protocol.message.SelfOrgMessage.SubtreeGrid;
import dev.tendril.protocol.spec.DeploymentSpec;
import dev.tendril.protocol.spec.Thresholds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The MAPE loop of one hosted service on one node (DESIGN.md flows 4-7, termination):
 * {@link #tick()} exchanges grids when due ({@link GridExchange}), ends searches and
 * replications that ran out of time, and assesses shortage ({@link ServiceReplicas}), QoE
 * ({@link MigrationSearches}) and demand ({@link IdleTermination}); {@link #onMessage} hands
 * what the tree sends to the part it is for. Plain Java on the injected clock; not
 * thread-safe: one thread (the node's self-organization thread) calls everything.
 */
public final class ServiceAgent {
    private static final Logger log = LoggerFactory.getLogger(ServiceAgent.class);

    private final ServiceScope scope;
    private final AgentContext ctx;
    private final DeploymentSpec spec;
    private final String service;
    private final GridExchange exchange;
    private final ServiceReplicas replicas;
    private final MigrationSearches migrations;
    private final IdleTermination termination;
    private boolean degradedLogged;

    public ServiceAgent(AgentContext ctx, DeploymentSpec spec, String specYaml) {
        this.scope = new ServiceScope(ctx, spec, specYaml);
        this.ctx = ctx;
        this.spec = spec;
        this.service = spec.service();
        Instant now = ctx.clock().instant();
        this.exchange = new GridExchange(scope, now);
        this.replicas = new ServiceReplicas(scope);
        this.migrations = new MigrationSearches(scope, exchange, replicas);
        this.termination = new IdleTermination(scope, now);
    }

    public String service() {
        return service;
    }

    public String specYaml() {
        return scope.specYaml();
    }

    public boolean terminated() {
        return termination.terminated();
    }

    /** Messages that named a child, parent or request this agent does not know. */
    public long ignoredMessages() {
        return scope.ignored();
    }

    /** One round of the loop. */
    public void tick() {
        if (termination.terminated()) {
            return;
        }
        Optional<NodeInfo> self = ctx.tree().self(service);
        if (self.isEmpty()) {
            return; // not registered yet
        }
        Instant now = ctx.clock().instant();
        migrations.forgetSeen(now);
        scope.migratedAway().values().removeIf(t -> t.isBefore(now));
        scope.heldHere().values().removeIf(t -> !t.isAfter(now));
        exchange.tick(self.get(), now);
        migrations.timeouts(now);
        replicas.timeouts(now);
        assess(self.get(), now);
    }

    public void onMessage(String from, SelfOrgMessage m) {
        if (termination.terminated()) {
            return;
        }
        Instant now = ctx.clock().instant();
        if (m instanceof SubtreeGrid g) {
            exchange.onSubtreeGrid(g, now);
        } else if (m instanceof NeighbourGrids n) {
            exchange.onNeighbourGrids(n, now);
        } else if (m instanceof MigrationSearch s) {
            migrations.onSearch(s, now);
        } else if (m instanceof MigrationOffer o) {
            migrations.onOffer(o, now);
        } else if (m instanceof MigrationNotFound nf) {
            migrations.onNotFound(nf, now);
        } else if (m instanceof ReplicateReply r) {
            replicas.onReply(from, r, now);
        } else if (m instanceof ReplicaReady r) {
            replicas.onReady(from, r, now);
        } else {
            scope.ignore();
        }
    }

    // ---- assessment (flow 5) ----

    private void assess(NodeInfo self, Instant now) {
        Thresholds t = spec.policies().thresholds().orElse(ctx.nodeThresholds());
        LoadSample load = ctx.load().load();
        Optional<List<UserSample>> measured = ctx.latencies().users(service);
        if (measured.isEmpty() && !degradedLogged) {
            degradedLogged = true;
            log.warn("{} {}: latency is not measured: no QoE migrations and no idle termination", ctx.nodeId(), service);
        }
        List<LocatedUser> users = measured.map(this::locate).orElse(List.of());
        if (measured.isPresent() && !measured.get().isEmpty()) {
            termination.demand(now);
        }
        replicas.assess(self, load, t, users, now);
        if (measured.isPresent() && spec.maxLatencyMs() > 0) {
            migrations.assess(self, users, now);
        }
        if (measured.isPresent() && measured.get().isEmpty()) {
            termination.idle(now, replicas.busy() || migrations.pending());
        }
    }

    private List<LocatedUser> locate(List<UserSample> samples) {
        List<LocatedUser> out = new ArrayList<>();
        for (UserSample s : samples) {
            ServiceScope.addressOf(s.address()).flatMap(a -> ctx.locator().locate(a))
                    .ifPresent(loc -> out.add(new LocatedUser(s.address(), loc.point(), s.medianMs())));
        }
        return out;
    }
}
