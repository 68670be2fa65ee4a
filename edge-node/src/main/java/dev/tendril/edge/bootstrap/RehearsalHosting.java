package dev.tendril.edge.bootstrap;

import dev.tendril.edge.application.HostedServices;
import dev.tendril.edge.application.SpecSignatures;
import dev.tendril.edge.application.Ticker;
import dev.tendril.edge.deployment.ContainerRuntime;
import dev.tendril.edge.deployment.Deployments;
import dev.tendril.edge.deployment.Instance;
import dev.tendril.edge.deployment.InstanceRequest;
import dev.tendril.edge.deployment.RuntimeResult;
import dev.tendril.edge.domain.NodePolicies;
import dev.tendril.edge.domain.Platform;
import dev.tendril.edge.overlay.Overlay;
import dev.tendril.edge.overlay.OverlayLink;
import dev.tendril.edge.overlay.RootControl;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.OverlayMessage;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.spec.DeploymentSpec;
import dev.tendril.protocol.spec.Validated;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A node's hosting use cases ({@link HostedServices} over {@link Deployments}) on ports that
 * reach nothing, for the warm-up's rehearsal of a replica deployed here
 * ({@code SelfOrgLoop.rehearseReplicate}): a runtime that starts nothing (it reports an instance
 * up at once), a root that counts the origin in the tree and registers the replica under a
 * made-up parent, a link on which that parent acknowledges the Attach, tickers that never run.
 * The rehearsal then runs the real code of a replica's deploy (the spec's checks and parse, the
 * deployment, the membership's registration and Attach, the outcome back to the agent) once
 * before a real Replicate needs it: in the edge's C1-only JVM each lambda's and method
 * reference's call site is linked the first time it runs (0.3-1 ms each on the loaded testbed,
 * docs/gotchas.md), and that code runs once per replica. Nothing it does reaches the node's
 * deployments, trees, root or peers; it writes the deployment's and the membership's usual
 * INFO lines for the sample service {@code warm-up}.
 */
final class RehearsalHosting {
    /** The made-up parent the rehearsal's root names, never contacted. */
    static final String PARENT = "rehearsal-parent";

    final Deployments deployments;
    final Overlay overlay;
    final HostedServices hosted;

    private RehearsalHosting(Deployments deployments, Overlay overlay, HostedServices hosted) {
        this.deployments = deployments;
        this.overlay = overlay;
        this.hosted = hosted;
    }

    /**
     * @param signatures accepts the rehearsal's sample (signed by the warm-up's own key)
     */
    static RehearsalHosting of(Platform platform, String zone, NodePolicies policies,
                               Function<String, Validated<DeploymentSpec>> specs, SpecSignatures signatures, Clock clock) {
        NodeInfo parent = new NodeInfo(PARENT, "192.0.2.3", platform.position(), List.of(), 7400);
        Deployments deployments = new Deployments(platform, zone, new StartsNothing(), specs, clock);
        Ticker never = new NeverTicks();
        Overlay overlay = new Overlay();
        HostedServices hosted = new HostedServices(platform, deployments, overlay, new RegistersUnder(parent),
                new ParentAcknowledges(), clock, policies, never, never, specs, signatures);
        return new RehearsalHosting(deployments, overlay, hosted);
    }

    /** Reports every instance started at once, and holds none. */
    private static final class StartsNothing implements ContainerRuntime {
        private int started;

        @Override
        public String kind() {
            return "rehearsal";
        }

        @Override
        public synchronized RuntimeResult start(InstanceRequest r) {
            started++;
            return new RuntimeResult.Started(new Instance("rehearsal-" + started, r.nodeId(), r.service(), r.image(), true,
                    r.specText()));
        }

        @Override
        public RuntimeResult remove(String instanceId) {
            return new RuntimeResult.Stopped(instanceId);
        }

        @Override
        public List<Instance> list() {
            return List.of();
        }
    }

    /**
     * The root as a replica's deploy meets it: the origin a member of the tree (its likely parent
     * {@link #PARENT}), the replica registered under that parent; anything else unanswered.
     */
    private static final class RegistersUnder implements RootControl {
        private final NodeInfo parent;

        RegistersUnder(NodeInfo parent) {
            this.parent = parent;
        }

        @Override
        public Optional<Message> call(String service, RootMessage request) {
            if (request instanceof RootMessage.MembershipQuery q) {
                return Optional.of(new RootMessage.Membership(service, q.nodeId(), true, true, List.of(parent.nodeId())));
            }
            if (request instanceof RootMessage.RegisterNode r) {
                return Optional.of(new RootMessage.Registered(service, r.node().nodeId(), Optional.of(parent)));
            }
            if (request instanceof RootMessage.CreateTree c) {
                return Optional.of(new RootMessage.Registered(service, c.node().nodeId(), Optional.empty()));
            }
            return Optional.empty();
        }
    }

    /** The made-up parent acknowledges an Attach; nothing else is answered. */
    private static final class ParentAcknowledges implements OverlayLink {
        @Override
        public Optional<Message> send(NodeInfo peer, OverlayMessage message, Duration timeout, int attempts) {
            if (message instanceof OverlayMessage.Attach a) {
                return Optional.of(new OverlayMessage.AttachAck(a.service(), peer.nodeId()));
            }
            return Optional.empty();
        }
    }

    /** Schedules nothing: the rehearsal's membership runs only the round its deploy runs. */
    private static final class NeverTicks implements Ticker {
        @Override
        public AutoCloseable every(Duration interval, Runnable task) {
            return new Stopped();
        }
    }

    private static final class Stopped implements AutoCloseable {
        @Override
        public void close() {
        }
    }
}
