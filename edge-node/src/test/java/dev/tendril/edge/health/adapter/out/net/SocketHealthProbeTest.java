package dev.tendril.edge.health.adapter.out.net;

import dev.tendril.edge.health.domain.ProbeVerdict;
import dev.tendril.protocol.spec.HealthCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The probe against tiny servers on loopback, port 0: each answers one way. */
class SocketHealthProbeTest {
    final SocketHealthProbe probe = new SocketHealthProbe();
    final List<AutoCloseable> servers = new ArrayList<>();
    final HealthCheck http200 = HealthCheck.http("http", "/healthz", 200)
            .withTiming(Duration.ofSeconds(1), Duration.ofMillis(300), 3, 1);

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : servers) {
            c.close();
        }
    }

    /** A server that answers every connection with {@code response} (null: reads the request and says nothing). */
    int serve(String response) throws IOException {
        ServerSocket s = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        servers.add(s);
        Thread t = new Thread(() -> {
            while (!s.isClosed()) {
                try (Socket c = s.accept()) {
                    InputStream in = c.getInputStream();
                    byte[] buf = new byte[1024];
                    in.read(buf);
                    if (response != null) {
                        OutputStream out = c.getOutputStream();
                        out.write(response.getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                    } else {
                        in.read(buf); // holds the connection until the client gives up
                    }
                } catch (IOException e) {
                    // closed by the test, or the client went away
                }
            }
        }, "probe-test-server");
        t.setDaemon(true);
        t.start();
        return s.getLocalPort();
    }

    static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void tcpPassesWhenSomethingListensAndFailsWhenRefused() throws IOException {
        int open = serve("");
        assertEquals(ProbeVerdict.PASS, probe.probe("127.0.0.1", open, HealthCheck.tcp("http")));
        ProbeVerdict.Fail f = assertInstanceOf(ProbeVerdict.Fail.class, probe.probe("127.0.0.1", closedPort(), HealthCheck.tcp("http")));
        assertTrue(f.reason().startsWith("connect: "), f.reason());
    }

    @Test
    void httpChecksTheStatusLine() throws IOException {
        assertEquals(ProbeVerdict.PASS, probe.probe("127.0.0.1", serve("HTTP/1.0 200 OK\r\n\r\nok"), http200));
        assertEquals(ProbeVerdict.fail("HTTP 500, expected 200"),
                probe.probe("127.0.0.1", serve("HTTP/1.1 500 Internal Server Error\r\n\r\n"), http200));
        assertEquals(ProbeVerdict.PASS, probe.probe("127.0.0.1", serve("HTTP/1.1 404 Not Found\r\n\r\n"),
                HealthCheck.http("http", "/", 404)), "expectStatus is any status");
        ProbeVerdict.Fail garbage = assertInstanceOf(ProbeVerdict.Fail.class,
                probe.probe("127.0.0.1", serve("SSH-2.0-OpenSSH\r\n"), http200));
        assertTrue(garbage.reason().startsWith("not an HTTP status line: 'SSH-2.0-OpenSSH'"), garbage.reason());
    }

    @Test
    void aServerThatNeverAnswersFailsWithinTheTimeout() throws IOException {
        int silent = serve(null);
        assertEquals(ProbeVerdict.fail("timed out after 300 ms"), probe.probe("127.0.0.1", silent, http200));
    }
}
