package dev.tendril.cli;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * that stops getting its expected status (the file behind /healthz deleted: 404, expected
 * 200) takes the instance out of DNS within interval x failureThreshold + 1 s, and it comes
 * back once the file is restored; stats and tree show the health meanwhile. Prints the
 * measured times.
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
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--node";
        all[args.length + 1] = address + ":" + adminPort;
        all[args.length + 2] = "--key";
        all[args.length + 3] = KEY;
        int code = TendrilCtl.run(new PrintWriter(out, true), new PrintWriter(err, true), all);
        assertEquals(0, code, String.join(" ", args) + ": " + err);
        return out.toString();
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

    static String spec() {
        return """
                service: web
                image: tendril/httpd-demo:latest
                command:
                  - /bin/sh
                  - -c
                  - "mkdir -p /www && echo ok > /www/healthz && echo page > /www/index.html && exec httpd -f -p 8080 -h /www"
                ports: [{name: http, protocol: tcp, containerPort: 8080, hostPort: %d}]
                health:
                  http: {port: http, path: /healthz, expectStatus: 200}
                  interval: %dms
                  timeout: 500ms
                  failureThreshold: %d
                  successThreshold: %d
                root: true
                """.formatted(httpPort, INTERVAL.toMillis(), FAILURES, SUCCESSES);
    }

    @Test
    void killedContainersAndFailingProbesLeaveDnsAndComeBack() throws IOException {
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
        assertTrue(stats.contains("health serving") && stats.contains("1 restart(s)"), stats);

        // 2. the probe fails (404, expected 200)
        long broken = System.nanoTime();
        Testbed.run(Duration.ofSeconds(20), "docker", "exec", container(), "/bin/busybox", "rm", "/www/healthz");
        long probeOutMs = untilAnswered(false, broken, Duration.ofSeconds(15), "unhealthy instance out of DNS");
        String unhealthy = ctl("stats");
        String tree = ctl("tree", "web");
        long bound = INTERVAL.toMillis() * FAILURES + 1000;
        System.out.printf("probe failing -> out of DNS after %d ms (bound interval x threshold + 1 s = %d ms)%n", probeOutMs, bound);
        assertTrue(probeOutMs <= bound, "out of DNS within " + bound + " ms: " + probeOutMs);
        assertTrue(unhealthy.contains("health unhealthy (") && unhealthy.contains("HTTP 404, expected 200"), unhealthy);
        assertTrue(tree.contains(nodeId) && tree.contains("DOWN"), tree);

        // 3. recovered
        long fixed = System.nanoTime();
        Testbed.run(Duration.ofSeconds(20), "docker", "exec", container(), "/bin/sh", "-c", "echo ok > /www/healthz");
        long probeBackMs = untilAnswered(true, fixed, Duration.ofSeconds(15), "recovered instance answered again");
        System.out.printf("probe passing again -> answered after %d ms (successThreshold %d x interval %d ms)%n",
                probeBackMs, SUCCESSES, INTERVAL.toMillis());
        assertTrue(probeBackMs <= INTERVAL.toMillis() * SUCCESSES + 1000, "back within the success threshold: " + probeBackMs);
        assertTrue(ctl("stats").contains("health serving"));
    }
}
