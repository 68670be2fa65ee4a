package dev.tendril.cli;

import dev.tendril.protocol.message.AdminAuth;
import dev.tendril.protocol.message.AdminMessage;
import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.MessageId;
import dev.tendril.protocol.message.MessageType;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.signing.OperatorKeys;
import dev.tendril.protocol.signing.SignedSpec;
import dev.tendril.protocol.transport.ClientOptions;
import dev.tendril.protocol.transport.RequestClient;
import dev.tendril.protocol.transport.RequestResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The admin socket and spec signatures of a real edge process (bin/tendril-edge, process
 * runtime, busybox httpd) beside a real root: an unsigned spec is rejected and nothing runs,
 * the operator's signed spec runs; a captured valid Deploy sent again after 10,000 junk
 * requests is refused (counted as {@code refused.admin-replayed}, nothing runs again), and
 * after the node restarts it is refused too; every action leaves one tendril.audit line naming
 * the operator.
 */
class AdminSecurityIT {
    static final String ALICE_ADMIN = "alice-admin-key-0123456789";
    static final String BOB_ADMIN = "bob-admin-key-0123456789";

    @TempDir
    Path dir;
    Testbed bed;
    String address;
    int adminPort;
    Process edge;
    String edgeLog;

    @AfterEach
    void stop() {
        if (edge != null && edge.isAlive()) { // on a failure too: the process runtime's httpd outlives the node
            TendrilCtl.run(new PrintWriter(new StringWriter(), true), new PrintWriter(new StringWriter(), true),
                    "remove", "--node", address + ":" + adminPort, "--key", ALICE_ADMIN, "--timeout", "5s", "web");
        }
        if (bed != null) {
            bed.close();
        }
    }

    int treePort;

    void startEdge(int controlPort, int httpPort) throws IOException {
        startEdge("munich-sec", address, 48.14, 11.58, controlPort);
    }

    /** Starts an edge process; sets edge, edgeLog, adminPort and treePort. */
    void startEdge(String id, String address, double lat, double lon, int controlPort) throws IOException {
        Path home = Files.createDirectories(dir.resolve(id));
        Files.writeString(home.resolve("edge.yaml"), """
                platform: {id: %s, address: %s, position: {lat: %s, lon: %s}, arch: amd64, cpus: 2, ram: 4Gi, disk: 10Gi}
                zone: svc.example.edge
                root: {control: ["127.0.0.1:%d"]}
                policies: {preset: local}
                admin:
                  bind: "%s:0"
                  keys:
                    - {name: alice, key: %s}
                    - {name: bob, key: %s}
                tree: {bind: "%s:0"}
                runtime: {kind: process}
                security: {signingKeys: [%s]}
                """.formatted(id, address, lat, lon, controlPort, address, ALICE_ADMIN, BOB_ADMIN, address,
                dir.resolve("keys/alice.pub")));
        edgeLog = id + "-" + System.nanoTime();
        edge = bed.start(edgeLog, home, Testbed.REPO.resolve("bin/tendril-edge").toString(), "--config", "edge.yaml");
        Matcher m = bed.awaitLog(edgeLog, Pattern.compile("edge node ready in \\d+ ms \\(tree [0-9.]+:(\\d+), admin [0-9.]+:(\\d+)"),
                Duration.ofSeconds(90));
        treePort = Integer.parseInt(m.group(1));
        adminPort = Integer.parseInt(m.group(2));
    }

    Envelope deploy(String adminKey, String spec) {
        MessageId id = MessageId.random(new SecureRandom());
        long now = System.currentTimeMillis();
        return new Envelope(id, "", "ctl", now, new AdminMessage.Deploy(
                AdminAuth.sign(adminKey, id, now, MessageType.ADMIN_DEPLOY, spec), spec));
    }

    /** Sends {@code e} as captured: a copy the client must send again carries the same id. */
    Message send(RequestClient c, Envelope e) {
        return body(c.request(e));
    }

    /** Sends {@code e} as tendrilctl does: a copy sent again is a signed retry (see AdminAuth.signRetry). */
    Message sendAsOperator(RequestClient c, Envelope e, String adminKey) {
        AdminMessage.Request request = (AdminMessage.Request) e.body();
        return body(c.request(e, AdminAuth.retries(adminKey, e.from(), request.type(), request.signedPayload(),
                auth -> request instanceof AdminMessage.Deploy d ? new AdminMessage.Deploy(auth, d.specYaml())
                        : new AdminMessage.StatsQuery(auth), new SecureRandom())));
    }

    private static Message body(RequestResult r) {
        assertInstanceOf(RequestResult.Reply.class, r, "no reply from the node: " + r);
        return ((RequestResult.Reply) r).envelope().body();
    }

    /** Audit lines of the current edge process holding every fragment. */
    long auditLines(String... fragments) throws IOException {
        return Files.readAllLines(bed.log(edgeLog)).stream().filter(l -> l.contains("operator="))
                .filter(l -> java.util.Arrays.stream(fragments).allMatch(l::contains)).count();
    }

    @Test
    void signedSpecsOnlyAndACapturedDeployNeverRunsTwice() throws Exception {
        assertTrue(Files.isExecutable(Path.of("/bin/busybox")), "/bin/busybox is missing: apt-get install busybox-static");
        Testbed.classpath("root-dns-server");
        Testbed.classpath("edge-node");
        OperatorKeys.write(OperatorKeys.generate(), "alice", dir.resolve("keys"));
        address = "127." + (100 + new Random().nextInt(100)) + ".0.2";
        int httpPort = Testbed.freePort();
        bed = new Testbed(dir);
        int controlPort = Testbed.freePort();
        bed.startRoot(Testbed.freePort(), controlPort);
        startEdge(controlPort, httpPort);
        String spec = """
                service: web
                image: local/busybox-httpd
                command: ["/bin/sh", "-c", "mkdir -p www && echo ok > www/index.html && exec /bin/busybox httpd -f -p ${TENDRIL_BIND_ADDRESS}:${TENDRIL_PORT_HTTP} -h www"]
                ports: [{name: http, containerPort: %d, hostPort: %d}]
                root: true
                """.formatted(httpPort, httpPort);

        // an unsigned spec through tendrilctl: rejected, nothing runs
        Path specFile = dir.resolve("web.yaml");
        Files.writeString(specFile, spec);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String node = address + ":" + adminPort;
        int code = TendrilCtl.run(new PrintWriter(out, true), new PrintWriter(err, true),
                "deploy", "--node", node, "--key", BOB_ADMIN, specFile.toString());
        assertEquals(TendrilCtl.BAD_INPUT, code, out + "\n" + err);
        assertTrue(err.toString().contains("not signed"), err.toString());

        // the operator's signed spec, captured on its way: runs once
        String signed = SignedSpec.sign(spec, "alice", OperatorKeys.readSecret(dir.resolve("keys/alice.key")));
        Envelope captured = deploy(ALICE_ADMIN, signed);
        try (RequestClient c = new RequestClient(ClientOptions.of("tcp://" + node).withRetries(Duration.ofSeconds(20), 1))) {
            AdminMessage.DeployReply first = (AdminMessage.DeployReply) sendAsOperator(c, captured, ALICE_ADMIN);
            assertEquals("deployed", first.outcome(), first.toString());
            for (int i = 0; i < 10_000; i++) {
                RootMessage.ErrorReply junk = (RootMessage.ErrorReply) send(c, deploy("junk-" + i + "-0123456789abc", signed));
                assertEquals("UNAUTHORIZED", junk.code());
            }
            RootMessage.ErrorReply again = (RootMessage.ErrorReply) send(c, captured);
            assertEquals("UNAUTHORIZED", again.code(), again.toString());
            assertTrue(again.message().contains("already used"), again.toString());
        }
        assertEquals(1, counter(node, "refused.admin-replayed"));
        assertEquals(10_000, counter(node, "refused.admin-bad-key"));
        Testbed.until("the audit line", Duration.ofSeconds(10),
                () -> uncheckedAudit("operator=alice") == 1 ? java.util.Optional.of(true) : java.util.Optional.empty());
        assertEquals(1, auditLines("operator=alice", "request=ADMIN_DEPLOY", "result=deployed"), "the deploy ran once");
        assertEquals(1, auditLines("operator=bob", "request=ADMIN_DEPLOY", "result=rejected"), "bob's unsigned deploy");

        // restart: the node forgot the ids and its reply cache, the capture is still refused
        edge.destroy();
        assertTrue(edge.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
        startEdge(controlPort, httpPort);
        try (RequestClient c = new RequestClient(ClientOptions.of("tcp://" + address + ":" + adminPort)
                .withRetries(Duration.ofSeconds(20), 1))) {
            RootMessage.ErrorReply refused = (RootMessage.ErrorReply) send(c, captured);
            assertEquals("UNAUTHORIZED", refused.code(), refused.toString());
            // the node read back the ids it accepted before the restart (its state folder): the
            // replay is refused as one, whatever the clocks (the start time alone would not do
            // when the capturer's clock ran ahead)
            assertTrue(refused.message().contains("already used"), refused.toString());
        }
        assertEquals(1, counter(address + ":" + adminPort, "refused.admin-replayed"));
        assertEquals(0, auditLines("request=ADMIN_DEPLOY"), "the restarted node ran nothing");
        int removed = TendrilCtl.run(new PrintWriter(new StringWriter(), true), new PrintWriter(new StringWriter(), true),
                "remove", "--node", address + ":" + adminPort, "--key", ALICE_ADMIN, "web");
        assertEquals(TendrilCtl.OK, removed, "the instance is removed again");
        // once, with its operator; a resend of the same request (tendrilctl resends a request whose connection
        // looked stalled, as under a loaded suite) gets the kept reply and its own line saying so (seen once)
        List<String> alice = Files.readAllLines(bed.log(edgeLog)).stream().filter(l -> l.contains("operator=alice")).toList();
        assertEquals(1, alice.stream().filter(l -> l.contains("request=ADMIN_REMOVE") && !l.contains("retry-of:")).count(),
                "the remove ran once and is audited with its operator: " + alice);
        assertTrue(alice.stream().allMatch(l -> l.contains("request=ADMIN_REMOVE")), "and nothing else ran: " + alice);
    }

    /** A counter of the node's stats (tendrilctl stats), 0 when absent. */
    long counter(String node, String name) {
        try (RequestClient c = new RequestClient(ClientOptions.of("tcp://" + node).withRetries(Duration.ofSeconds(10), 1))) {
            AdminMessage.StatsReply r = (AdminMessage.StatsReply) sendAsOperator(c, statsQuery(), ALICE_ADMIN);
            return r.counters().stream().filter(f -> f.name().equals(name)).mapToLong(f -> Long.parseLong(f.value()))
                    .findFirst().orElse(0);
        }
    }

    Envelope statsQuery() {
        MessageId id = MessageId.random(new SecureRandom());
        long now = System.currentTimeMillis();
        return new Envelope(id, "", "ctl", now, new AdminMessage.StatsQuery(
                AdminAuth.sign(ALICE_ADMIN, id, now, MessageType.ADMIN_STATS_QUERY, "")));
    }

    @Test
    void aCompromisedMembersUnsignedOrTamperedReplicaRunsNothingTheOperatorsDoes() throws Exception {
        assertTrue(Files.isExecutable(Path.of("/bin/busybox")), "/bin/busybox is missing: apt-get install busybox-static");
        Testbed.classpath("root-dns-server");
        Testbed.classpath("edge-node");
        OperatorKeys.write(OperatorKeys.generate(), "alice", dir.resolve("keys"));
        String net = "127." + (100 + new Random().nextInt(100)) + ".0.";
        bed = new Testbed(dir);
        int controlPort = Testbed.freePort();
        bed.startRoot(Testbed.freePort(), controlPort);
        int httpPort = Testbed.freePort();
        String spec = """
                service: web
                image: local/busybox-httpd
                command: ["/bin/sh", "-c", "mkdir -p www && echo ok > www/index.html && exec /bin/busybox httpd -f -p ${TENDRIL_BIND_ADDRESS}:${TENDRIL_PORT_HTTP} -h www"]
                ports: [{name: http, containerPort: %d, hostPort: %d}]
                root: true
                """.formatted(httpPort, httpPort);
        Path specFile = dir.resolve("web.yaml");
        Files.writeString(specFile, spec);

        // munich: deployed by the operator through tendrilctl (signed), a member of web's tree
        address = net + "2";
        startEdge("munich-sec", address, 48.14, 11.58, controlPort);
        Process munich = edge;
        String munichAdmin = address + ":" + adminPort;
        StringWriter err = new StringWriter();
        assertEquals(TendrilCtl.OK, TendrilCtl.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                "deploy", "--node", munichAdmin, "--key", ALICE_ADMIN, "--operator-key",
                dir.resolve("keys/alice.key").toString(), specFile.toString()), err.toString());
        dev.tendril.protocol.message.NodeInfo munichNode = new dev.tendril.protocol.message.NodeInfo("munich-sec", address,
                new dev.tendril.protocol.geo.GeoPoint(48.14, 11.58), java.util.List.of(), treePort);

        // garching: the target of the compromised munich's Replicate messages
        String garchingAddress = net + "3";
        startEdge("garching-sec", garchingAddress, 48.25, 11.65, controlPort);
        String garchingAdmin = garchingAddress + ":" + adminPort;
        String signed = SignedSpec.sign(spec, "alice", OperatorKeys.readSecret(dir.resolve("keys/alice.key")));
        try (RequestClient tree = new RequestClient(ClientOptions.of("tcp://" + garchingAddress + ":" + treePort)
                .withRetries(Duration.ofSeconds(10), 1), dev.tendril.edge.adapter.in.overlay.TreeSocket.codec())) {
            java.util.List<String> hostile = java.util.List.of(spec, signed.replace("echo ok", "id > /tmp/pwned; echo ok"),
                    signed + "env: {X: \"1\"}\n");
            for (int i = 0; i < hostile.size(); i++) {
                String s = hostile.get(i);
                MessageId id = MessageId.random(new SecureRandom());
                send(tree, new Envelope(id, "web", "munich-sec", System.currentTimeMillis(),
                        new dev.tendril.protocol.message.SelfOrgMessage.Replicate("web", "r" + i, munichNode, s)));
                int expected = i + 1;
                Testbed.until("refusal " + expected + " counted", Duration.ofSeconds(30), () ->
                        counter(garchingAdmin, "refused.spec-unsigned") + counter(garchingAdmin, "refused.spec-bad-signature")
                                >= expected ? java.util.Optional.of(true) : java.util.Optional.empty());
            }
            assertEquals(1, counter(garchingAdmin, "refused.spec-unsigned"));
            assertEquals(2, counter(garchingAdmin, "refused.spec-bad-signature"));
            assertFalse(Files.exists(dir.resolve("garching-sec/state/processes/garching-sec-web")), "nothing ran on garching");

            // the operator's signed spec offered by a node that is not in web's tree: refused on the root's
            // account (one MembershipQuery), counted, nothing runs
            dev.tendril.protocol.message.NodeInfo stranger = new dev.tendril.protocol.message.NodeInfo("stranger-sec",
                    net + "9", new dev.tendril.protocol.geo.GeoPoint(48.2, 11.6), java.util.List.of(), treePort);
            send(tree, new Envelope(MessageId.random(new SecureRandom()), "web", "stranger-sec", System.currentTimeMillis(),
                    new dev.tendril.protocol.message.SelfOrgMessage.Replicate("web", "stranger", stranger, signed)));
            Testbed.until("not-a-member refusal counted", Duration.ofSeconds(30), () ->
                    counter(garchingAdmin, "refused.replicate-not-a-member") >= 1 ? java.util.Optional.of(true)
                            : java.util.Optional.empty());
            assertFalse(Files.exists(dir.resolve("garching-sec/state/processes/garching-sec-web")),
                    "nothing ran on garching for a stranger's offer");

            // the same member offering the operator's signed spec: garching runs it (so the checks above can fail)
            MessageId id = MessageId.random(new SecureRandom());
            send(tree, new Envelope(id, "web", "munich-sec", System.currentTimeMillis(),
                    new dev.tendril.protocol.message.SelfOrgMessage.Replicate("web", "ok", munichNode, signed)));
            Testbed.until("garching runs the signed replica", Duration.ofSeconds(60), () ->
                    Files.exists(dir.resolve("garching-sec/state/processes/garching-sec-web")) ? java.util.Optional.of(true)
                            : java.util.Optional.empty());
        } finally {
            for (String node : java.util.List.of(garchingAdmin, munichAdmin)) {
                TendrilCtl.run(new PrintWriter(new StringWriter(), true), new PrintWriter(new StringWriter(), true),
                        "remove", "--node", node, "--key", ALICE_ADMIN, "--timeout", "5s", "web");
            }
            edge = null; // both removed above
        }
    }

    private long uncheckedAudit(String fragment) {
        try {
            return auditLines(fragment);
        } catch (IOException e) {
            return 0;
        }
    }
}
