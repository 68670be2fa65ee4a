package dev.tendril.cli;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Instance health with real processes: a root (bin/tendril-root) and one edge node
 * (bin/tendril-edge, Docker runtime, the demo image serving /healthz with busybox httpd),
 * checked with dig against the root. Checks: a container killed behind the node's back
 * (docker kill) leaves DNS within 2 s and is restarted and answered again; an HTTP probe
 * answered with 500 (expected 200) takes the instance out of DNS within interval x
 * failureThreshold + 1 s, and it comes back once the probe passes again; stats and tree show
 * the health meanwhile. Then the probe flaps while dig samples DNS at a fixed rate: runs of
 * failures shorter than the threshold never take the instance out, and a pattern that does
 * reach the thresholds changes DNS no faster than they allow. Prints the measured times.
 *
 * <p>The probe answer comes from a busybox httpd CGI script, {@code /cgi-bin/healthz}: it
 * counts its requests and answers each by the mode file {@code /tmp/mode} in the container:
 * {@code ok} (200), {@code fail} (500), or a pattern of {@code P} (200) and {@code F} (500)
 * taken in turn, one letter per probe, so a pattern means the same probe verdicts whatever
 * the timing.
 */
class InstanceHealthIT {
    static final String KEY = "health-key-0123456789abcdef";
    static final String ZONE = "svc.example.edge";
    static final Duration INTERVAL = Duration.ofSeconds(1);
    static final int FAILURES = 3;
    static final int SUCCESSES = 2;

    @TempDir
    static Path dir;
    static Testbed bed;
    static int dnsPort;
    static int httpPort;
    static int adminPort;
    static String nodeId;
    static String address;

    @BeforeAll
    static void startRootAndEdge() throws IOException {
        Testbed.requireDockerAndDemoImage();
        Testbed.classpath("root-dns-server");
        Testbed.classpath("edge-node");
        Random random = new Random();
        nodeId = "munich-" + Integer.toString(random.nextInt(36 * 36 * 36), 36);
        address = "127." + (100 + random.nextInt(100)) + ".1.2";
        dnsPort = Testbed.freePort();
        int controlPort = Testbed.freePort();
        httpPort = Testbed.freePort();
        bed = new Testbed(dir);
        bed.startRoot(dnsPort, controlPort);
        Path home = Files.createDirectories(dir.resolve("munich"));
        Files.writeString(home.resolve("edge.yaml"), """
                platform: {id: %s, address: %s, position: {lat: 48.1374, lon: 11.5755}, arch: amd64, cpus: 2, ram: 4Gi, disk: 10Gi}
                zone: %s
                root: {control: ["127.0.0.1:%d"]}
                policies: {preset: local}
                admin: {key: %s, bind: "%s:0"}
                tree: {bind: "%s:0"}
                runtime: {kind: docker}
                """.formatted(nodeId, address, ZONE, controlPort, KEY, address, address));
        bed.start("munich", home, Testbed.REPO.resolve("bin/tendril-edge").toString(), "--config", "edge.yaml");
        Matcher m = bed.awaitLog("munich", Pattern.compile("edge node ready in \\d+ ms \\(tree [^,]+, admin [0-9.]+:(\\d+)"),
                Duration.ofSeconds(60));
        adminPort = Integer.parseInt(m.group(1));
    }

    @AfterAll
    static void stopAll() {
        if (bed != null) {
            bed.close();
        }
        if (nodeId != null) {
            Testbed.removeContainers(container());
        }
    }

    static String container() {
        return "tendril-" + nodeId + "-web";
    }

    static String ctl(String... args) {
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--node";
        all[args.length + 1] = address + ":" + adminPort;
        all[args.length + 2] = "--key";
        all[args.length + 3] = KEY;
        CtlRun c = CtlRun.of(all);
        assertEquals(0, c.code(), String.join(" ", args) + ": " + c.err());
        return c.out();
    }

    static boolean answered() {
        return Testbed.run(Duration.ofSeconds(10), "dig", "+short", "+tries=1", "+time=2", "@127.0.0.1", "-p",
                Integer.toString(dnsPort), "web." + ZONE, "A").strip().equals(address);
    }

    /** Milliseconds from {@code since} (System.nanoTime) until DNS answers ({@code want} true) or stops answering. */
    static long untilAnswered(boolean want, long since, Duration limit, String what) {
        long at = Testbed.until(what, limit, () -> answered() == want ? Optional.of(System.nanoTime()) : Optional.empty());
        return (at - since) / 1_000_000;
    }

    /** The node's log lines about exits and restarts, for a failure message. */
    static String restartLines() throws IOException {
        return "\nnode log:\n" + String.join("\n", Files.readAllLines(bed.log("munich")).stream()
                .filter(l -> l.contains("restart") || l.contains("exited") || l.contains("deploy")).toList());
    }

    static String spec() {
        return """
                service: web
                image: tendril/httpd-demo:latest
                command:
                  - /bin/sh
                  - -c
                  - |
                    mkdir -p /www/cgi-bin
                    echo page > /www/index.html
                    echo 0 > /tmp/count
                    echo ok > /tmp/mode
                    cat > /www/cgi-bin/healthz <<'EOF'
                    #!/bin/sh
                    read n < /tmp/count; n=$((n + 1)); echo $n > /tmp/count
                    read m < /tmp/mode
                    case "$m" in ok) v=P;; fail) v=F;; *) i=$(( (n - 1) %% ${#m} )); v=${m:$i:1};; esac
                    if [ "$v" = P ]; then
                      printf 'Status: 200 OK\\r\\nContent-Type: text/plain\\r\\n\\r\\nok %%s\\n' "$n"
                    else
                      printf 'Status: 500 Internal Server Error\\r\\nContent-Type: text/plain\\r\\n\\r\\nfailing %%s\\n' "$n"
                    fi
                    EOF
                    /bin/busybox chmod 755 /www/cgi-bin/healthz
                    exec httpd -f -p 8080 -h /www
                ports: [{name: http, protocol: tcp, containerPort: 8080, hostPort: %d}]
                health:
                  http: {port: http, path: /cgi-bin/healthz, expectStatus: 200}
                  interval: %dms
                  timeout: 500ms
                  failureThreshold: %d
                  successThreshold: %d
                root: true
                """.formatted(httpPort, INTERVAL.toMillis(), FAILURES, SUCCESSES);
    }

    /** Sets how the probe is answered from its next request on: ok, fail, or a pattern of P and F. */
    static void probeMode(String mode) {
        Testbed.run(Duration.ofSeconds(20), "docker", "exec", container(), "/bin/sh", "-c",
                "echo 0 > /tmp/count && echo " + mode + " > /tmp/mode");
    }

    /** DNS answer samples taken every {@code pace} for {@code length}: the times (ms from the start) at which the answer changed. */
    static List<Long> sampleChanges(Duration length, Duration pace, boolean initial) throws InterruptedException {
        List<Long> changes = new ArrayList<>();
        long start = System.nanoTime();
        boolean last = initial;
        int samples = 0;
        for (long k = 0; k * pace.toNanos() < length.toNanos(); k++) {
            long due = start + k * pace.toNanos();
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000)); // the sampling rate, not a wait for a condition
            }
            boolean now = answered();
            samples++;
            if (now != last) {
                changes.add((System.nanoTime() - start) / 1_000_000);
                last = now;
            }
        }
        System.out.printf("  %d dig samples over %d ms, DNS changed %d time(s) at %s ms%n", samples, length.toMillis(),
                changes.size(), changes);
        return changes;
    }

    @Test
    void killedContainersAndFailingProbesLeaveDnsAndComeBack() throws IOException, InterruptedException {
        Path spec = dir.resolve("web.yaml");
        Files.writeString(spec, spec());
        ctl("deploy", spec.toString()); // registered at once, or in a later round when the young root answers slowly
        untilAnswered(true, System.nanoTime(), Duration.ofSeconds(20), "web answered");

        // 1. killed behind the node's back
        long killed = System.nanoTime();
        Testbed.run(Duration.ofSeconds(20), "docker", "kill", container());
        long outMs = untilAnswered(false, killed, Duration.ofSeconds(10), "killed instance out of DNS");
        long backMs = untilAnswered(true, killed, Duration.ofSeconds(30), "restarted instance answered again");
        String stats = ctl("stats");
        System.out.printf("docker kill -> out of DNS after %d ms, restarted and answered again after %d ms%n", outMs, backMs);
        assertTrue(outMs <= 2000, "out of DNS within 2 s of docker kill: " + outMs + " ms");
        assertTrue(stats.contains("health serving") && stats.contains("1 restart(s)"), stats + restartLines());

        // 2. the probe fails: HTTP 500, expected 200
        long broken = System.nanoTime();
        probeMode("fail");
        long probeOutMs = untilAnswered(false, broken, Duration.ofSeconds(15), "unhealthy instance out of DNS");
        String unhealthy = ctl("stats");
        String tree = ctl("tree", "web");
        long bound = INTERVAL.toMillis() * FAILURES + 1000;
        System.out.printf("probe answered 500 -> out of DNS after %d ms (bound interval x threshold + 1 s = %d ms)%n",
                probeOutMs, bound);
        assertTrue(probeOutMs <= bound, "out of DNS within " + bound + " ms: " + probeOutMs);
        assertTrue(unhealthy.contains("health unhealthy (") && unhealthy.contains("HTTP 500, expected 200"), unhealthy);
        assertTrue(tree.contains(nodeId) && tree.contains("DOWN"), tree);

        // 3. recovered
        long fixed = System.nanoTime();
        probeMode("ok");
        long probeBackMs = untilAnswered(true, fixed, Duration.ofSeconds(15), "recovered instance answered again");
        System.out.printf("probe passing again -> answered after %d ms (successThreshold %d x interval %d ms)%n",
                probeBackMs, SUCCESSES, INTERVAL.toMillis());
        assertTrue(probeBackMs <= INTERVAL.toMillis() * SUCCESSES + 1000, "back within the success threshold: " + probeBackMs);
        assertTrue(ctl("stats").contains("health serving"));

        // 4. flapping below the failure threshold (runs of 1 and 2 failures): never out of DNS
        Duration pace = Duration.ofMillis(250);
        String below = "FPFFP";
        probeMode(below);
        System.out.printf("probe flapping %s (failureThreshold %d) for 12 s:%n", below, FAILURES);
        List<Long> belowChanges = sampleChanges(Duration.ofSeconds(12), pace, true);
        String flapping = ctl("stats");
        assertEquals(List.of(), belowChanges, "failure runs below the threshold never take the instance out of DNS");
        assertTrue(flapping.contains("health serving"), flapping);

        // 5. flapping that reaches the thresholds: out after 3 failures, back after 2 successes, no faster
        String reaching = "FFFPP";
        probeMode(reaching);
        Duration length = Duration.ofSeconds(16);
        System.out.printf("probe flapping %s (failureThreshold %d, successThreshold %d) for %d s:%n", reaching, FAILURES,
                SUCCESSES, length.toSeconds());
        List<Long> changes = sampleChanges(length, pace, true);
        probeMode("ok");
        long window = INTERVAL.toMillis() * Math.min(FAILURES, SUCCESSES);
        long shortest = Long.MAX_VALUE;
        for (int i = 1; i < changes.size(); i++) {
            shortest = Math.min(shortest, changes.get(i) - changes.get(i - 1));
        }
        System.out.printf("  shortest time between DNS changes %d ms (threshold window %d ms)%n", shortest, window);
        assertTrue(changes.size() >= 2, "a pattern reaching the thresholds takes the instance out and back: " + changes);
        assertTrue(changes.size() <= length.toMillis() / window + 1, "at most one DNS change per threshold window: " + changes);
        assertTrue(shortest >= window - 1000, "DNS changes no faster than the thresholds allow: " + changes);
        untilAnswered(true, System.nanoTime(), Duration.ofSeconds(15), "answered again once the probe passes");
    }
}
