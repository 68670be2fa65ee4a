package dev.tendril.protocol.codec;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.grid.Capacity;
import dev.tendril.protocol.grid.CapacityGrid;
import dev.tendril.protocol.grid.GridPoint;
import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.AdminMessage;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.OverlayMessage;
import dev.tendril.protocol.message.MessageId;
import dev.tendril.protocol.message.MessageType;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.RootMessage.Ack;
import dev.tendril.protocol.message.RootMessage.ConditionalSignOff;
import dev.tendril.protocol.message.RootMessage.CreateTree;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.message.RootMessage.HostedSet;
import dev.tendril.protocol.message.RootMessage.HostedSetQuery;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.MigrationListing;
import dev.tendril.protocol.message.RootMessage.MigrationView;
import dev.tendril.protocol.message.RootMessage.MigrationsQuery;
import dev.tendril.protocol.message.RootMessage.NodeState;
import dev.tendril.protocol.message.RootMessage.OrphanReport;
import dev.tendril.protocol.message.RootMessage.RecordMigration;
import dev.tendril.protocol.message.RootMessage.RegisterNode;
import dev.tendril.protocol.message.RootMessage.Registered;
import dev.tendril.protocol.message.RootMessage.ResolveAnswer;
import dev.tendril.protocol.message.RootMessage.ResolveQuery;
import dev.tendril.protocol.message.RootMessage.SignOff;
import dev.tendril.protocol.message.RootMessage.SignOffDecision;
import dev.tendril.protocol.message.RootMessage.TreeListing;
import dev.tendril.protocol.message.RootMessage.TreeNodeView;
import dev.tendril.protocol.message.RootMessage.TreeQuery;
import dev.tendril.protocol.message.SelfOrgMessage;
import dev.tendril.protocol.message.ServicePort;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One fixed, fully populated envelope per message type: the content of the golden files
 * (never change an existing sample: its golden file must keep decoding to it). A new
 * message type adds its sample here and its golden file with {@link GoldenFiles}.
 */
public final class SampleEnvelopes {
    private SampleEnvelopes() {
    }

    static final NodeInfo MUNICH = new NodeInfo("munich-1", "192.0.2.10", new GeoPoint(48.1374, 11.5755),
            List.of(new ServicePort("http", "tcp", 8080), new ServicePort("dns", "udp", 5353)), 7400);
    static final NodeInfo SYDNEY = new NodeInfo("sydney-2", "2001:db8::2", new GeoPoint(-33.8688, 151.2093),
            List.of(), 7401);
    static final NodeInfo FIJI = new NodeInfo("fiji-3", "198.51.100.3", new GeoPoint(-17.7134, 178.0650),
            List.of(new ServicePort("http", "tcp", 80)), 0);

    public static Map<MessageType, Message> bodies() {
        Map<MessageType, Message> m = new EnumMap<>(MessageType.class);
        put(m, new Ack());
        put(m, new ErrorReply("NOT_FOUND", "no tree for service 'web' (ünïcödé ok)"));
        put(m, new CreateTree("web", MUNICH));
        put(m, new RegisterNode("web", SYDNEY));
        put(m, new Registered("web", "sydney-2", Optional.of(MUNICH)));
        put(m, new SignOff("web", "fiji-3"));
        put(m, new OrphanReport("web", "fiji-3", "munich-1"));
        put(m, new NodeState("web", "sydney-2", false));
        put(m, new RecordMigration("web", List.of("198.51.100.7", "203.0.113.0/24", "2001:db8:1::/48"),
                "fiji-3", 600_000L));
        put(m, new HostedSetQuery("web"));
        put(m, new HostedSet("web", List.of("munich-1", "sydney-2", "fiji-3")));
        put(m, new RootMessage.MembershipQuery("web", "munich-1", Optional.of(FIJI.position()), 3));
        put(m, new RootMessage.Membership("web", "munich-1", true, false, List.of("fiji-3", "sydney-2")));
        put(m, new RootMessage.RegistrationWatch("web", "fiji-3", 15_000L));
        put(m, new RootMessage.RegistrationSeen("web", "fiji-3", Optional.of(FIJI), ""));
        put(m, new TreeQuery(""));
        put(m, new TreeListing(List.of(
                new TreeNodeView("web", MUNICH, "", true, 1_700_000_000_000L),
                new TreeNodeView("web", SYDNEY, "munich-1", false, 1_700_000_000_500L),
                new TreeNodeView("web", FIJI, "munich-1", true, Long.MIN_VALUE))));
        put(m, new MigrationsQuery("web"));
        put(m, new MigrationListing(List.of(
                new MigrationView("web", "203.0.113.0/24", "fiji-3", 1_700_000_000_000L, 1_700_000_600_000L),
                new MigrationView("web", "2001:db8:1::/48", "sydney-2", 0L, Long.MAX_VALUE))));
        put(m, new ResolveQuery("web", "203.0.113.9"));
        put(m, new ResolveAnswer("web", "203.0.113.9", List.of(FIJI, MUNICH), "nearest"));
        put(m, new ConditionalSignOff("web", "fiji-3", 2));
        put(m, new SignOffDecision("web", "fiji-3", false, 2, 2));
        put(m, new dev.tendril.protocol.message.RootMessage.RootStatsQuery());
        put(m, new dev.tendril.protocol.message.RootMessage.RootReload());
        put(m, new dev.tendril.protocol.message.RootMessage.RootStats("root-1", List.of(
                new dev.tendril.protocol.message.AdminMessage.Figure("dns.udpQueries", "1027"),
                new dev.tendril.protocol.message.AdminMessage.Figure("control.requests", "3"))));
        put(m, new dev.tendril.protocol.message.RootMessage.EnrolKey(dev.tendril.protocol.message.RootMessage.KeyRole.PLATFORM,
                "munich-1", "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"));
        put(m, new dev.tendril.protocol.message.RootMessage.RevokeKey(dev.tendril.protocol.message.RootMessage.KeyRole.OPERATOR, "alice", ""));
        put(m, new dev.tendril.protocol.message.RootMessage.KeysQuery());
        put(m, new dev.tendril.protocol.message.RootMessage.KeyListing(List.of(
                new dev.tendril.protocol.message.RootMessage.EnrolledKey(dev.tendril.protocol.message.RootMessage.KeyRole.PLATFORM,
                        "munich-1", "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7", 1_700_000_000_000L),
                new dev.tendril.protocol.message.RootMessage.EnrolledKey(dev.tendril.protocol.message.RootMessage.KeyRole.OPERATOR,
                        "alice", "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID", 0L))));
        // KeysQuery and KeyListing stay in their first form (no digest) so that their golden frames,
        // written before the digests, check that old bytes keep decoding; KeyDigestCodecTest covers digests
        put(m, new RootMessage.KeysUnchanged("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"));
        put(m, new RootMessage.RootsQuery());
        List<RootMessage.RootMember> members = List.of(new RootMessage.RootMember("r1", "127.0.0.1:6001", "127.0.0.1:5390", 1042),
                new RootMessage.RootMember("r2", "127.0.0.1:6002", "127.0.0.1:5391", -1));
        put(m, new RootMessage.RootsStatus("r1", "LEADER", "r1", 7, 1042, 1041, members));
        put(m, new RootMessage.ChangeRoots(members));
        overlayAndAdmin(m);
        selfOrg(m);
        return m;
    }

    private static void overlayAndAdmin(Map<MessageType, Message> m) {
        put(m, new OverlayMessage.Attach("web", SYDNEY));
        put(m, new OverlayMessage.AttachAck("web", "munich-1"));
        put(m, new OverlayMessage.Heartbeat("web", "sydney-2"));
        put(m, new OverlayMessage.HeartbeatAck("web", "sydney-2", false));
        put(m, new OverlayMessage.Detach("web", "fiji-3"));
        put(m, new AdminMessage.Deploy("00ff", "service: web\nimage: demo:1\nroot: true\n"));
        put(m, new AdminMessage.DeployReply("rejected", "web", "", "", List.of("ports[0].hostPort: got '0'"), "nothing deployed"));
        put(m, new AdminMessage.Remove("abcd", "web"));
        put(m, new AdminMessage.RemoveReply("removed", "web", "signed off"));
        put(m, new AdminMessage.StatsQuery("abcd"));
        put(m, new AdminMessage.StatsReply("munich-1", "docker", List.of(new AdminMessage.Figure("cpu.load", "0.25")),
                List.of("0 NVIDIA H100 util 0.37"), List.of(new AdminMessage.DeploymentView("web", "c0ffee", "demo:1", true,
                        false, "berlin-1", List.of("fiji-3", "sydney-2"), true, 1_700_000_000_000L)),
                "bpf: attached", List.of(new AdminMessage.Figure("tree.malformed", "3"))));
        put(m, new AdminMessage.NodesQuery("abcd"));
        put(m, new AdminMessage.NodesReply(List.of(new AdminMessage.PlatformView("munich-1", "Munich", "192.0.2.10",
                48.1374, 11.5755, "amd64", 4.0, 8L << 30, 100L << 30, 1, true))));
        put(m, new AdminMessage.TreeRequest("abcd", ""));
    }

    private static void selfOrg(Map<MessageType, Message> m) {
        GridPoint munich = new GridPoint(MUNICH.position(), new Capacity(3500, 6L << 30, 1, 80L << 30));
        GridPoint fiji = new GridPoint(FIJI.position(), new Capacity(250, 512L << 20, 0, 4L << 30));
        GridPoint sydney = new GridPoint(SYDNEY.position(), new Capacity(16000, 64L << 30, 4, 1L << 40));
        CapacityGrid pacific = CapacityGrid.merge(4, List.of(), List.of(fiji, sydney));
        CapacityGrid world = CapacityGrid.merge(8, List.of(pacific), List.of(munich));
        put(m, new SelfOrgMessage.SubtreeGrid("web", "sydney-2", pacific));
        put(m, new SelfOrgMessage.NeighbourGrids("web", "munich-1", munich,
                List.of(new SelfOrgMessage.SiblingGrid(SYDNEY, pacific), new SelfOrgMessage.SiblingGrid(FIJI, world))));
        put(m, new SelfOrgMessage.MigrationSearch("web", "mig-munich-1-7", MUNICH, new GeoPoint(-18.1, 178.4), 3,
                new Capacity(500, 256L << 20, 0, 0), 16_000.5, 2, 8, 1_700_000_003_000L, "sydney-2", true));
        put(m, new SelfOrgMessage.MigrationOffer("web", "mig-munich-1-7", FIJI, 12.5, 3));
        put(m, new SelfOrgMessage.MigrationNotFound("web", "mig-munich-1-7", "sydney-2", "hop limit 8 reached", 8));
        put(m, new SelfOrgMessage.Replicate("web", "rep-munich-1-2", MUNICH, "service: web\nimage: demo:1\nzone: svc.example.edge\n"));
        put(m, new SelfOrgMessage.ReplicateReply("web", "rep-munich-1-2", "hosting", "already hosts web", Optional.of(FIJI)));
        put(m, new SelfOrgMessage.ReplicaReady("web", "rep-munich-1-2", FIJI, true, 840, 1_700_000_004_000L, ""));
        put(m, new SelfOrgMessage.ReplicateSoon("web", "munich-1"));
        put(m, new AdminMessage.EventsQuery("abcd", "web", 17, 100));
        put(m, new AdminMessage.EventsReply("munich-1", List.of(
                new AdminMessage.EventView(18, 1_700_000_005_000L, "munich-1", "web", "MIGRATION_DECIDED", "mig-munich-1-7",
                        "bad QoE (max 50 ms): cluster c1", -1),
                new AdminMessage.EventView(19, 1_700_000_005_900L, "munich-1", "web", "REPLICA_REGISTERED", "rep-munich-1-2",
                        "replica fiji-3 registered", 840)),
                List.of(new AdminMessage.Figure("time-to-migrate.p50.ms", "12"))));
    }

    /** The envelope of a type's sample; ids and times differ per type so mix-ups show. */
    public static Envelope envelope(MessageType type) {
        Message body = bodies().get(type);
        if (body == null) {
            throw new IllegalArgumentException("no sample for " + type + ": add one to SampleEnvelopes");
        }
        return new Envelope(new MessageId(0x0123456789abcdefL ^ type.id(), -0x0fedcba987654321L + type.id()),
                type.id() % 2 == 0 ? "web" : "", "node-" + type.id(), 1_700_000_000_000L + type.id(), body);
    }

    private static void put(Map<MessageType, Message> m, Message body) {
        m.put(body.type(), body);
    }
}
