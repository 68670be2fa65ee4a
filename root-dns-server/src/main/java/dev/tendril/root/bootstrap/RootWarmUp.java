package dev.tendril.root.bootstrap;

import dev.tendril.protocol.codec.FrameCodec;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.ServicePort;
import dev.tendril.root.adapter.out.sqlite.SpatialiteTopologyRepository;
import dev.tendril.root.application.ControlDispatcher;
import dev.tendril.root.application.ControlLimits;
import dev.tendril.root.application.DeferredDirectory;
import dev.tendril.root.application.GroupCommitter;
import dev.tendril.root.application.PurgeExpiredMigrations;
import dev.tendril.root.application.RegistrationWatches;
import dev.tendril.root.domain.SpatialInstanceDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * Runs once, off the start path, the root's code that a replication first needs and that a
 * root's first run may never have loaded: answering a registration watch (its lambdas are
 * linked at their first use) and the codec of the topology requests and replies. On a real
 * root the first watch answered took 3.6-11.6 ms from the commit to the socket, the later ones
 * 0.15-0.22 ms; most of it was the JVM linking the watches' lambdas (hop trace and class-load
 * log of topology A, 2026-12-05; docs/evaluation.md, section 1c). The rehearsal uses its own
 * {@link RegistrationWatches} and a node of a service named {@code warm-up}: nothing is held,
 * stored or counted on the root's real instances.
 *
 * <p>Then it rehearses the writer's changes that a replication and a migration make
 * ({@link #rehearseChanges}): a new node registered under a watch, a migration recorded, the
 * membership and hosted-set queries, a node marked down and signed off, on a scratch
 * database, directory and writer of its own. A root meets these changes a few times an hour
 * (its periodic re-registrations change nothing and take another path), so their code stays
 * cold: a new node's registration took 1.5-4.8 ms from the writer's batch to its commit on
 * topology D against 0.2-0.4 ms for a re-registration; in one process with the root's JVM
 * options, 2.4-2.7 ms (median) cold and 1.35-1.57 ms after 200-400 rehearsed rounds, and a
 * migration's record 2.0-2.1 against 1.06-1.31 ms (docs/evaluation.md, section 1c, twenty-fifth
 * session).
 */
final class RootWarmUp {
    private static final Logger log = LoggerFactory.getLogger(RootWarmUp.class);
    static final String SERVICE = "warm-up";

    private RootWarmUp() {
    }

    /**
     * Rounds of {@link #rehearseChanges} a root runs after its start: 200 and 400 gave the same
     * medians in one process (1.5 / 1.35-1.57 ms per new node, 1.25-1.31 / 1.06-1.30 ms per
     * migration record, against 2.4-2.7 / 2.0-2.1 cold), each about 1 s of one core on this VM.
     */
    static final int CHANGE_ROUNDS = 300;

    /**
     * Runs {@link #run}, then {@link #rehearseChanges} ({@code changeRounds} rounds, until
     * {@code stopped} says the root closed), on a daemon thread after {@code delay} (so that it
     * does not slow the start).
     */
    static Thread startAfter(Duration delay, String rootId, int fanOut, int changeRounds, BooleanSupplier stopped) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(delay.toMillis());
                if (stopped.getAsBoolean()) {
                    return;
                }
                long t0 = System.nanoTime();
                run();
                int rounds = rehearseChanges(changeRounds, fanOut, stopped);
                log.debug("{}: warm-up took {} ms ({} rounds of changes)", rootId, (System.nanoTime() - t0) / 1_000_000, rounds);
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

    /**
     * Runs {@code rounds} rounds of the writer's changes on a scratch database in a temporary
     * directory (removed afterwards), with a directory, dispatcher and writer of its own; stops
     * early when {@code stopped} turns true. Each round: a new node registered while a watch for
     * it is held, a migration to it recorded, a membership and a hosted-set query, the node
     * marked down, and signed off (its migration goes with it). Returns the rounds run; throws
     * when a step is refused (the rehearsal would then warm an error path instead).
     */
    static int rehearseChanges(int rounds, int fanOut, BooleanSupplier stopped) {
        Path dir;
        try {
            dir = Files.createTempDirectory("tendril-root-warm-up");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the warm-up's scratch directory", e);
        }
        int done = 0;
        try (SpatialiteTopologyRepository repository = SpatialiteTopologyRepository.open(dir.resolve("topology.db"),
                SpatialiteTopologyRepository.Sync.NORMAL);
             RegistrationWatches watches = new RegistrationWatches(SERVICE)) {
            try (GroupCommitter writer = writerOver(SERVICE + "-scratch", repository, fanOut, 64)) {
                writer.onApplied(watches);
                writer.start();
                expect(writer.handle(new RootMessage.CreateTree(SERVICE, scratchNode("warm-up-origin", 0))), RootMessage.Registered.class);
                for (int i = 0; i < 4; i++) { // parents to choose from
                    expect(writer.handle(new RootMessage.RegisterNode(SERVICE, scratchNode("warm-up-base-" + i, i + 1))),
                            RootMessage.Registered.class);
                }
                for (; done < rounds && !stopped.getAsBoolean(); done++) {
                    rehearseRound(writer, watches, scratchNode("warm-up-r" + done, done));
                }
            }
        } finally {
            deleteScratch(dir);
        }
        return done;
    }

    /**
     * A single root's writer (not started) over {@code repository}, with a DNS directory and a
     * dispatcher of its own (default limits, refusals not logged, no resolver): the rehearsal's,
     * and the root benches' (bench/root/ColdWritesBench.java).
     */
    static GroupCommitter writerOver(String id, SpatialiteTopologyRepository repository, int fanOut, int maxBatch) {
        Clock clock = Clock.systemUTC();
        DeferredDirectory deferred = new DeferredDirectory();
        ControlDispatcher dispatcher = new ControlDispatcher(repository, deferred, clock, fanOut,
                ControlDispatcher::noResolver, ControlLimits.defaults(), ControlLimits.quietRefusals());
        return new GroupCommitter(id, repository, deferred, new SpatialInstanceDirectory(clock), dispatcher,
                new PurgeExpiredMigrations(repository, deferred, clock), Duration.ofHours(1), maxBatch);
    }

    private static void rehearseRound(GroupCommitter writer, RegistrationWatches watches, NodeInfo node) {
        String id = node.nodeId();
        CompletableFuture<RootMessage> seen = watches.hold(SERVICE, new RootMessage.RegistrationWatch(SERVICE, id, 60_000));
        expect(writer.handle(new RootMessage.RegisterNode(SERVICE, node)), RootMessage.Registered.class);
        expect(seen.getNow(null), RootMessage.RegistrationSeen.class);
        expect(writer.handle(new RootMessage.RecordMigration(SERVICE, List.of("198.51.100.0/24"), id, 60_000)),
                RootMessage.Ack.class);
        expect(writer.handle(new RootMessage.MembershipQuery(SERVICE, id, Optional.of(node.position()), 3)),
                RootMessage.Membership.class);
        expect(writer.handle(new RootMessage.HostedSetQuery(SERVICE)), RootMessage.HostedSet.class);
        expect(writer.handle(new RootMessage.NodeState(SERVICE, id, false)), RootMessage.Ack.class);
        writer.handle(new RootMessage.ConditionalSignOff(SERVICE, id, 1));
    }

    /** A node of the scratch tree; {@code i} spreads them over a few hundred kilometres. */
    private static NodeInfo scratchNode(String id, int i) {
        return new NodeInfo(id, "192.0.2." + (i % 250 + 1), new GeoPoint(48.0 + (i % 7) * 0.3, 11.0 + (i % 11) * 0.4),
                List.of(new ServicePort("http", "tcp", 80)), 7400);
    }

    private static void expect(RootMessage reply, Class<? extends RootMessage> type) {
        if (!type.isInstance(reply)) {
            throw new IllegalStateException("the rehearsed change was answered " + reply + ", not " + type.getSimpleName());
        }
    }

    /** Removes a scratch directory and the files in it; a failure is one WARN. */
    static void deleteScratch(Path dir) {
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            log.warn("cannot remove the warm-up's scratch directory {}: {}", dir, e.toString());
        }
    }
}
