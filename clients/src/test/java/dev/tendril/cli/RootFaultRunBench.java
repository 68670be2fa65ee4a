package dev.tendril.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The randomized fault run of docs/replication.md (a benchmark, not CI: it runs only with
 * {@code -Dbench=true}). Three replicated roots in link-harness namespaces ({@link ReplicatedRoots});
 * each round picks a fault at random (kill -9 of a random root, kill -9 of the leader, or a
 * partition of a random root: its link drops every frame), runs a stream of RecordMigration
 * writes through a leader-following client for a few seconds, heals (restarts the killed root,
 * restores the link) and waits, bounded, until every root lists every acknowledged record and
 * all roots answer the 201 probe clients alike ({@link FaultAgent}). A record acknowledged but
 * missing on some root after that wait is a loss; a probe answered differently is a divergence.
 *
 * <p>{@code mvn -o -q -pl clients -am verify -Dtest=None -Dit.test=RootFaultRunBench -Dbench=true
 * [-Dfaults.rounds=50] [-Dfaults.seed=N] [-Dfaults.writeMillis=3000]
 * -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false}
 */
@EnabledIfSystemProperty(named = "bench", matches = "true")
class RootFaultRunBench {
    enum Fault { KILL, KILL_LEADER, PARTITION }

    static final Pattern WROTE = Pattern.compile("wrote acked=(\\d+) failed=(\\d+)");
    static final Pattern CHECK = Pattern.compile("check converged=(\\w+) ms=(\\d+) acked=(\\d+) missing=\\[([0-9,]*)] divergent=(\\d+)");
    static final Duration CONVERGE = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void randomFaultsLoseNoAcknowledgedWriteAndTheRootsAgree() throws Exception {
        long seed = Long.getLong("faults.seed", System.nanoTime() & 0xffffffffL);
        int rounds = Integer.getInteger("faults.rounds", 50);
        long writeMillis = Long.getLong("faults.writeMillis", 3000);
        int writeMax = Integer.getInteger("faults.writeMax", 150);
        RandomGenerator random = new SplittableRandom(seed);
        System.out.printf("fault run: seed %d (-Dfaults.seed), %d rounds, writes for %d ms (at most %d) per round%n",
                seed, rounds, writeMillis, writeMax);
        Map<Fault, Integer> faults = new EnumMap<>(Fault.class);
        long acked = 0;
        long failed = 0;
        int losses = 0;
        int divergences = 0;
        long slowest = 0;
        List<String> findings = new ArrayList<>();
        long start = System.nanoTime();
        try (ReplicatedRoots roots = ReplicatedRoots.start(dir, ", limits: {maxMigrationsPerService: 1000000}");
             Agent agent = new Agent(roots)) {
            assertTrue(agent.send("SETUP").startsWith("ok"), "the service tree and instances are registered");
            for (int round = 1; round <= rounds; round++) {
                Fault fault = Fault.values()[random.nextInt(Fault.values().length)];
                int victim = random.nextInt(ReplicatedRoots.IDS.length);
                if (fault == Fault.KILL_LEADER) {
                    String leader = agent.send("LEADER").substring("leader ".length());
                    victim = leader.startsWith("r") ? Integer.parseInt(leader.substring(1)) - 1 : victim;
                }
                long t0 = System.nanoTime();
                if (fault == Fault.PARTITION) {
                    roots.cut(victim);
                } else {
                    roots.kill9(victim);
                }
                faults.merge(fault, 1, Integer::sum);
                String wrote = agent.send("WRITE " + writeMillis + " " + writeMax);
                Matcher w = WROTE.matcher(wrote);
                assertTrue(w.find(), wrote);
                acked += Long.parseLong(w.group(1));
                failed += Long.parseLong(w.group(2));
                if (fault == Fault.PARTITION) {
                    roots.heal(victim);
                } else {
                    roots.spawn(victim);
                    roots.awaitReady(victim, ReplicatedRoots.READY);
                }
                String checked = agent.send("CHECK " + CONVERGE.toMillis());
                Matcher c = CHECK.matcher(checked);
                assertTrue(c.find(), checked);
                int missing = 0;
                for (String m : c.group(4).split(",")) {
                    missing = Math.max(missing, m.isEmpty() ? 0 : Integer.parseInt(m));
                }
                int divergent = Integer.parseInt(c.group(5));
                losses += missing;
                divergences += divergent;
                slowest = Math.max(slowest, Long.parseLong(c.group(2)));
                if (missing > 0 || divergent > 0) {
                    findings.add("round " + round + " " + fault + " r" + (victim + 1) + ": " + checked);
                }
                System.out.printf(Locale.ROOT, "round %d: %s r%d, %s; healed and checked in %d ms: %s%n", round, fault, victim + 1,
                        wrote, (System.nanoTime() - t0) / 1_000_000, checked);
            }
        }
        System.out.printf(Locale.ROOT, "fault run summary: seed %d, rounds %d, faults %s, writes acknowledged %d (not acknowledged %d), "
                        + "losses %d, divergences %d (201 probe clients x %d checks), slowest convergence %d ms, %.0f s in all%n",
                seed, rounds, faults, acked, failed, losses, divergences, rounds, slowest, (System.nanoTime() - start) / 1e9);
        System.out.println("load average at the end: " + java.nio.file.Files.readString(Path.of("/proc/loadavg")).strip()
                + "; " + Runtime.getRuntime().availableProcessors() + " CPUs");
        findings.forEach(f -> System.out.println("finding: " + f));
        assertEquals(0, losses, "acknowledged writes missing on some root after healing: " + findings);
        assertEquals(0, divergences, "probe clients answered differently by the roots after healing: " + findings);
    }

    /** The {@link FaultAgent} process in the client host's namespace, one command at a time. */
    static final class Agent implements AutoCloseable {
        private final Process process;
        private final PrintWriter in;
        private final BufferedReader out;

        Agent(ReplicatedRoots roots) throws IOException {
            String java = ProcessHandle.current().info().command().orElse("java");
            List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                    FaultAgent.class.getName()));
            for (int i = 0; i < ReplicatedRoots.IDS.length; i++) {
                cmd.add(ReplicatedRoots.control(i));
            }
            process = new ProcessBuilder(roots.net().command(ReplicatedRoots.CLIENT_HOST, cmd.toArray(String[]::new)))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        /** Sends one command and returns the agent's answer (without the AGENT prefix). */
        String send(String command) throws IOException {
            in.println(command);
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("AGENT ")) {
                    String answer = line.substring("AGENT ".length());
                    if (answer.startsWith("error")) {
                        throw new AssertionError(command + ": " + answer);
                    }
                    return answer;
                }
            }
            throw new AssertionError("the fault agent ended while answering " + command);
        }

        @Override
        public void close() throws InterruptedException {
            in.println("QUIT");
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        }
    }
}
