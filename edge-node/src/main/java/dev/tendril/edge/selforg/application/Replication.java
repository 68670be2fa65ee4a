package dev.tendril.edge.selforg.application;

import dev.tendril.edge.domain.Platform;
import dev.tendril.edge.selforg.domain.EventKind;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.SelfOrgMessage.ReplicaReady;
import dev.tendril.protocol.message.SelfOrgMessage.Replicate;
import dev.tendril.protocol.message.SelfOrgMessage.ReplicateReply;
import dev.tendril.protocol.text.Decimals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * One replication at the origin (DESIGN.md flow 7): asks the candidates in order, nearest
 * first. A candidate that does not answer gets the same request (same request id, so it
 * deploys at most once) up to the configured attempts; one that refuses or fails, or does
 * not answer at all, is passed over for the next. Once a candidate has accepted, the run
 * waits for its ReplicaReady (up to the ready timeout) and never asks another: a slow
 * replica must not turn into two.
 */
final class Replication {
    enum Reason { QOE, SHORTAGE }

    /** Where the run stands after an input. */
    sealed interface Step {
    }

    record Waiting() implements Step {
    }

    /**
     * The replica is registered: {@code fromRoot} when the root's answer to this run's
     * registration watch told it (its container start comes later, with the ReplicaReady;
     * {@code containerStartMillis} is then -1), else the replica's ReplicaReady or a HOSTING reply.
     */
    record Ready(NodeInfo instance, long containerStartMillis, boolean existing, boolean fromRoot) implements Step {
        Ready(NodeInfo instance, long containerStartMillis, boolean existing) {
            this(instance, containerStartMillis, existing, false);
        }
    }

    record Exhausted(String why) implements Step {
    }

    private static final Waiting WAITING = new Waiting();

    private final AgentContext ctx;
    private final String service;
    private final String specYaml;
    private final NodeInfo requester;
    private final String id;
    private final Reason reason;
    private final GeoPoint position;
    private final String clusterId;
    private final List<Platform> candidates;
    private int index;
    private int attempts;
    private boolean accepted;
    private Instant deadline;
    /** The current candidate's registration as the root told it, before its acceptance came. */
    private NodeInfo registered;
    private final BiConsumer<String, Optional<NodeInfo>> seen;

    /**
     * @param seen where the root's answers to the registration watches go (candidate, its
     *             registration): to {@link #onRegistered} of this run, on the self-organization thread
     */
    Replication(AgentContext ctx, String service, String specYaml, NodeInfo requester, String id, Reason reason,
                GeoPoint position, String clusterId, List<Platform> candidates,
                BiConsumer<String, Optional<NodeInfo>> seen) {
        this.seen = seen;
        this.ctx = ctx;
        this.service = service;
        this.specYaml = specYaml;
        this.requester = requester;
        this.id = id;
        this.reason = reason;
        this.position = position;
        this.clusterId = clusterId;
        this.candidates = List.copyOf(candidates);
    }

    String id() {
        return id;
    }

    Reason reason() {
        return reason;
    }

    GeoPoint position() {
        return position;
    }

    /** The QoE cluster the replica is for, or null (shortage). */
    String clusterId() {
        return clusterId;
    }

    void begin() {
        ask();
    }

    private Platform current() {
        return candidates.get(index);
    }

    private void ask() {
        Platform p = current();
        attempts++;
        deadline = ctx.clock().instant().plus(ctx.policy().replyTimeout());
        if (attempts == 1) {
            ctx.events().record(service, EventKind.REPLICA_REQUESTED, id, "asked " + p.id() + " (candidate " + (index + 1)
                    + " of " + candidates.size() + ", " + Decimals.fixed(p.position().distanceKm(position), 0) + " km from "
                    + position + ") to deploy a replica");
        }
        ctx.messenger().sendToPlatform(p.id(), new Replicate(service, id, requester, specYaml));
        if (attempts == 1) {
            // the root tells of the candidate's registration one one-way trip after its commit; the
            // ReplicaReady would take the root's acknowledgement to the replica and then its own trip
            Duration hold = ctx.policy().replyTimeout().multipliedBy(ctx.policy().replicateAttempts())
                    .plus(ctx.policy().readyTimeout());
            ctx.root().watchRegistration(service, p.id(), hold, new SeenFor(p.id()));
        }
    }

    /**
     * The root's answer to the registration watch of {@code candidate}, handed to {@code seen}. A
     * named class, not a lambda: it is created once per replication, on the timed path, and a
     * lambda's call site is linked the first time it runs in the edge's C1-only JVM (docs/gotchas.md).
     */
    private final class SeenFor implements Consumer<Optional<NodeInfo>> {
        private final String candidate;

        SeenFor(String candidate) {
            this.candidate = candidate;
        }

        @Override
        public void accept(Optional<NodeInfo> node) {
            seen.accept(candidate, node);
        }
    }

    Step onReply(String from, ReplicateReply reply) {
        if (!reply.requestId().equals(id) || !from.equals(current().id())) {
            return WAITING;
        }
        switch (reply.status()) {
            case ReplicateReply.ACCEPTED -> {
                if (!accepted) {
                    accepted = true;
                    deadline = ctx.clock().instant().plus(ctx.policy().readyTimeout());
                }
                return registered != null ? new Ready(registered, -1, false, true) : WAITING;
            }
            case ReplicateReply.HOSTING -> {
                if (reply.instance().isPresent()) {
                    return new Ready(reply.instance().get(), 0, true);
                }
                return next("answered 'hosting' without an instance");
            }
            default -> {
                return next("refused: " + reply.detail());
            }
        }
    }

    Step onReady(String from, ReplicaReady ready) {
        if (!ready.requestId().equals(id) || !from.equals(current().id())) {
            return WAITING;
        }
        if (ready.ok()) {
            return new Ready(ready.instance(), ready.containerStartMillis(), false);
        }
        return next("deployment failed: " + ready.detail());
    }

    /**
     * The root answered the watch of {@code candidate}: registered as {@code node}, or empty (the
     * hold ended, no root held it). Ready once the candidate has also accepted this run's Replicate
     * (a node registered before it accepted may host the service already); the ReplicaReady, which
     * follows, then only brings the container start.
     */
    Step onRegistered(String candidate, Optional<NodeInfo> node) {
        if (node.isEmpty() || index >= candidates.size() || !candidate.equals(current().id())) {
            return WAITING;
        }
        if (accepted) {
            return new Ready(node.get(), -1, false, true);
        }
        registered = node.get();
        return WAITING;
    }

    Step onTick(Instant now) {
        if (!now.isAfter(deadline)) {
            return WAITING;
        }
        if (accepted) {
            return next("accepted but not ready within " + ctx.policy().readyTimeout().toMillis() + " ms");
        }
        if (attempts < ctx.policy().replicateAttempts()) {
            ask();
            return WAITING;
        }
        return next("no answer to " + attempts + " sends");
    }

    private Step next(String why) {
        ctx.events().record(service, EventKind.REPLICA_REFUSED, id, current().id() + " " + why);
        index++;
        attempts = 0;
        accepted = false;
        registered = null;
        if (index >= candidates.size()) {
            return new Exhausted("all " + candidates.size() + " candidates failed");
        }
        ask();
        return WAITING;
    }
}
