package dev.tendril.cli;

import dev.tendril.edge.testing.links.TestNetwork;
import dev.tendril.protocol.transport.CurveKeyPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three replicated roots (Apache Ratis) in link-harness namespaces, and a client host, on one
 * switch. A follower is cut off (its link drops every frame): it keeps answering DNS from its
 * own copy (dig from inside its namespace) and refuses writes naming no leader or another root;
 * the majority elects a leader if it must and takes writes (key enrolments, Raft log entries);
 * after the link heals the cut-off root converges to the same key listing, and no acknowledged
 * write is missing anywhere.
 */
class RootPartitionIT {
    static final String ZONE = ReplicatedRoots.ZONE;
    static final String[] ROOTS = ReplicatedRoots.IDS;

    @TempDir
    Path dir;

    static String address(int i) {
        return ReplicatedRoots.address(i);
    }

    @Test
    void aCutOffRootAnswersDnsRefusesWritesAndConvergesAfterHealing() throws Exception {
        Testbed.requireTool("dig", "dnsutils");
        try (ReplicatedRoots roots = ReplicatedRoots.start(dir, "")) {
            TestNetwork net = roots.net();
            List<String> acked = new ArrayList<>();
            // a fresh group's first election can take a while on a busy machine: wait for it, not in the write's time
            int leader = Testbed.until("a leader", Duration.ofSeconds(60), () -> leaderIndex(net), () -> logTails(roots));
            acked.add(enrolSomewhere(roots, List.of(leader, (leader + 1) % 3, (leader + 2) % 3))); // the leader first
            int cut = (leader + 1) % ROOTS.length; // a follower: the minority
            List<Integer> majority = new ArrayList<>(List.of(0, 1, 2));
            majority.remove(Integer.valueOf(cut));
            Testbed.until(ROOTS[cut] + " holding the first key", Duration.ofSeconds(20),
                    () -> keys(net, "u", cut).containsAll(acked) ? Optional.of(true) : Optional.empty());

            roots.cut(cut);
            long cutAt = System.nanoTime();
            // the cut-off root answers DNS from its own copy, asked from inside its namespace
            String soa = soa(net, ROOTS[cut], address(cut));
            assertTrue(soa.contains("ns1." + ZONE), "the cut-off root answers DNS: " + soa);
            // the majority takes writes (electing a new leader first when it must)
            for (int n = 0; n < 3; n++) {
                acked.add(enrolSomewhere(roots, majority));
            }
            // the cut-off root refuses a write with a clear error, once it noticed it is alone
            EmulatedHosts.Ctl refused = EmulatedHosts.ctl(net, ROOTS[cut], "keys", "enrol", "--root", address(cut) + ":5390",
                    "--timeout", "3s", "platform", "p-refused", CurveKeyPair.generate().publicKey());
            assertNotEquals(0, refused.code(), refused.out());
            assertTrue(refused.out().contains("NOT_LEADER"), "a clear refusal: " + refused.out());
            assertTrue(soa(net, ROOTS[cut], address(cut)).contains("ns1." + ZONE), "still answering DNS");
            System.out.printf("partition: %d writes acknowledged by the majority in %d ms; %s refused: %s%n", acked.size() - 1,
                    (System.nanoTime() - cutAt) / 1_000_000, ROOTS[cut], refused.out().strip());

            roots.heal(cut);
            Testbed.until(ROOTS[cut] + " converging", Duration.ofSeconds(30),
                    () -> keys(net, "u", cut).containsAll(acked) ? Optional.of(true) : Optional.empty());
            List<String> healed = keys(net, "u", cut);
            for (int i : majority) {
                assertEquals(keys(net, "u", i), healed, ROOTS[i] + " and " + ROOTS[cut] + " list the same keys");
            }
            assertTrue(healed.stream().noneMatch(k -> k.equals("p-refused")), "the refused write was not applied");
        }
    }

    /**
     * Enrols a fresh platform key through the first of {@code which} (root indices) that takes
     * it; returns the key. On a timeout the error carries each root's last refusal and log tail.
     */
    static String enrolSomewhere(ReplicatedRoots roots, List<Integer> which) {
        String key = CurveKeyPair.generate().publicKey();
        String platform = "p" + Integer.toHexString(key.hashCode() & 0xffff);
        Map<Integer, String> refused = new TreeMap<>();
        return Testbed.until("a root taking the enrolment of " + platform, Duration.ofSeconds(30), () -> {
            for (int i : which) {
                EmulatedHosts.Ctl c = EmulatedHosts.ctl(roots.net(), "u", "keys", "enrol", "--root", address(i) + ":5390",
                        "--timeout", "3s", "platform", platform, key);
                if (c.code() == 0) {
                    return Optional.of(key);
                }
                refused.put(i, "exit " + c.code() + ": " + c.out().strip());
            }
            return Optional.empty();
        }, () -> "last refusals " + refused + "; " + logTails(roots));
    }

    /** The last lines of each root's log, for a timeout's message (the test's folder is gone by then). */
    static String logTails(ReplicatedRoots roots) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < ROOTS.length; i++) {
            String log;
            try {
                log = Files.readString(roots.log(i));
            } catch (IOException e) {
                log = "(no log: " + e.getMessage() + ")";
            }
            b.append("\n--- ").append(ROOTS[i]).append(" log tail ---\n").append(Testbed.tail(log, 3000));
        }
        return b.toString();
    }

    static final java.util.regex.Pattern LEADER = java.util.regex.Pattern.compile("\"leaderId\"\\s*:\\s*\"r(\\d)\"");

    static Optional<Integer> leaderIndex(TestNetwork net) {
        for (int i = 0; i < ROOTS.length; i++) {
            EmulatedHosts.Ctl c = EmulatedHosts.ctl(net, "u", "roots", "--root", address(i) + ":5390", "--json");
            java.util.regex.Matcher m = LEADER.matcher(c.out());
            if (c.code() == 0 && m.find()) {
                return Optional.of(Integer.parseInt(m.group(1)) - 1);
            }
        }
        return Optional.empty();
    }

    /** The public keys a root's own copy lists, in its order; empty when it does not answer. */
    static List<String> keys(TestNetwork net, String from, int root) {
        EmulatedHosts.Ctl c = EmulatedHosts.ctl(net, from, "keys", "list", "--root", address(root) + ":5390", "--timeout", "3s");
        if (c.code() != 0) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String line : c.out().lines().toList()) {
            for (String word : line.trim().split("\\s+")) {
                if (word.length() == 40) {
                    out.add(word);
                }
            }
        }
        return out;
    }

    static String soa(TestNetwork net, String host, String server) {
        try {
            Process p = new ProcessBuilder(net.command(host, "dig", "+short", "+tries=1", "+time=2", "@" + server, "-p", "5353",
                    ZONE, "SOA")).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
            p.waitFor();
            return out;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
