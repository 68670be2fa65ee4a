package dev.tendril.edge.selforg.application.port.out;

import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.spec.DeploymentSpec;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Consumer;

/** Port: this platform's deployments, as self-organization uses them. */
public interface ReplicaHost {
    /** How a replica deployment ended. */
    sealed interface Outcome {
    }

    /**
     * Running and registered with the root ({@code registeredAt}: when the root acknowledged it, or
     * when the deploy ended without an answer); as {@code done}'s outcome also attached to its
     * parent, or the attach failed and the membership's rounds retry it.
     */
    record Deployed(NodeInfo instance, DeploymentSpec spec, Duration containerStart, Instant registeredAt,
                    boolean membershipAhead) implements Outcome {
        public Deployed {
            Objects.requireNonNull(instance, "instance");
            Objects.requireNonNull(spec, "spec");
            Objects.requireNonNull(containerStart, "containerStart");
            Objects.requireNonNull(registeredAt, "registeredAt");
        }

        /**
         * The container start in whole milliseconds, rounded to the nearest: what the ReplicaReady
         * and the REPLICA_STARTED event carry, and what time-to-replicate leaves out. Truncated
         * ({@link Duration#toMillis}) it left up to 1 ms of every start (0.5 on average) counted
         * as processing.
         */
        public long containerStartMillis() {
            return (containerStart.toNanos() + 500_000) / 1_000_000;
        }

        /** Deployed without a membership answer fetched ahead ({@link #expect}). */
        public Deployed(NodeInfo instance, DeploymentSpec spec, Duration containerStart, Instant registeredAt) {
            this(instance, spec, containerStart, registeredAt, false);
        }
    }

    record Failed(String reason) implements Outcome {
    }

    /**
     * Deploys a replica from the spec text as a joining (never a tree-creating) deployment:
     * start the instance, register with the root, attach. {@code done} is called once, on
     * the agent's thread (the adapter hands it over), when that has finished or failed.
     */
    void deploy(String service, String specYaml, Consumer<Outcome> done);

    /**
     * As {@link #deploy(String, String, Consumer)} for a replica {@code offeredBy} another node:
     * an adapter may refuse (Failed) when that node is not a member of the service's tree.
     */
    default void deploy(String service, String specYaml, NodeInfo offeredBy, Consumer<Outcome> done) {
        deploy(service, specYaml, done);
    }

    /**
     * As {@link #deploy(String, String, NodeInfo, Consumer)}; an adapter that deploys on a thread
     * of its own calls {@code ready} once, off the agent's thread, with the {@link Deployed} outcome
     * as soon as the root acknowledged the replica's registration (DNS answers it from then on),
     * before its Attach to the tree and before {@code done} reaches the agent's thread (which may be
     * busy with a round), for what must leave at once and is thread-safe: the ReplicaReady to the
     * origin. {@code done} follows after the attach, as before. Default: {@code ready} is never called.
     */
    default void deploy(String service, String specYaml, NodeInfo offeredBy, Consumer<Deployed> ready, Consumer<Outcome> done) {
        deploy(service, specYaml, offeredBy, done);
    }

    /**
     * A hint that {@code origin} may soon offer a replica of {@code service}
     * ({@code ReplicateSoon}): an adapter may check {@code origin}'s membership with the root now,
     * so that the Replicate's {@link #deploy} finds the answer instead of waiting for the round
     * trip ({@link Deployed#membershipAhead}). Must not block. Default: nothing.
     */
    default void expect(String service, String origin) {
    }

    /**
     * As {@link #expect(String, String)}, with the spec the Replicate would carry ("" for none):
     * an adapter may also check its operator signature now, once {@code origin} is known to be a
     * member, so that the Replicate finds it checked. Must not block. Default: the hint without it.
     */
    default void expect(String service, String origin, String specYaml) {
        expect(service, origin);
    }

    /** What the root decided about an idle instance's leave ({@link #terminate}). */
    sealed interface Termination {
    }

    /** Signed off at the root, which counted {@code liveInstances} live instances left without it; the instance is being stopped. */
    record Granted(int liveInstances) implements Termination {
    }

    /** The root refused: leaving would take the tree's {@code liveInstances} below the minimum. Nothing changed. */
    record Refused(int liveInstances) implements Termination {
    }

    /** No decision (the root did not answer, or the instance is not in a tree here). Nothing changed. */
    record Unanswered(String why) implements Termination {
    }

    /**
     * Terminates this platform's instance of {@code service} only if at least
     * {@code minInstances} live instances remain without it: the root decides and signs it
     * off in one step (so instances leaving at the same moment never undercut the minimum);
     * when granted the instance is stopped and its children re-attach. One root round trip,
     * on the caller's thread; the stop runs in the background.
     */
    Termination terminate(String service, int minInstances);
}
