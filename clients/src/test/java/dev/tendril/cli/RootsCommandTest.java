package dev.tendril.cli;

import dev.tendril.protocol.keys.CurveKeyFiles;
import dev.tendril.protocol.message.LeaderHint;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.RootMessage.Ack;
import dev.tendril.protocol.message.RootMessage.ChangeRoots;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.message.RootMessage.RootMember;
import dev.tendril.protocol.message.RootMessage.RootsQuery;
import dev.tendril.protocol.message.RootMessage.RootsStatus;
import dev.tendril.protocol.transport.CurveKeyPair;
import dev.tendril.protocol.transport.RequestServer;
import dev.tendril.protocol.transport.ServerOptions;
import org.junit.jupiter.api.AfterEach;
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
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code tendrilctl roots} against fake roots (real ZeroMQ servers on free ports, in clear or
 * under CURVE with one server key): r1 follows, r2 leads, r3 is down.
 */
class RootsCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final List<RequestServer> servers = new ArrayList<>();
    private final List<ChangeRoots> changes = new CopyOnWriteArrayList<>();
    private volatile boolean forbidChanges;
    private RequestServer r1;
    private RequestServer r2;
    private String r3Control;

    @AfterEach
    void close() {
        servers.forEach(RequestServer::close);
    }

    private int run(String... args) {
        return TendrilCtl.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    private static String hostPort(RequestServer s) {
        return s.endpoint().substring("tcp://".length());
    }

    @TempDir
    Path dir;

    private void startGroup() throws IOException {
        startGroup(Optional.empty());
    }

    /** The fake group, in clear or under CURVE with one server key for both live roots (as a real group has). */
    private void startGroup(Optional<ServerOptions.Curve> curve) throws IOException {
        r3Control = TendrilCtlTest.deadNode();
        String[] controls = new String[3];
        RequestServer[] started = new RequestServer[2];
        for (int i = 0; i < 2; i++) {
            boolean leader = i == 1;
            String id = "r" + (i + 1);
            ServerOptions options = ServerOptions.of("tcp://127.0.0.1:0", id);
            started[i] = RequestServer.start(curve.map(options::withCurve).orElse(options), request -> {
                Message body = request.body();
                if (body instanceof RootsQuery) {
                    return new RootsStatus(id, leader ? "LEADER" : "FOLLOWER", "r2", 4, 120, leader ? 120 : 117, members(controls));
                }
                if (body instanceof ChangeRoots c) {
                    if (!leader) {
                        return LeaderHint.notLeader(id, Optional.of("tcp://" + controls[1]));
                    }
                    if (forbidChanges) {
                        return new ErrorReply("FORBIDDEN", "only operators may change the group of roots");
                    }
                    changes.add(c);
                    return new Ack();
                }
                return new ErrorReply("UNSUPPORTED", "fake");
            }, Clock.systemUTC());
            servers.add(started[i]);
            controls[i] = hostPort(started[i]);
        }
        controls[2] = r3Control;
        r1 = started[0];
        r2 = started[1];
    }

    private static List<RootMember> members(String[] controls) {
        return List.of(new RootMember("r1", "127.0.0.1:6001", controls[0], 117),
                new RootMember("r2", "127.0.0.1:6002", controls[1], 120),
                new RootMember("r3", "127.0.0.1:6003", controls[2], -1));
    }

    @Test
    void everyRootIsAskedItselfAndADeadOneIsShownDown() throws IOException {
        startGroup();
        assertEquals(TendrilCtl.OK, run("roots", "--root", hostPort(r1), "--timeout", "1500ms"));
        String table = out.toString();
        assertTrue(table.matches("(?s).*r1 +FOLLOWER +4 +120 +117 +3 .*"), table);
        assertTrue(table.matches("(?s).*r2 +LEADER +4 +120 +120 +0 .*"), table);
        assertTrue(table.matches("(?s).*r3 +DOWN .*"), table);
    }

    @Test
    void addIsSentOnToTheLeaderWithTheWholeNewMemberList() throws IOException {
        startGroup();
        assertEquals(TendrilCtl.OK, run("roots", "add", "r4", "--raft", "127.0.0.1:6004", "--control", "127.0.0.1:5393",
                "--root", hostPort(r1)), err.toString());
        assertEquals(1, changes.size());
        assertEquals(List.of("r1", "r2", "r3", "r4"), changes.get(0).members().stream().map(RootMember::id).toList());
        assertTrue(out.toString().contains("members are now [r1, r2, r3, r4]"), out.toString());
    }

    /** Roots under CURVE that admit only alice; returns tendrilctl's CURVE options for her. */
    private List<String> curveGroup() throws IOException {
        CurveKeyPair server = CurveKeyFiles.generate(dir, "roots");
        CurveKeyPair alice = CurveKeyFiles.generate(dir, "alice");
        startGroup(Optional.of(new ServerOptions.Curve(server, Set.of(alice.publicKey()))));
        return List.of("--curve-key", dir.resolve("alice.key").toString(), "--root-key", dir.resolve("roots.pub").toString());
    }

    @Test
    void underCurveTheOtherMembersAreAskedWithTheGroupsServerKey() throws IOException {
        List<String> keys = curveGroup();
        List<String> args = new ArrayList<>(List.of("roots", "--root", hostPort(r1), "--timeout", "1500ms"));
        args.addAll(keys);
        assertEquals(TendrilCtl.OK, run(args.toArray(String[]::new)), err.toString());
        String table = out.toString();
        assertTrue(table.matches("(?s).*r1 +FOLLOWER +4 +120 +117 +3 .*"), table);
        assertTrue(table.matches("(?s).*r2 +LEADER +4 +120 +120 +0 .*"), table); // asked over CURVE, not in clear
        assertTrue(table.matches("(?s).*r3 +DOWN .*"), table);
    }

    @Test
    void underCurveAChangeFollowsTheLeaderWithTheGroupsServerKey() throws IOException {
        List<String> keys = curveGroup();
        List<String> args = new ArrayList<>(List.of("roots", "remove", "r3", "--root", hostPort(r1)));
        args.addAll(keys);
        assertEquals(TendrilCtl.OK, run(args.toArray(String[]::new)), err.toString());
        assertEquals(1, changes.size()); // r1 named r2 the leader; r2 took it
        assertEquals(List.of("r1", "r2"), changes.get(0).members().stream().map(RootMember::id).toList());
    }

    @Test
    void aChangeTheLeaderRefusesForTheCallersKeyExitsRefusedNamingTheRoot() throws IOException {
        startGroup();
        forbidChanges = true;
        assertEquals(TendrilCtl.REFUSED, run("roots", "remove", "r3", "--root", hostPort(r1)));
        assertTrue(err.toString().contains("root " + hostPort(r2) + " refused: FORBIDDEN"), err.toString());
        assertTrue(changes.isEmpty());
    }

    @Test
    void removingAnUnknownRootOrAddingAKnownOneIsAnInputError() throws IOException {
        startGroup();
        assertEquals(TendrilCtl.BAD_INPUT, run("roots", "remove", "r9", "--root", hostPort(r2)));
        assertTrue(err.toString().contains("'r9' is not a member"), err.toString());
        assertEquals(TendrilCtl.BAD_INPUT, run("roots", "add", "r2", "--raft", "127.0.0.1:6002", "--control",
                "127.0.0.1:5391", "--root", hostPort(r2)));
        assertTrue(err.toString().contains("'r2' is a member already"), err.toString());
        assertTrue(changes.isEmpty());
    }
}
