package dev.tendril.edge.selforg.application;

import dev.tendril.edge.selforg.application.port.out.ReplicaHost;
import dev.tendril.edge.selforg.domain.EventKind;
import dev.tendril.protocol.spec.DeploymentSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Termination of one service's instance after no demand for the spec's idle timeout plus a
 * seeded jitter: the root decides, never below the spec's minimum instances
 * ({@link ReplicaHost#terminate}); refused or unanswered, it asks again after another timeout.
 */
final class IdleTermination {
    private static final Logger log = LoggerFactory.getLogger(IdleTermination.class);

    private final AgentContext ctx;
    private final DeploymentSpec spec;
    private final String service;
    private final Duration idleAfter;
    private Instant lastDemand;
    private boolean terminated;

    IdleTermination(ServiceScope scope, Instant now) {
        this.ctx = scope.ctx();
        this.spec = scope.spec();
        this.service = scope.service();
        this.lastDemand = now;
        long jitter = (long) (spec.policies().idleTimeout().toMillis() * ctx.policy().idleJitter());
        this.idleAfter = spec.policies().idleTimeout().plusMillis(jitter > 0 ? ctx.random().nextLong(jitter + 1) : 0);
    }

    boolean terminated() {
        return terminated;
    }

    /** Users were seen now. */
    void demand(Instant now) {
        lastDemand = now;
    }

    /** No users this round: terminate once idle long enough, unless an action is under way ({@code busy}). */
    void idle(Instant now, boolean busy) {
        if (busy) {
            return;
        }
        Duration quiet = Duration.between(lastDemand, now);
        if (quiet.compareTo(idleAfter) < 0) {
            return;
        }
        int min = spec.policies().minInstances();
        ReplicaHost.Termination t = ctx.host().terminate(service, min);
        if (t instanceof ReplicaHost.Granted g) {
            ctx.events().record(service, EventKind.TERMINATION_DECIDED, "", String.format(Locale.ROOT,
                    "no demand for %.1f s (idle timeout %d s + jitter): the root granted the sign-off, %d live instance(s) remain >= min %d",
                    quiet.toMillis() / 1000.0, spec.policies().idleTimeout().toSeconds(), g.liveInstances(), min));
            terminated = true;
            ctx.events().record(service, EventKind.TERMINATED, "", "signed off and stopping; children re-attach");
        } else if (t instanceof ReplicaHost.Refused r) {
            ctx.events().record(service, EventKind.TERMINATION_SKIPPED, "", String.format(Locale.ROOT,
                    "no demand for %.1f s, but the root refused the sign-off: %d live instance(s), leaving would go below min %d: stays",
                    quiet.toMillis() / 1000.0, r.liveInstances(), min));
            lastDemand = now;
        } else if (t instanceof ReplicaHost.Unanswered u) {
            log.info("{} {}: idle for {} s but no sign-off decision ({}); asking again after the idle timeout",
                    ctx.nodeId(), service, quiet.toSeconds(), u.why());
            lastDemand = now;
        }
    }
}
