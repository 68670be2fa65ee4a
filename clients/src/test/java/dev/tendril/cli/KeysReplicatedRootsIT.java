package dev.tendril.cli;

import dev.tendril.protocol.keys.CurveKeyFiles;
import dev.tendril.protocol.transport.CurveKeyPair;
import dev.tendril.root.testing.RootCluster;
import dev.tendril.root.testing.RootCluster.Member;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code tendrilctl keys enrol|revoke|list} against a real replicated group: three root
 * processes in one Raft group on loopback (free ports, one shared server key), each command
 * sent to one root at a time. The two followers answer key changes NOT_LEADER naming the
 * leader; tendrilctl follows that answer (the same LeaderFollower as the edge's root client),
 * so enrolling through every root succeeds and every root lists every key, then the
 * revocations through every root take them off every root. {@code tendrilctl roots} through any
 * root lists one leader and two followers (each asked over CURVE with the group's key).
 */
class KeysReplicatedRootsIT {
    @TempDir
    Path dir;

    CtlRun ctl(Member root, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--root", "127.0.0.1:" + root.controlPort, "--curve-key", dir.resolve("keys/alice.key").toString(),
                "--root-key", dir.resolve("keys/roots.pub").toString(), "--timeout", "20s"));
        return CtlRun.of(all);
    }

    @Test
    void enrolRevokeAndListThroughEveryRootOfTheGroup() throws Exception {
        CurveKeyFiles.generate(dir.resolve("keys"), "roots");
        CurveKeyFiles.generate(dir.resolve("keys"), "alice");
        List<String> platforms = List.of("munich", "hamburg", "berlin");
        List<CurveKeyPair> keys = new ArrayList<>();
        for (String p : platforms) {
            keys.add(CurveKeyFiles.generate(dir.resolve("keys"), p));
        }
        try (RootCluster cluster = RootCluster.configure(dir, 3)) {
            for (Member m : cluster.members()) { // every root of a group has the same server key
                Files.writeString(m.config, "security:\n  serverKey: keys/roots.key\n  operatorKeys: {alice: keys/alice.pub}\n",
                        StandardOpenOption.APPEND);
            }
            cluster.startAll();
            List<Member> roots = cluster.members();
            for (int i = 0; i < platforms.size(); i++) { // one platform through each root: two of them are followers
                CtlRun enrol = ctl(roots.get(i), "keys", "enrol", "platform", platforms.get(i),
                        dir.resolve("keys/" + platforms.get(i) + ".pub").toString());
                assertEquals(TendrilCtl.OK, enrol.code(), roots.get(i).id + ": " + enrol.err());
            }
            for (Member m : roots) {
                Testbed.until(m.id + " lists every enrolled key", Duration.ofSeconds(20), () -> {
                    String listing = ctl(m, "keys", "list").out();
                    return keys.stream().allMatch(k -> listing.contains(k.publicKey())) ? Optional.of(true) : Optional.empty();
                });
            }
            for (Member m : roots) { // tendrilctl roots asks the other members with the group's server key too
                CtlRun listing = ctl(m, "roots");
                assertEquals(TendrilCtl.OK, listing.code(), m.id + ": " + listing.err());
                List<String> roles = listing.out().lines().skip(1).map(l -> l.trim().split(" +")[1]).sorted().toList();
                assertEquals(List.of("FOLLOWER", "FOLLOWER", "LEADER"), roles, m.id + ":\n" + listing.out());
            }
            for (int i = 0; i < platforms.size(); i++) {
                Member through = roots.get((i + 1) % roots.size());
                CtlRun revoke = ctl(through, "keys", "revoke", "platform", platforms.get(i));
                assertEquals(TendrilCtl.OK, revoke.code(), through.id + ": " + revoke.err());
            }
            for (Member m : roots) {
                Testbed.until(m.id + " lists none of them", Duration.ofSeconds(20), () -> {
                    String listing = ctl(m, "keys", "list").out();
                    return keys.stream().noneMatch(k -> listing.contains(k.publicKey())) ? Optional.of(true) : Optional.empty();
                });
            }
        }
    }
}
