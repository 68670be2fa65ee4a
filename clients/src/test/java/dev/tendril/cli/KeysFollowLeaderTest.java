package dev.tendril.cli;

import dev.tendril.protocol.keys.CurveKeyFiles;
import dev.tendril.protocol.message.LeaderHint;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.Ack;
import dev.tendril.protocol.message.RootMessage.EnrolKey;
import dev.tendril.protocol.message.RootMessage.EnrolledKey;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.message.RootMessage.KeyListing;
import dev.tendril.protocol.message.RootMessage.KeysQuery;
import dev.tendril.protocol.message.RootMessage.RevokeKey;
import dev.tendril.protocol.transport.CurveKeyPair;
import dev.tendril.protocol.transport.PeerKeys;
import dev.tendril.protocol.transport.RequestServer;
import dev.tendril.protocol.transport.ServerOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code tendrilctl keys enrol|revoke|list} against a replicated group of fake roots (real
 * ZeroMQ servers with CURVE on free loopback ports, each with its own server key): r1 follows
 * and answers key changes NOT_LEADER naming r2, r2 leads, a third root is down. The commands
 * follow the leader through the same {@code LeaderFollower} as the edge's root client.
 */
class KeysFollowLeaderTest {
    @TempDir
    Path dir;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final List<RequestServer> servers = new ArrayList<>();
    /** Key changes as the leader received them. */
    private final List<Message> leaderGot = new CopyOnWriteArrayList<>();
    private final List<EnrolledKey> enrolled = new CopyOnWriteArrayList<>();
    private String r1;
    private String r2;
    private String down;
    private CurveKeyPair munich;

    @AfterEach
    void close() {
        servers.forEach(RequestServer::close);
    }

    @BeforeEach
    void startGroup() throws IOException {
        CurveKeyFiles.generate(dir, "alice");
        CurveKeyPair k1 = CurveKeyFiles.generate(dir, "r1");
        CurveKeyPair k2 = CurveKeyFiles.generate(dir, "r2");
        CurveKeyFiles.generate(dir, "r3");
        munich = CurveKeyFiles.generate(dir, "munich");
        String[] controls = new String[2];
        RequestServer follower = RequestServer.start(ServerOptions.of("tcp://127.0.0.1:0", "r1")
                .withCurve(new ServerOptions.Curve(k1, PeerKeys.anyKey())), request -> {
                    if (request.body() instanceof KeysQuery) {
                        return new KeyListing(enrolled); // a read: answered from the follower's own copy
                    }
                    return LeaderHint.notLeader("r1", Optional.of("tcp://" + controls[1]));
                }, Clock.systemUTC());
        RequestServer leader = RequestServer.start(ServerOptions.of("tcp://127.0.0.1:0", "r2")
                .withCurve(new ServerOptions.Curve(k2, PeerKeys.anyKey())), request -> {
                    Message body = request.body();
                    if (body instanceof EnrolKey e) {
                        leaderGot.add(e);
                        enrolled.add(new EnrolledKey(e.role(), e.name(), e.publicKey(), 1));
                        return new Ack();
                    }
                    if (body instanceof RevokeKey r) {
                        leaderGot.add(r);
                        enrolled.removeIf(k -> k.name().equals(r.name()));
                        return new Ack();
                    }
                    return body instanceof KeysQuery ? new KeyListing(enrolled) : new ErrorReply("UNSUPPORTED", "fake");
                }, Clock.systemUTC());
        servers.add(follower);
        servers.add(leader);
        r1 = follower.endpoint().substring("tcp://".length());
        r2 = leader.endpoint().substring("tcp://".length());
        controls[0] = r1;
        controls[1] = r2;
        down = TendrilCtlTest.deadNode();
    }

    private int run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--curve-key", dir.resolve("alice.key").toString(), "--timeout", "3s"));
        return TendrilCtl.run(new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
    }

    private String keys(String... names) {
        return String.join(",", java.util.Arrays.stream(names).map(n -> dir.resolve(n + ".pub").toString()).toList());
    }

    @Test
    void enrolRevokeAndListFollowTheLeaderFromAFollowerPastADeadRoot() {
        // a dead root first, then the follower: its NOT_LEADER names r2, reached with r2's own key
        assertEquals(TendrilCtl.OK, run("keys", "enrol", "--root", down + "," + r1 + "," + r2,
                "--root-key", keys("r3", "r1", "r2"), "platform", "munich", dir.resolve("munich.pub").toString()), err.toString());
        assertTrue(out.toString().contains("enrolled platform munich " + munich.publicKey()), out.toString());
        assertEquals(1, leaderGot.size(), "the leader got the enrolment once: " + leaderGot);
        assertInstanceOf(EnrolKey.class, leaderGot.get(0));

        assertEquals(TendrilCtl.OK, run("keys", "list", "--root", r1 + "," + r2, "--root-key", keys("r1", "r2")), err.toString());
        assertTrue(out.toString().contains(munich.publicKey()), out.toString());

        assertEquals(TendrilCtl.OK, run("keys", "revoke", "--root", r1 + "," + r2, "--root-key", keys("r1", "r2"),
                "platform", "munich"), err.toString());
        assertEquals(2, leaderGot.size(), leaderGot.toString());
        assertInstanceOf(RevokeKey.class, leaderGot.get(1));
        assertTrue(enrolled.isEmpty());
    }

    @Test
    void aRootKeyCountThatFitsNeitherOneNorEachIsAnInputError() {
        assertEquals(TendrilCtl.BAD_INPUT, run("keys", "list", "--root", r1 + "," + r2 + "," + down,
                "--root-key", keys("r1", "r2")));
        assertTrue(err.toString().contains("--root-key: got 2 keys for 3 roots"), err.toString());
        assertEquals(TendrilCtl.BAD_INPUT, run("keys", "list", "--root", r1 + ",nonsense"));
        assertTrue(err.toString().contains("--root: got"), err.toString());
    }

    @Test
    void withoutTheLeaderListedAFollowersHintIsFollowedWhenTheRootsShareTheKey() throws IOException {
        // a group whose roots share one server key (as RootClusterIT runs them): the hint alone is enough
        servers.forEach(RequestServer::close);
        servers.clear();
        CurveKeyPair shared = CurveKeyFiles.generate(dir, "roots");
        RequestServer leader = RequestServer.start(ServerOptions.of("tcp://127.0.0.1:0", "r2")
                .withCurve(new ServerOptions.Curve(shared, PeerKeys.anyKey())), request -> {
                    leaderGot.add(request.body());
                    return new Ack();
                }, Clock.systemUTC());
        servers.add(leader);
        RequestServer follower = RequestServer.start(ServerOptions.of("tcp://127.0.0.1:0", "r1")
                .withCurve(new ServerOptions.Curve(shared, PeerKeys.anyKey())),
                request -> LeaderHint.notLeader("r1", Optional.of(leader.endpoint())), Clock.systemUTC());
        servers.add(follower);
        assertEquals(TendrilCtl.OK, run("keys", "revoke", "--root", follower.endpoint().substring("tcp://".length()),
                "--root-key", keys("roots"), "platform", "munich"), err.toString());
        assertEquals(List.of(new RevokeKey(RootMessage.KeyRole.PLATFORM, "munich", "")), leaderGot);
    }
}
