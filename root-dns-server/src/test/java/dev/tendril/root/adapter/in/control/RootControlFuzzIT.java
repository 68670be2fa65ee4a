package dev.tendril.root.adapter.in.control;

import dev.tendril.protocol.transport.StalledConnect;
import dev.tendril.protocol.codec.FrameCodec;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.MessageId;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.Ack;
import dev.tendril.protocol.message.RootMessage.CreateTree;
import dev.tendril.protocol.message.RootMessage.HostedSet;
import dev.tendril.protocol.message.RootMessage.HostedSetQuery;
import dev.tendril.protocol.message.RootMessage.MigrationsQuery;
import dev.tendril.protocol.message.RootMessage.NodeState;
import dev.tendril.protocol.message.RootMessage.OrphanReport;
import dev.tendril.protocol.message.RootMessage.RecordMigration;
import dev.tendril.protocol.message.RootMessage.RegisterNode;
import dev.tendril.protocol.message.RootMessage.Registered;
import dev.tendril.protocol.message.RootMessage.ResolveQuery;
import dev.tendril.protocol.message.RootMessage.SignOff;
import dev.tendril.protocol.message.RootMessage.TreeQuery;
import dev.tendril.protocol.message.ServicePort;
import dev.tendril.protocol.transport.ServerStats;
import dev.tendril.root.bootstrap.ControlCalls;
import dev.tendril.root.bootstrap.RootConfig;
import dev.tendril.root.bootstrap.RootConfigReader;
import dev.tendril.root.bootstrap.RootProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * 120,000 hostile frames against the root control endpoint: random bytes, valid frames with
 * mutated bodies (bit flips, truncation, inserted and deleted bytes, huge lengths), unknown
 * type ids and protocol versions, well-formed frames with refused field values, and
 * messages of other families. Every 1,000 frames a valid request must be answered
 * correctly (register, listings, migration, state, sign-off). Afterwards the endpoint still
 * works, the drops were counted by reason, and the tree the valid requests built is intact.
 *
 * <p>The hostile frames are built from requests about the services "fz"/"fy" and nodes
 * "fa".."fd", so a mutation that still decodes cannot touch the "web" tree under test
 * (no single mutation turns those names into "web" or its node ids).
 */
class RootControlFuzzIT {
    private static final int FRAMES = 120_000;
    private static final long SEED = 20261128L;

    @TempDir
    Path dir;

    @Test
    void hostileFramesAreDroppedAndValidRequestsKeepBeingAnsweredCorrectly() {
        RootConfig config = RootConfigReader.read(RootConfigReader.BUILTIN_DEMO, List.of("store.path=" + dir.resolve("fuzz.db"),
                "store.sync=NORMAL", "dns.port=0", "control.port=0", "dns.ioThreads=1", "control.handlerThreads=16"), dir).orThrow();
        FrameCodec codec = FrameCodec.standard();
        SplittableRandom random = new SplittableRandom(SEED);
        List<byte[]> templates = templates(codec, random);
        try (RootProcess root = RootProcess.start(config, Clock.systemUTC());
             ControlCalls valid = new ControlCalls(root.controlEndpoint(), "fuzz-check");
             ZContext context = new ZContext(1)) {
            ZMQ.Socket fuzz = StalledConnect.guard(context.createSocket(SocketType.DEALER), 500);
            fuzz.setLinger(0);
            fuzz.setSendTimeOut(5_000);
            fuzz.connect(root.controlEndpoint());

            assertInstanceOf(Registered.class, valid.call(new CreateTree("web", node("top", 48.1, 11.6))));
            List<String> expected = new ArrayList<>(List.of("top"));
            int[] kinds = new int[7];
            for (int i = 0; i < FRAMES; i++) {
                int kind = random.nextInt(7);
                kinds[kind]++;
                byte[] frame = hostile(kind, templates, random);
                assertTrue(fuzz.send(frame, 0), "the endpoint stopped taking frames at " + i);
                while (fuzz.recv(ZMQ.DONTWAIT) != null) {
                    // replies to mutations that still decode; ignored
                }
                if (i % 1_000 == 999) {
                    checkStillAnswering(valid, i / 1_000, expected);
                }
            }
            ServerStats stats = root.controlEndpointAdapter().stats();
            System.out.printf("control fuzz (seed %d): %d frames by kind [random, flipped, truncated, spliced, "
                            + "type, version, refused-field] %s; %s%n", SEED, FRAMES, java.util.Arrays.toString(kinds), stats);
            assertTrue(stats.received() >= FRAMES, stats.toString());
            assertTrue(stats.malformed() > 10_000, "malformed frames are counted: " + stats);
            assertTrue(stats.unknownType() > 10_000, "unknown types are counted: " + stats);
            assertTrue(stats.unknownVersion() > 10_000, "unknown versions are counted: " + stats);
            assertTrue(stats.invalid() > 1_000, "refused field values are counted: " + stats);
            assertEquals(0, stats.handlerFailures(), "no request made a handler throw: " + stats);
            HostedSet hosted = (HostedSet) valid.call(new HostedSetQuery("web"));
            assertEquals(expected.stream().sorted().toList(), hosted.nodeIds());
        }
    }

    /** A round of valid requests whose answers are known exactly. */
    private static void checkStillAnswering(ControlCalls valid, int round, List<String> expected) {
        String id = "n" + round;
        RootMessage reg = valid.call(new RegisterNode("web", node(id, (round % 170) - 85, (round * 7 % 360) - 180)));
        assertInstanceOf(Registered.class, reg, "round " + round + ": " + reg);
        expected.add(id);
        assertEquals(new Ack(), valid.call(new RecordMigration("web", List.of("10.77." + round + ".0/24"), id, 600_000)));
        assertEquals(new Ack(), valid.call(new NodeState("web", id, round % 2 == 0)));
        if (round % 5 == 4) {
            assertEquals(new Ack(), valid.call(new SignOff("web", id)));
            expected.remove(id);
        }
        assertEquals(new HostedSet("web", expected.stream().sorted().toList()), valid.call(new HostedSetQuery("web")));
        RootMessage tree = valid.call(new TreeQuery("web"));
        assertEquals(expected.size(), ((RootMessage.TreeListing) tree).nodes().size(), "round " + round);
    }

    private static NodeInfo node(String id, double lat, double lon) {
        return new NodeInfo(id, "192.0.2.1", new GeoPoint(lat, lon), List.of(new ServicePort("http", "tcp", 80)), 7000);
    }

    /** Valid frames of every root request (about fz/fy only), plus replies and other families' types. */
    private static List<byte[]> templates(FrameCodec codec, SplittableRandom random) {
        NodeInfo fa = new NodeInfo("fa", "198.51.100.7", new GeoPoint(10, 20), List.of(new ServicePort("dns", "udp", 53)), 9);
        NodeInfo fb = new NodeInfo("fb", "2001:db8::fb", new GeoPoint(-10, -170), List.of(), 0);
        List<Message> bodies = List.of(new CreateTree("fz", fa), new RegisterNode("fz", fb), new RegisterNode("fy", fa),
                new SignOff("fz", "fc"), new OrphanReport("fz", "fb", "fa"), new NodeState("fz", "fd", false),
                new RecordMigration("fz", List.of("198.51.100.0/24", "2001:db8::/32"), "fa", 5_000),
                new HostedSetQuery("fz"), new TreeQuery("fy"), new MigrationsQuery("fz"), new ResolveQuery("fz", "10.1.2.3"),
                new Ack(), new RootMessage.ErrorReply("INVALID", "x"), new Registered("fz", "fa", Optional.of(fb)));
        List<byte[]> out = new ArrayList<>();
        for (Message body : bodies) {
            out.add(codec.encode(new Envelope(MessageId.random(random), "fz", "fuzzer", 1L, body)));
        }
        return out;
    }

    private static byte[] hostile(int kind, List<byte[]> templates, SplittableRandom r) {
        byte[] t = templates.get(r.nextInt(templates.size())).clone();
        switch (kind) {
            case 0 -> { // random bytes, sometimes with a valid header
                byte[] b = new byte[r.nextInt(300)];
                r.nextBytes(b);
                if (b.length > 2 && r.nextBoolean()) {
                    b[0] = 1;
                    b[1] = t[1];
                }
                return b;
            }
            case 1 -> { // bit flips in the body
                for (int n = 1 + r.nextInt(4); n > 0; n--) {
                    int at = 2 + r.nextInt(t.length - 2);
                    t[at] ^= (byte) (1 << r.nextInt(8));
                }
                return t;
            }
            case 2 -> { // truncated
                return java.util.Arrays.copyOf(t, r.nextInt(t.length));
            }
            case 3 -> { // bytes inserted or deleted, or a huge MessagePack length/count
                int at = 2 + r.nextInt(t.length - 2);
                if (r.nextBoolean()) {
                    byte[] b = new byte[t.length + 5];
                    System.arraycopy(t, 0, b, 0, at);
                    byte[] huge = {(byte) (r.nextBoolean() ? 0xdd : 0xdb), (byte) 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff};
                    System.arraycopy(huge, 0, b, at, 5);
                    System.arraycopy(t, at, b, at + 5, t.length - at);
                    return b;
                }
                byte[] b = new byte[t.length - 1];
                System.arraycopy(t, 0, b, 0, at);
                System.arraycopy(t, at + 1, b, at, t.length - at - 1);
                return b;
            }
            case 4 -> { // an unknown type id (or one this build knows for another family)
                t[1] = (byte) (r.nextBoolean() ? 200 + r.nextInt(56) : 18 + r.nextInt(46));
                return t;
            }
            case 5 -> { // an unknown protocol version
                t[0] = (byte) (r.nextBoolean() ? 0 : 2 + r.nextInt(254));
                return t;
            }
            default -> { // well-formed, but a field a record refuses: a name that is not a DNS label
                return refusedField(t, r);
            }
        }
    }

    /** Replaces the first "fz" service string (msgpack fixstr a2 'f' 'z') by "F!". */
    private static byte[] refusedField(byte[] t, SplittableRandom r) {
        for (int i = 2; i + 2 < t.length; i++) {
            if (t[i] == (byte) 0xa2 && t[i + 1] == 'f' && (t[i + 2] == 'z' || t[i + 2] == 'y')) {
                if (i > 40 || r.nextBoolean()) { // skip the envelope's own service field sometimes
                    t[i + 1] = 'F';
                    t[i + 2] = '!';
                    return t;
                }
            }
        }
        t[2 + r.nextInt(t.length - 2)] = (byte) 0xc1; // the one byte MessagePack never uses
        return t;
    }
}
