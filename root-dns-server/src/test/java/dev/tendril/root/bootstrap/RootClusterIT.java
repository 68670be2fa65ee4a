package dev.tendril.root.bootstrap;

import dev.tendril.protocol.message.EnvelopeFactory;
import dev.tendril.protocol.message.LeaderHint;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.Ack;
import dev.tendril.protocol.message.RootMessage.CreateTree;
import dev.tendril.protocol.message.RootMessage.MigrationListing;
import dev.tendril.protocol.message.RootMessage.MigrationView;
import dev.tendril.protocol.message.RootMessage.MigrationsQuery;
import dev.tendril.protocol.message.RootMessage.RecordMigration;
import dev.tendril.protocol.message.RootMessage.RegisterNode;
import dev.tendril.protocol.message.RootMessage.Registered;
import dev.tendril.protocol.transport.ClientOptions;
import dev.tendril.protocol.transport.LeaderFollower;
import dev.tendril.protocol.transport.PipelinedClient;
import dev.tendril.protocol.transport.RequestResult;
import dev.tendril.root.bootstrap.DemoRegistration.City;
import dev.tendril.root.testing.Dig;
import dev.tendril.root.testing.Poll;
import dev.tendril.root.testing.PortBlock;
import dev.tendril.root.testing.RootCluster;
import dev.tendril.root.testing.RootCluster.Member;
import dev.tendril.root.testing.RootLogsOnFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import dev.tendril.protocol.transport.CurveKeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Three real root processes in one Raft group (Apache Ratis), checked with real clients and dig:
 * <ul>
 *   <li>a write sent to a follower is answered NOT_LEADER naming the leader's control endpoint;</li>
 *   <li>8 client threads stream RecordMigration requests through a leader-following client;
 *       the leader is killed with {@code kill -9} in the middle: a new leader is elected, the
 *       clients write again without being told where, and not one acknowledged record is
 *       missing on any surviving root;</li>
 *   <li>dig against each surviving root keeps answering throughout (the longest gap between two
 *       answered queries is reported; DNS never waits for the leader);</li>
 *   <li>the demo's tool, given every root with the killed one first, passes it over and records a
 *       migration through the new leader;</li>
 *   <li>the killed root, restarted on its own storage, catches up and answers every checked
 *       query exactly as the others do; NS lists every root and NSID names the one that answered.</li>
 * </ul>
 */
class RootClusterIT {
    private static final String SERVICE = "web";
    private static final String NAME = "web.svc.example.edge";
    private static final int WRITERS = 8;
    /** Longer than the 10 quick tries and 20 tries about a second apart of Ratis's default appender back-off. */
    private static final Duration OUTAGE = Duration.ofSeconds(Long.getLong("rootCluster.outageSeconds", 30));

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // the roots' logs stay for RootLogsOnFailure
    Path dir;

    @RegisterExtension
    final RootLogsOnFailure rootLogs = new RootLogsOnFailure(() -> dir);

    @Test
    void killingTheLeaderLosesNoAcknowledgedWriteAndDnsKeepsAnswering() throws Exception {
        Dig.require();
        try (RootCluster cluster = RootCluster.configure(dir, 3);
             PipelinedClient client = new PipelinedClient("cluster-it")) {
            cluster.startAll();
            LeaderFollower group = cluster.leaderFollower(client, Duration.ofSeconds(20));
            EnvelopeFactory envelopes = new EnvelopeFactory("cluster-it", Clock.systemUTC(), new SplittableRandom(7));

            List<City> cities = DemoRegistration.CITIES;
            assertInstanceOf(Registered.class, call(group, envelopes, new CreateTree(SERVICE, cities.get(0).info())));
            for (City c : cities.subList(1, cities.size())) {
                assertInstanceOf(Registered.class, call(group, envelopes, new RegisterNode(SERVICE, c.info())));
            }
            Member leader = cluster.byControl(group.preferredEndpoint());
            for (Member m : cluster.members()) {
                Poll.until(Duration.ofSeconds(20), m.id + " answering " + NAME, () -> answers(m));
            }

            // a follower refuses writes and names the leader
            Member follower = cluster.members().stream().filter(m -> m != leader).findFirst().orElseThrow();
            try (ControlCalls direct = new ControlCalls(follower.controlEndpoint(), "cluster-it")) {
                RootMessage refused = direct.call(new RecordMigration(SERVICE, List.of("10.99.0.1/32"), "tokyo", 60_000));
                assertTrue(LeaderHint.isNotLeader(refused), "a follower refuses writes: " + refused);
                assertEquals(leader.controlEndpoint(), LeaderHint.leaderOf(refused).orElseThrow(), refused.toString());
            }

            // 8 writers; dig probes on every root
            AtomicBoolean stop = new AtomicBoolean();
            Map<String, Long> acked = new ConcurrentHashMap<>();
            AtomicLong ackCount = new AtomicLong();
            AtomicLong firstAckAfterKill = new AtomicLong();
            AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
            java.util.concurrent.atomic.AtomicReference<String> deadId = new java.util.concurrent.atomic.AtomicReference<>("");
            ConcurrentLinkedQueue<String> refusals = new ConcurrentLinkedQueue<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < WRITERS; t++) {
                int writer = t;
                threads.add(started("writer-" + t, () -> {
                    for (int n = 0; !stop.get() && n < 60_000; n++) {
                        String subnet = "10." + (writer + 1) + "." + (n / 250) + "." + (n % 250 + 1) + "/32";
                        String target = cities.get(1 + n % (cities.size() - 1)).nodeId();
                        RequestResult r = group.request(() -> envelopes.create(SERVICE,
                                new RecordMigration(SERVICE, List.of(subnet), target, 600_000)));
                        long now = System.nanoTime();
                        if (r instanceof RequestResult.Reply reply && reply.envelope().body() instanceof Ack) {
                            acked.put(subnet, now);
                            ackCount.incrementAndGet();
                            // acknowledged by another root than the killed one, after the kill
                            if (now > killedAt.get() && !reply.envelope().from().equals(deadId.get())) {
                                firstAckAfterKill.compareAndSet(0, now);
                            }
                        } else {
                            refusals.add(subnet + ": " + r);
                        }
                    }
                }));
            }
            Map<String, DnsProbe> probes = new HashMap<>();
            for (Member m : cluster.members()) {
                DnsProbe probe = new DnsProbe(m, stop);
                probes.put(m.id, probe);
                threads.add(started("dig-" + m.id, probe));
            }

            Poll.until(Duration.ofSeconds(30), "300 acknowledged writes before the kill", () -> ackCount.get() >= 300);
            Member dead = cluster.byControl(group.preferredEndpoint());
            probes.get(dead.id).expectDeath();
            long ackedBeforeKill = ackCount.get();
            deadId.set(dead.id);
            killedAt.set(System.nanoTime());
            cluster.kill9(dead);
            Poll.until(Duration.ofSeconds(30), "an acknowledged write after the kill", () -> firstAckAfterKill.get() != 0);
            long afterFailover = ackCount.get();
            Poll.until(Duration.ofSeconds(30), "300 more acknowledged writes under the new leader",
                    () -> ackCount.get() >= afterFailover + 300);
            stop.set(true);
            for (Thread t : threads) {
                t.join(30_000);
            }
            long failoverMillis = (firstAckAfterKill.get() - killedAt.get()) / 1_000_000;

            // no acknowledged record lost on any survivor
            List<Member> survivors = cluster.members().stream().filter(m -> m != dead).toList();
            for (Member m : survivors) {
                Poll.until(Duration.ofSeconds(20), m.id + " holding every acknowledged record",
                        () -> missing(m, acked.keySet()).isEmpty());
            }
            Member newLeader = cluster.byControl(group.preferredEndpoint());
            assertNotEquals(dead, newLeader, "a new leader was elected");

            // DNS kept answering on the survivors
            StringBuilder gaps = new StringBuilder();
            for (Member m : survivors) {
                DnsProbe p = probes.get(m.id);
                gaps.append(String.format(" %s: %d queries, %d failed, longest gap %d ms;", m.id, p.queries, p.failed,
                        p.longestGapMillis()));
                assertTrue(p.answeredAfter(killedAt.get()), m.id + " answered DNS after the kill");
                assertEquals(0, p.failed, m.id + " failed DNS queries: " + p.failures);
            }

            // the demo's tool (demo.sh migrate), given every root with the killed one listed first, passes it over
            // and reaches the new leader
            List<String> deadFirst = new ArrayList<>(List.of(dead.controlEndpoint()));
            survivors.forEach(m -> deadFirst.add(m.controlEndpoint()));
            DemoRegistration.main(new String[]{String.join(",", deadFirst), "migrate", "tokyo", "600", "198.18.3.0/24"});
            for (Member m : survivors) {
                Poll.until(Duration.ofSeconds(20), m.id + " answering 198.18.3.0/24 with tokyo after the demo's migrate",
                        () -> Dig.query(m.handle().dnsPort(), NAME, "A", "+subnet=198.18.3.0/24").answer().toString()
                                .contains("192.0.2.40"));
            }

            // the killed root catches up and answers as the others do
            cluster.start(dead);
            Poll.until(Duration.ofSeconds(30), dead.id + " catching up after its restart",
                    () -> missing(dead, acked.keySet()).isEmpty());
            Poll.until(Duration.ofSeconds(30), "one leader, and every root applied up to the same index", () -> {
                List<RootMessage.RootsStatus> views = new ArrayList<>();
                for (Member m : cluster.members()) {
                    try (ControlCalls direct = new ControlCalls(m.controlEndpoint(), "cluster-it", Duration.ofSeconds(1), 1)) {
                        views.add((RootMessage.RootsStatus) direct.call(new RootMessage.RootsQuery()));
                    } catch (IllegalStateException e) {
                        return false;
                    }
                }
                return views.stream().filter(v -> v.role().equals("LEADER")).count() == 1
                        && views.stream().map(RootMessage.RootsStatus::appliedIndex).distinct().count() == 1
                        && views.stream().allMatch(v -> v.members().size() == 3);
            });
            List<String> sample = acked.keySet().stream().sorted().limit(20).collect(Collectors.toList());
            sample.add("198.18.3.0/24");
            for (String subnet : sample) {
                Set<String> answers = new HashSet<>();
                for (Member m : cluster.members()) {
                    Dig.Result r = Dig.query(m.handle().dnsPort(), NAME, "A", "+subnet=" + subnet, "+nsid");
                    assertEquals(m.id, r.nsid(), "NSID names the answering root");
                    answers.add(r.answer().toString());
                }
                assertEquals(1, answers.size(), "every root answers " + subnet + " alike: " + answers);
            }
            Dig.Result ns = Dig.query(dead.handle().dnsPort(), "svc.example.edge", "NS");
            assertEquals(3, ns.answer().size(), "NS lists every root: " + ns);

            System.out.printf("RootClusterIT: %d writes acknowledged (%d before the kill of leader %s, new leader %s), "
                            + "%d refused or unanswered; failover (kill -9 -> first acknowledged write) %d ms;%s%n",
                    acked.size(), ackedBeforeKill, dead.id, newLeader.id, refusals.size(), failoverMillis, gaps);
        }
    }

    /**
     * Snapshots every 100 entries and small log segments: while a follower is down, the leader
     * compacts the entries it missed into a snapshot (the SpatiaLite database) and purges them;
     * the follower, restarted, installs that snapshot and then answers as the others do.
     */
    @Test
    void aRootThatMissedCompactedEntriesInstallsTheSnapshot() throws Exception {
        Dig.require();
        try (RootCluster cluster = RootCluster.configure(dir, 3, "snapshotEvery: 100", "logSegmentSize: 32Ki");
             PipelinedClient client = new PipelinedClient("snapshot-it")) {
            cluster.startAll();
            LeaderFollower group = cluster.leaderFollower(client, Duration.ofSeconds(20));
            EnvelopeFactory envelopes = new EnvelopeFactory("snapshot-it", Clock.systemUTC(), new SplittableRandom(9));
            List<City> cities = DemoRegistration.CITIES;
            RootMessage created = call(group, envelopes, new CreateTree(SERVICE, cities.get(0).info()));
            assertInstanceOf(Registered.class, created, created.toString());
            RootMessage registered = call(group, envelopes, new RegisterNode(SERVICE, cities.get(1).info()));
            assertInstanceOf(Registered.class, registered, registered.toString());
            Member leader = cluster.byControl(group.preferredEndpoint());
            Member lagging = cluster.members().stream().filter(m -> m != leader).findFirst().orElseThrow();
            // every root, not only the one killed: a candidate with committed entries does not count the vote of a
            // root whose log is empty (Ratis, RATIS-1995), so killing one while the third has received nothing yet
            // leaves a group that cannot elect until the killed root is back (seen once: the leader's appends to a
            // root that started after the election back off up to 5 s)
            for (Member m : cluster.members()) {
                Poll.until(Duration.ofSeconds(20), m.id + " holding the tree", () -> answers(m));
            }
            cluster.kill9(lagging);
            String platformKey = CurveKeyPair.generate().publicKey(); // enrolled while lagging is down: compacted away
            try (ControlCalls admin = ControlCalls.followingLeader(leader.controlEndpoint(), "snapshot-it")) {
                assertEquals(new Ack(), admin.call(new RootMessage.EnrolKey(RootMessage.KeyRole.PLATFORM, "p1", platformKey)));
            }

            Set<String> acked = ConcurrentHashMap.newKeySet();
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < WRITERS; t++) {
                int writer = t;
                writers.add(started("writer-" + t, () -> {
                    for (int n = 0; n < 150; n++) {
                        String subnet = "10." + (100 + writer) + "." + (n / 250) + "." + (n % 250 + 1) + "/32";
                        RootMessage r = call(group, envelopes, new RecordMigration(SERVICE, List.of(subnet),
                                cities.get(1).nodeId(), 600_000));
                        if (r instanceof Ack) {
                            acked.add(subnet);
                        }
                    }
                }));
            }
            for (Thread t : writers) {
                t.join(60_000);
            }
            assertEquals(WRITERS * 150, acked.size(), "every write was acknowledged");

            cluster.start(lagging);
            Poll.until(Duration.ofSeconds(40), lagging.id + " catching up", () -> missing(lagging, acked).isEmpty());
            assertTrue(lagging.handle().log().contains("installed the snapshot"),
                    "the lagging root installed a snapshot:\n" + lagging.handle().log());
            assertTrue(lists(lagging, Optional.empty(), platformKey),
                    "the key enrolled while it was down came with the snapshot (and the allowlist was reloaded)");
            for (String subnet : acked.stream().sorted().limit(5).toList()) {
                Set<String> answers = new HashSet<>();
                for (Member m : cluster.members()) {
                    answers.add(Dig.query(m.handle().dnsPort(), NAME, "A", "+subnet=" + subnet).answer().toString());
                }
                assertEquals(1, answers.size(), "every root answers " + subnet + " alike: " + answers);
            }
        }
    }

    /**
     * With one root down, a leader that cannot reach the other follower for longer than the
     * election timeout (a partition, a stalled host) steps down: it no longer hears a majority.
     * Ratis keeps a leader that stepped down so out of elections for its
     * {@code leader.step-down.wait-time} (10 s by default), and the other follower cannot win
     * without its vote while its log is shorter (a write came in meanwhile): writes were refused
     * NOT_LEADER for ~10 s after the follower was reachable again (seen in CI, after a kill -9).
     * The root now waits one election timeout before it campaigns again.
     */
    @Test
    void aLeaderCutOffFromItsLastFollowerIsElectedAgainSoonAfter() throws Exception {
        try (RootCluster cluster = RootCluster.configure(dir, 3);
             PipelinedClient client = new PipelinedClient("partition-it")) {
            cluster.startAll();
            LeaderFollower group = cluster.leaderFollower(client, Duration.ofSeconds(30));
            EnvelopeFactory envelopes = new EnvelopeFactory("partition-it", Clock.systemUTC(), new SplittableRandom(11));
            List<City> cities = DemoRegistration.CITIES;
            assertInstanceOf(Registered.class, call(group, envelopes, new CreateTree(SERVICE, cities.get(0).info())));
            Member leader = cluster.byControl(group.preferredEndpoint());
            List<Member> followers = cluster.members().stream().filter(m -> m != leader).toList();
            for (Member m : cluster.members()) {
                Poll.until(Duration.ofSeconds(20), m.id + " holding the tree", () -> answers(m));
            }
            cluster.kill9(followers.get(0));
            Member cut = followers.get(1);
            CompletableFuture<RootMessage> during;
            try (PortBlock block = PortBlock.resetting(cut.raftPort)) {
                // the leader appends this write and cannot commit it: its log is now longer than the follower's
                during = CompletableFuture.supplyAsync(
                        () -> call(group, envelopes, new RegisterNode(SERVICE, cities.get(1).info())));
                Poll.until(Duration.ofSeconds(10), leader.id + " stepping down", () -> logged(leader, "Lost leadership"));
            }
            long reachable = System.nanoTime();
            RootMessage after = call(group, envelopes, new RecordMigration(SERVICE, List.of("10.200.0.1/32"),
                    cities.get(0).nodeId(), 600_000));
            long waitedMs = (System.nanoTime() - reachable) / 1_000_000;
            System.out.println("RootClusterIT: a write acknowledged " + waitedMs + " ms after the follower was reachable again");
            assertEquals(new Ack(), after, "a write once the follower is reachable again");
            assertTrue(waitedMs < 6_000, "the group took " + waitedMs + " ms to acknowledge a write after the follower was"
                    + " reachable again (a stepped-down leader kept out of elections for 10 s takes more than 8 s)");
            assertInstanceOf(Registered.class, during.get(30, TimeUnit.SECONDS),
                    "the write sent during the cut is answered too");
        }
    }

    /**
     * A root that comes back after a long outage (a reboot, an upgrade; here: one that starts half
     * a minute after the other two, with empty storage) is sent the log within about a second of
     * its start. The leader's appender backs off while a follower does not answer; with Ratis's
     * default steps (1 ms x 10, 1 s x 20, then 5 s, each drawn from 0.5-1.5 x) the root that came
     * back waited 2.5-7.5 s for its first append. Until its log holds an entry its vote does not
     * count for a candidate with committed entries (RATIS-1995), so one more failure in that window
     * left the group unable to elect until a root came back.
     */
    @Test
    void aRootBackAfterALongOutageIsSentTheLogWithinAboutASecond() throws Exception {
        try (RootCluster cluster = RootCluster.configure(dir, 3);
             PipelinedClient client = new PipelinedClient("outage-it")) {
            Member late = cluster.member("r3");
            LeaderFollower group = cluster.startOnly(cluster.members().subList(0, 2), client, Duration.ofSeconds(30));
            EnvelopeFactory envelopes = new EnvelopeFactory("outage-it", Clock.systemUTC(), new SplittableRandom(13));
            assertInstanceOf(Registered.class, call(group, envelopes, new CreateTree(SERVICE, DemoRegistration.CITIES.get(0).info())));
            // the leader's appends to r3 fail meanwhile, long enough to pass the default policy's 1-s steps
            Thread.sleep(OUTAGE.toMillis());
            cluster.start(late);
            long started = System.nanoTime();
            Poll.until(Duration.ofSeconds(20), late.id + " holding the tree", () -> answers(late));
            long waitedMs = (System.nanoTime() - started) / 1_000_000;
            System.out.println("RootClusterIT: " + late.id + " held the tree " + waitedMs + " ms after it was ready, "
                    + OUTAGE.toSeconds() + " s after the others");
            assertTrue(waitedMs < 2_500, late.id + " held the tree only " + waitedMs + " ms after its start (the leader's"
                    + " appender waits at most 0.75 s between two tries; Ratis's default 5-s step waits 2.5 s or more)");
        }
    }

    /**
     * Membership at run time (Raft reconfiguration through the control endpoint, as
     * {@code tendrilctl roots add|remove} sends it): a fourth root, started with every root in its
     * peers, is added, catches up and takes part; then a follower is removed and writes go on.
     */
    @Test
    void aRootIsAddedAndAnotherRemovedAtRunTime() throws Exception {
        try (RootCluster cluster = RootCluster.configure(dir, 4, 3);
             PipelinedClient client = new PipelinedClient("members-it")) {
            List<Member> first = cluster.members().subList(0, 3);
            Member fourth = cluster.member("r4");
            LeaderFollower group = cluster.startOnly(first, client, Duration.ofSeconds(20));
            EnvelopeFactory envelopes = new EnvelopeFactory("members-it", Clock.systemUTC(), new SplittableRandom(11));
            List<City> cities = DemoRegistration.CITIES;
            RootMessage created = call(group, envelopes, new CreateTree(SERVICE, cities.get(0).info()));
            assertInstanceOf(Registered.class, created, created.toString());
            Set<String> acked = new HashSet<>();
            writeRecords(group, envelopes, acked, 0, 50);

            cluster.start(fourth);
            List<RootMessage.RootMember> four = cluster.members().stream().map(RootClusterIT::member).toList();
            try (ControlCalls admin = ControlCalls.followingLeader(first.get(0).controlEndpoint(), "members-it")) {
                RootMessage added = admin.call(new RootMessage.ChangeRoots(four));
                assertEquals(new Ack(), added, "adding r4: " + added);
            }
            Poll.until(Duration.ofSeconds(30), "r4 holding every record", () -> missing(fourth, acked).isEmpty());
            writeRecords(group, envelopes, acked, 50, 50);
            Poll.until(Duration.ofSeconds(30), "r4 holding the later records too", () -> missing(fourth, acked).isEmpty());
            assertEquals(4, status(fourth).members().size(), "r4 knows the four members");

            Member leader = cluster.byControl(group.preferredEndpoint());
            Member removed = first.stream().filter(m -> m != leader).findFirst().orElseThrow();
            List<RootMessage.RootMember> three = four.stream().filter(m -> !m.id().equals(removed.id)).toList();
            try (ControlCalls admin = ControlCalls.followingLeader(leader.controlEndpoint(), "members-it")) {
                RootMessage done = admin.call(new RootMessage.ChangeRoots(three));
                assertEquals(new Ack(), done, "removing " + removed.id + ": " + done);
            }
            assertEquals(three.stream().map(RootMessage.RootMember::id).toList(),
                    status(leader).members().stream().map(RootMessage.RootMember::id).toList());
            cluster.kill9(removed);
            writeRecords(group, envelopes, acked, 100, 20);
            Poll.until(Duration.ofSeconds(30), "r4 holding the records written after the removal",
                    () -> missing(fourth, acked).isEmpty());
        }
    }

    /**
     * Enrolled keys are topology (issue 10): with CURVE on every root, an operator's EnrolKey sent to
     * a follower is answered NOT_LEADER; sent to the leader it is committed through the Raft log and
     * every root, followers included, lists the key and admits the platform; a revocation on the
     * leader takes it off every root.
     */
    @Test
    void anEnrolledKeyIsReplicatedToEveryRootAndARevocationTooThroughTheLog() throws Exception {
        CurveKeyPair server = dev.tendril.protocol.keys.CurveKeyFiles.generate(dir.resolve("keys"), "roots");
        CurveKeyPair alice = dev.tendril.protocol.keys.CurveKeyFiles.generate(dir.resolve("keys"), "alice");
        CurveKeyPair munich = CurveKeyPair.generate();
        try (RootCluster cluster = RootCluster.configure(dir, 3)) {
            for (Member m : cluster.members()) { // every root of a group has the same server key
                Files.writeString(m.config, "security:\n  serverKey: keys/roots.key\n  operatorKeys: {alice: keys/alice.pub}\n",
                        StandardOpenOption.APPEND);
            }
            cluster.startAll();
            Optional<ClientOptions.Curve> asAlice = Optional.of(new ClientOptions.Curve(alice, server.publicKey()));
            Optional<ClientOptions.Curve> asMunich = Optional.of(new ClientOptions.Curve(munich, server.publicKey()));
            String[] leaderId = new String[1];
            Poll.until(Duration.ofSeconds(20), "a leader elected", () -> {
                try (ControlCalls c = new ControlCalls(cluster.members().get(0).controlEndpoint(), "keys-it",
                        Duration.ofSeconds(2), 2, asAlice)) {
                    RootMessage r = c.call(new RootMessage.RootsQuery());
                    leaderId[0] = r instanceof RootMessage.RootsStatus st ? st.leaderId() : "";
                    return !leaderId[0].isEmpty();
                } catch (IllegalStateException e) {
                    return false;
                }
            });
            Member leader = cluster.member(leaderId[0]);
            Member follower = cluster.members().stream().filter(m -> m != leader).findFirst().orElseThrow();
            RootMessage.EnrolKey enrol = new RootMessage.EnrolKey(RootMessage.KeyRole.PLATFORM, "munich", munich.publicKey());

            try (ControlCalls direct = new ControlCalls(follower.controlEndpoint(), "keys-it", Duration.ofSeconds(2), 2, asAlice)) {
                RootMessage r = direct.call(enrol);
                assertTrue(LeaderHint.isNotLeader(r), "a follower refuses a key change: " + r);
            }
            for (Member m : cluster.members()) {
                assertFalse(lists(m, asAlice, munich.publicKey()), m.id + " lists nothing yet");
            }
            try (ControlCalls admin = ControlCalls.followingLeader(follower.controlEndpoint(), "keys-it", asAlice)) {
                assertEquals(new Ack(), admin.call(enrol));
            }
            for (Member m : cluster.members()) {
                Poll.until(Duration.ofSeconds(20), m.id + " listing munich's key", () -> lists(m, asAlice, munich.publicKey()));
                Poll.until(Duration.ofSeconds(20), m.id + " admitting munich", () -> admits(m, asMunich));
            }

            try (ControlCalls admin = ControlCalls.followingLeader(follower.controlEndpoint(), "keys-it", asAlice)) {
                assertEquals(new Ack(), admin.call(new RootMessage.RevokeKey(RootMessage.KeyRole.PLATFORM, "munich", "")));
            }
            for (Member m : cluster.members()) {
                Poll.until(Duration.ofSeconds(20), m.id + " no longer listing munich's key",
                        () -> !lists(m, asAlice, munich.publicKey()));
                assertFalse(admits(m, asMunich), m.id + " refuses munich once revoked");
            }
        }
    }

    /** Whether the member's own copy lists the key (asked of that member, never of the leader). */
    private static boolean lists(Member m, Optional<ClientOptions.Curve> curve, String publicKey) {
        try (ControlCalls direct = new ControlCalls(m.controlEndpoint(), "keys-it", Duration.ofSeconds(2), 2, curve)) {
            RootMessage r = direct.call(new RootMessage.KeysQuery());
            return r instanceof RootMessage.KeyListing l && l.keys().stream().anyMatch(k -> k.publicKey().equals(publicKey));
        } catch (IllegalStateException e) {
            return false;
        }
    }

    /** Whether the member answers the platform at all (an unenrolled key gets no reply over CURVE). */
    private static boolean admits(Member m, Optional<ClientOptions.Curve> curve) {
        try (ControlCalls direct = new ControlCalls(m.controlEndpoint(), "keys-it", Duration.ofSeconds(1), 1, curve)) {
            return direct.call(new RootMessage.KeysQuery()) instanceof RootMessage.KeyListing;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    private static RootMessage.RootMember member(Member m) {
        return new RootMessage.RootMember(m.id, "127.0.0.1:" + m.raftPort, "127.0.0.1:" + m.controlPort, -1);
    }

    private static RootMessage.RootsStatus status(Member m) {
        try (ControlCalls direct = new ControlCalls(m.controlEndpoint(), "cluster-it")) {
            return (RootMessage.RootsStatus) direct.call(new RootMessage.RootsQuery());
        }
    }

    private static void writeRecords(LeaderFollower group, EnvelopeFactory envelopes, Set<String> acked, int from, int n) {
        for (int i = from; i < from + n; i++) {
            String subnet = "10.200." + (i / 250) + "." + (i % 250 + 1) + "/32";
            RootMessage r = call(group, envelopes, new RecordMigration(SERVICE, List.of(subnet),
                    DemoRegistration.CITIES.get(0).nodeId(), 600_000));
            assertEquals(new Ack(), r, subnet + ": " + r);
            acked.add(subnet);
        }
    }

    /**
     * The reply to a request sent through the leader-following client; a client retries what was
     * not committed (INTERNAL: commit timeout on a loaded machine) or found no leader in time, as
     * an edge node does at its next round.
     */
    private static RootMessage call(LeaderFollower group, EnvelopeFactory envelopes, RootMessage request) {
        RootMessage last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            RequestResult r = group.request(() -> envelopes.create(SERVICE, request));
            if (!(r instanceof RequestResult.Reply reply && reply.envelope().body() instanceof RootMessage m)) {
                throw new AssertionError("no reply to " + request + ": " + r);
            }
            last = m;
            if (!(m instanceof RootMessage.ErrorReply e) || !(e.code().equals("INTERNAL") || LeaderHint.isNotLeader(e))) {
                return m;
            }
        }
        return last;
    }

    private static Thread started(String name, Runnable work) {
        Thread t = new Thread(work, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static boolean logged(Member m, String text) {
        try {
            return m.handle().log().contains(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean answers(Member m) {
        Dig.Result r = Dig.query(m.handle().dnsPort(), NAME, "A");
        return r.output().contains("status: NOERROR") && !r.answer().isEmpty();
    }

    /** The acknowledged subnets the member's own copy lacks (asked of that member, never of the leader). */
    private static Set<String> missing(Member m, Set<String> acked) {
        try (ControlCalls direct = new ControlCalls(m.controlEndpoint(), "cluster-it", Duration.ofSeconds(2), 2)) {
            MigrationListing listing = (MigrationListing) direct.call(new MigrationsQuery(SERVICE));
            Set<String> held = listing.migrations().stream().map(MigrationView::client).collect(Collectors.toSet());
            Set<String> out = new HashSet<>(acked);
            out.removeAll(held);
            return out;
        } catch (IllegalStateException e) {
            return acked; // not answering yet
        }
    }

    /** dig in a loop against one root: counts, failures, the longest time between two answers. */
    private static final class DnsProbe implements Runnable {
        private final Member member;
        private final AtomicBoolean stop;
        private final List<Long> answeredAt = new ArrayList<>();
        private final List<String> failures = new ArrayList<>();
        private volatile boolean dying;
        private int queries;
        private int failed;

        DnsProbe(Member member, AtomicBoolean stop) {
            this.member = member;
            this.stop = stop;
        }

        void expectDeath() {
            dying = true;
        }

        @Override
        public void run() {
            int port = member.handle().dnsPort();
            while (!stop.get() && !dying) {
                Dig.Result r = Dig.query(port, NAME, "A");
                synchronized (this) {
                    queries++;
                    if (r.output().contains("status: NOERROR") && !r.answer().isEmpty()) {
                        answeredAt.add(System.nanoTime());
                    } else if (!dying) {
                        failed++;
                        failures.add(r.output());
                    }
                }
                Poll.pause();
            }
        }

        synchronized boolean answeredAfter(long nanos) {
            return answeredAt.stream().anyMatch(t -> t > nanos);
        }

        synchronized long longestGapMillis() {
            long gap = 0;
            for (int i = 1; i < answeredAt.size(); i++) {
                gap = Math.max(gap, answeredAt.get(i) - answeredAt.get(i - 1));
            }
            return gap / 1_000_000;
        }
    }
}
