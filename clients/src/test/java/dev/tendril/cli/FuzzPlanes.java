package dev.tendril.cli;

import dev.tendril.protocol.codec.DecodeResult;
import dev.tendril.protocol.codec.FrameCodec;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.AdminAuth;
import dev.tendril.protocol.message.AdminMessage;
import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.MessageId;
import dev.tendril.protocol.message.MessageType;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.OverlayMessage;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.SelfOrgMessage;
import dev.tendril.protocol.message.ServicePort;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The three ZeroMQ planes of {@link FuzzTargets} as {@link FrameFuzzer.Plane}s: the seed frames
 * each mutator starts from (requests of that plane from the fuzzer's own identity, which pass
 * the policy and reach the handlers, plus every golden frame of shared-protocol re-sent as
 * the fuzzer, so requests about other nodes reach the policy) and the valid probe with the
 * check of its reply.
 */
final class FuzzPlanes {
    static final String WEB = "web";
    static final String OWN = "fz";
    /** The servers' frame limit (ServerOptions' default maxFrameBytes): larger frames drop the connection. */
    static final int MAX_FRAME = 16 << 20;
    private static final FrameCodec CODEC = FrameCodec.standard();

    private final FuzzTargets t;
    private final SplittableRandom random;
    private final NodeInfo me;

    FuzzPlanes(FuzzTargets targets, long seed) {
        this.t = targets;
        this.random = new SplittableRandom(seed);
        this.me = new NodeInfo(FuzzTargets.FUZZER, "127.0.0.9", new GeoPoint(52.52, 13.405),
                List.of(new ServicePort("http", "tcp", 8080)), 0);
    }

    FrameFuzzer.Plane root() {
        List<Message> own = List.of(
                new RootMessage.CreateTree(OWN, me),
                new RootMessage.RegisterNode(OWN, me),
                new RootMessage.SignOff(OWN, me.nodeId()),
                new RootMessage.ConditionalSignOff(OWN, me.nodeId(), 1),
                new RootMessage.OrphanReport(OWN, me.nodeId(), "gone-1"),
                new RootMessage.NodeState(OWN, me.nodeId(), true),
                new RootMessage.RecordMigration(OWN, List.of("10.2.0.0/24", "10.3.0.0/16"), me.nodeId(), 60_000),
                new RootMessage.RecordMigration(WEB, List.of("10.1.0.0/24"), FuzzTargets.EDGE, 60_000),
                new RootMessage.HostedSetQuery(WEB),
                new RootMessage.MembershipQuery(WEB, FuzzTargets.EDGE, Optional.of(me.position()), 3),
                new RootMessage.TreeQuery(WEB),
                new RootMessage.MigrationsQuery(WEB),
                new RootMessage.ResolveQuery(WEB, "10.1.2.3"),
                new RootMessage.KeysQuery(),
                new RootMessage.RootStatsQuery(),
                new RootMessage.RootsQuery(),
                new RootMessage.EnrolKey(RootMessage.KeyRole.PLATFORM, "intruder", t.fuzzerKeys.publicKey()));
        return new FrameFuzzer.Plane("root control", t.rootEndpoint(), t.rootKeys.publicKey(), t.fuzzerKeys, MAX_FRAME,
                seeds(own, OWN, FuzzTargets.FUZZER), FuzzTargets.FUZZER,
                () -> envelope(WEB, FuzzTargets.FUZZER, new RootMessage.ResolveQuery(WEB, "10.1.2.3")),
                m -> m instanceof RootMessage.ResolveAnswer a && a.instances().stream()
                        .anyMatch(n -> n.nodeId().equals(FuzzTargets.EDGE) && n.address().equals(t.edgeAddress)));
    }

    FrameFuzzer.Plane tree() {
        String spec = "service: " + WEB + "\nimage: local/busybox-httpd\ncommand: [\"/bin/true\"]\nzone: " + FuzzTargets.ZONE + "\n";
        List<Message> own = List.of(
                new OverlayMessage.Attach(WEB, me),
                new OverlayMessage.Heartbeat(WEB, me.nodeId()),
                new OverlayMessage.Detach(WEB, me.nodeId()),
                new OverlayMessage.Heartbeat(OWN, me.nodeId()),
                new SelfOrgMessage.Replicate(WEB, "r-fz-1", me, spec));
        return new FrameFuzzer.Plane("tree", t.treeEndpoint(), t.edgePublicKey, t.fuzzerKeys, MAX_FRAME,
                seeds(own, WEB, FuzzTargets.FUZZER), FuzzTargets.FUZZER,
                () -> envelope(WEB, FuzzTargets.FUZZER, new OverlayMessage.Heartbeat(WEB, FuzzTargets.FUZZER)),
                m -> m instanceof OverlayMessage.HeartbeatAck a && a.service().equals(WEB));
    }

    FrameFuzzer.Plane admin() {
        long now = System.currentTimeMillis();
        String spec = "service: fzx\nimage: local/busybox-httpd\ncommand: [\"/bin/true\"]\nroot: true\n";
        List<Envelope> own = List.of(
                signed(MessageType.ADMIN_STATS_QUERY, "", AdminMessage.StatsQuery::new, now),
                signed(MessageType.ADMIN_NODES_QUERY, "", AdminMessage.NodesQuery::new, now),
                signed(MessageType.ADMIN_TREE_REQUEST, WEB, a -> new AdminMessage.TreeRequest(a, WEB), now),
                signed(MessageType.ADMIN_REMOVE, "nosuch", a -> new AdminMessage.Remove(a, "nosuch"), now),
                signed(MessageType.ADMIN_DEPLOY, spec, a -> new AdminMessage.Deploy(a, spec), now),
                signed(MessageType.ADMIN_EVENTS_QUERY, WEB, a -> new AdminMessage.EventsQuery(a, WEB, 0, 10), now));
        List<byte[]> seeds = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            own.forEach(e -> seeds.add(CODEC.encode(e)));
        }
        seeds.addAll(golden("tendrilctl"));
        return new FrameFuzzer.Plane("admin", t.adminEndpoint(), t.edgePublicKey, t.operatorKeys, MAX_FRAME, seeds, "tendrilctl",
                () -> signed(MessageType.ADMIN_STATS_QUERY, "", AdminMessage.StatsQuery::new, System.currentTimeMillis()),
                m -> m instanceof AdminMessage.StatsReply r && r.nodeId().equals(FuzzTargets.EDGE));
    }

    private Envelope signed(MessageType type, String payload, Function<String, AdminMessage.Request> build, long now) {
        MessageId id = new MessageId(random.nextLong(), random.nextLong());
        return new Envelope(id, "", "tendrilctl", now, build.apply(AdminAuth.sign(FuzzTargets.ADMIN_KEY, id, now, type, payload)));
    }

    private Envelope envelope(String service, String from, Message body) {
        return new Envelope(new MessageId(random.nextLong(), random.nextLong()), service, from, System.currentTimeMillis(), body);
    }

    /** The plane's own requests (four times, so they are mutated more often) and every golden frame, sent as {@code from}. */
    private List<byte[]> seeds(List<Message> own, String service, String from) {
        List<Envelope> envelopes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            own.forEach(m -> envelopes.add(envelope(service, from, m)));
        }
        List<byte[]> seeds = new ArrayList<>(FrameMutator.loopbackFrames(envelopes));
        seeds.addAll(golden(from));
        return seeds;
    }

    /** The golden frames of shared-protocol (one per message type), re-sent as {@code from}, node addresses on loopback. */
    static List<byte[]> golden(String from) {
        Path dir = Testbed.REPO.resolve("shared-protocol/src/test/resources/golden");
        List<Envelope> envelopes = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".bin")).sorted().toList()) {
                if (CODEC.decode(Files.readAllBytes(f)) instanceof DecodeResult.Decoded d) {
                    Envelope e = d.envelope();
                    envelopes.add(new Envelope(e.id(), e.service(), from, System.currentTimeMillis(), e.body()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the golden frames in " + dir, e);
        }
        if (envelopes.size() < 40) {
            throw new AssertionError("expected the golden frames of every message type in " + dir + ", found " + envelopes.size());
        }
        return FrameMutator.loopbackFrames(envelopes);
    }
}
