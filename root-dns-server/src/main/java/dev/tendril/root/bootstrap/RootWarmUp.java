package dev.tendril.root.bootstrap;

import dev.tendril.protocol.codec.FrameCodec;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.ServicePort;
import dev.tendril.root.application.RegistrationWatches;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Runs once, off the start path, the root's code that a replication first needs and that a
 * root's first run may never have loaded: answering a registration watch (its lambdas are
 * linked at their first use) and the codec of the topology requests and replies. On a real
 * root the first watch answered took 3.6-11.6 ms from the commit to the socket, the later ones
 * 0.15-0.22 ms; most of it was the JVM linking the watches' lambdas (hop trace and class-load
 * log of topology A, 2026-12-05; docs/evaluation.md, section 1c). The rehearsal uses its own
 * {@link RegistrationWatches} and a node of a service named {@code warm-up}: nothing is held,
 * stored or counted on the root's real instances.
 */
final class RootWarmUp {
    private static final Logger log = LoggerFactory.getLogger(RootWarmUp.class);
    static final String SERVICE = "warm-up";

    private RootWarmUp() {
    }

    /** Runs {@link #run} on a daemon thread after {@code delay} (so that it does not slow the start). */
    static Thread startAfter(Duration delay, String rootId) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(delay.toMillis());
                long t0 = System.nanoTime();
                run();
                log.debug("{}: warm-up took {} ms", rootId, (System.nanoTime() - t0) / 1_000_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                log.warn("{}: warm-up failed (the first replication's answers will leave slower): {}", rootId, e.toString());
            }
        }, "warm-up-" + rootId);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Holds and answers one watch on scratch watches and round-trips the messages; throws when a step fails. */
    static RootMessage.RegistrationSeen run() {
        NodeInfo node = new NodeInfo("warm-up-1", "192.0.2.1", new GeoPoint(48.1, 11.6),
                List.of(new ServicePort("http", "tcp", 80)), 7400);
        RootMessage.RegistrationSeen seen;
        try (RegistrationWatches scratch = new RegistrationWatches(SERVICE)) {
            CompletableFuture<RootMessage> reply = scratch.hold(SERVICE, new RootMessage.RegistrationWatch(SERVICE, node.nodeId(), 60_000));
            scratch.applied(new RootMessage.RegisterNode(SERVICE, node), new RootMessage.Registered(SERVICE, node.nodeId(), Optional.empty()));
            if (!(reply.getNow(null) instanceof RootMessage.RegistrationSeen s) || s.node().isEmpty()) {
                throw new IllegalStateException("the rehearsed watch was not answered with the node: " + reply.getNow(null));
            }
            seen = s;
        }
        FrameCodec codec = FrameCodec.standard();
        codec.rehearse(seen);
        codec.rehearseReplicationWithRoot(SERVICE, node);
        codec.rehearse(new RootMessage.HostedSetQuery(SERVICE));
        codec.rehearse(new RootMessage.HostedSet(SERVICE, List.of(node.nodeId())));
        codec.rehearse(new RootMessage.RecordMigration(SERVICE, List.of("198.51.100.0/24"), node.nodeId(), 60_000));
        codec.rehearse(new RootMessage.NodeState(SERVICE, node.nodeId(), true));
        codec.rehearse(new RootMessage.Ack());
        return seen;
    }

}
