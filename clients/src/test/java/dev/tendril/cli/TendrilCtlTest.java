package dev.tendril.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Client-side behaviour of tendrilctl that needs no node: validation before anything is sent. */
class TendrilCtlTest {
    @TempDir
    Path dir;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    private int run(String... args) {
        return TendrilCtl.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    /** A port nothing listens on: a request sent there would time out, so a quick exit proves nothing was sent. */
    static String deadNode() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return "127.0.0.1:" + s.getLocalPort();
        }
    }

    private Path spec(String text) throws IOException {
        Path p = dir.resolve("spec.yaml");
        Files.writeString(p, text);
        return p;
    }

    @Test
    void aBadSpecIsRejectedWithEveryProblemAndNothingIsSent() throws IOException {
        Path bad = spec("""
                service: Web_Service
                ports: [{name: http, containerPort: 8080, hostPort: 99999}]
                requirements: {arch: [amd64, sparc]}
                root: true
                """);
        int code = run("deploy", "--node", deadNode(), "--key", "k", "--timeout", "30s", bad.toString());
        assertEquals(TendrilCtl.BAD_INPUT, code);
        String e = err.toString();
        assertTrue(e.contains("nothing was deployed"), e);
        assertTrue(e.contains("service: got 'Web_Service'"), e);
        assertTrue(e.contains("image: missing"), e);
        assertTrue(e.contains("ports[0].hostPort: got '99999'"), e);
        assertTrue(e.contains("requirements.arch[1]: got 'sparc'"), e);
        assertTrue(!e.contains("no answer"), "nothing was sent: " + e);
    }

    @Test
    void anOversizedDuplicateOrListSpecIsRefusedAndNothingIsSent() throws IOException {
        Path big = spec("service: web\nimage: busybox\nenv: {X: \"" + "x".repeat(3 << 20) + "\"}\n");
        assertEquals(TendrilCtl.BAD_INPUT, run("deploy", "--node", deadNode(), "--key", "k", "--timeout", "30s", big.toString()));
        assertTrue(err.toString().contains("bytes; at most 262144 allowed"), err.toString());
        assertTrue(err.toString().length() < 1_000, "a short error");
        Path dup = spec("service: web\nimage: busybox\nservice: api\n");
        assertEquals(TendrilCtl.BAD_INPUT, run("deploy", "--node", deadNode(), "--key", "k", "--timeout", "30s", dup.toString()));
        assertTrue(err.toString().contains("service"), err.toString());
        Path list = spec("- service: web\n");
        assertEquals(TendrilCtl.BAD_INPUT, run("deploy", "--node", deadNode(), "--key", "k", "--timeout", "30s", list.toString()));
        assertTrue(err.toString().contains("a list"), err.toString());
        assertTrue(!err.toString().contains("no answer"), "nothing was sent: " + err);
    }

    @Test
    void deploySignsTheSpecWithTheOperatorKeyFromKeysGenOperator() throws Exception {
        assertEquals(TendrilCtl.OK, run("keys", "gen-operator", "--name", "alice", "--out", dir.toString()));
        assertTrue(Files.exists(dir.resolve("alice.sign.key")) && Files.exists(dir.resolve("alice.sign.pub")), out.toString());
        java.util.List<String> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (var node = dev.tendril.protocol.transport.RequestServer.start(
                dev.tendril.protocol.transport.ServerOptions.of("tcp://127.0.0.1:0", "n1"), request -> {
                    received.add(((dev.tendril.protocol.message.AdminMessage.Deploy) request.body()).specYaml());
                    return new dev.tendril.protocol.message.AdminMessage.DeployReply("deployed", "web", "i-1", "", java.util.List.of(), "ok");
                }, java.time.Clock.systemUTC(), dev.tendril.edge.adapter.in.admin.AdminSocket.codec())) {
            Path good = spec("service: web\nimage: tendril/httpd-demo:latest\nroot: true\n");
            assertEquals(TendrilCtl.OK, run("deploy", "--node", "127.0.0.1:" + node.port(), "--key", "k",
                    "--operator-key", dir.resolve("alice.sign.key").toString(), good.toString()), err.toString());
        }
        assertEquals(1, received.size());
        var pub = dev.tendril.protocol.signing.OperatorKeys.readPublic(dir.resolve("alice.sign.pub"));
        assertEquals(new dev.tendril.protocol.signing.SignedSpec.Verification.Valid("alice"),
                dev.tendril.protocol.signing.SignedSpec.verify(received.get(0), java.util.Map.of("alice", pub)));

        Files.setPosixFilePermissions(dir.resolve("alice.sign.key"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Path good = spec("service: web\nimage: tendril/httpd-demo:latest\nroot: true\n");
        assertEquals(TendrilCtl.BAD_INPUT, run("deploy", "--node", deadNode(), "--key", "k", "--operator-key",
                dir.resolve("alice.sign.key").toString(), good.toString()));
        assertTrue(err.toString().contains("chmod 600"), err.toString());
    }

    @Test
    void missingKeyBadNodeAndBadServiceNameAreInputErrors() throws IOException {
        Path good = spec("service: web\nimage: tendril/httpd-demo:latest\nroot: true\n");
        assertEquals(TendrilCtl.BAD_INPUT, run("deploy", "--node", deadNode(), "--key", "", good.toString()));
        assertTrue(err.toString().contains("--key: missing"), err.toString());
        assertEquals(TendrilCtl.BAD_INPUT, run("stats", "--node", "no-port-here", "--key", "k"));
        assertTrue(err.toString().contains("--node: got 'no-port-here'"), err.toString());
        assertEquals(TendrilCtl.BAD_INPUT, run("remove", "--key", "k", "Not_A_Label"));
        assertTrue(err.toString().contains("SERVICE: got 'Not_A_Label'"), err.toString());
    }

    @Test
    void anUnreachableNodeIsAFailureNotAHang() throws IOException {
        assertEquals(TendrilCtl.FAILED, run("stats", "--node", deadNode(), "--key", "k", "--timeout", "300ms"));
        assertTrue(err.toString().contains("no answer from"), err.toString());
    }
}
