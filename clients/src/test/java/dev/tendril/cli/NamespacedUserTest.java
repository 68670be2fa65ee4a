package dev.tendril.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A user's fetch as curl -f made it: a 2xx or 3xx read to its end, nothing else, within its limit. */
class NamespacedUserTest {

    /** A one-connection server that reads the request and answers {@code reply}, then closes (or holds, when null). */
    private static ServerSocket serve(String reply, AtomicReference<String> request) throws IOException {
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                byte[] buf = new byte[1024];
                int n = in.read(buf);
                request.set(new String(buf, 0, Math.max(0, n), StandardCharsets.US_ASCII));
                if (reply == null) {
                    Thread.sleep(60_000); // holds the connection open and never answers
                    return;
                }
                OutputStream out = s.getOutputStream();
                out.write(reply.getBytes(StandardCharsets.US_ASCII));
            } catch (IOException | InterruptedException e) {
                // the test closed the server
            }
        });
        t.setDaemon(true);
        t.start();
        return server;
    }

    @Test
    void aSuccessfulAnswerReadToItsEndIsAFetchFromTheGivenAddress() throws IOException {
        AtomicReference<String> request = new AtomicReference<>();
        try (ServerSocket server = serve("HTTP/1.0 200 OK\r\nContent-Length: 7\r\n\r\nweb on\n", request)) {
            assertTrue(NamespacedUser.get("127.0.0.1", "127.0.0.1", server.getLocalPort(), Duration.ofSeconds(3)));
        }
        assertTrue(request.get().startsWith("GET / HTTP/1.0\r\nHost: 127.0.0.1:"), request.get());
    }

    @Test
    void aRedirectCountsAsServedAnErrorStatusDoesNot() throws IOException {
        try (ServerSocket server = serve("HTTP/1.0 302 Found\r\nLocation: /x\r\n\r\n", new AtomicReference<>())) {
            assertTrue(NamespacedUser.get("127.0.0.1", "127.0.0.1", server.getLocalPort(), Duration.ofSeconds(3)));
        }
        try (ServerSocket server = serve("HTTP/1.0 404 Not Found\r\n\r\n", new AtomicReference<>())) {
            assertFalse(NamespacedUser.get("127.0.0.1", "127.0.0.1", server.getLocalPort(), Duration.ofSeconds(3)));
        }
        try (ServerSocket server = serve("garbage\r\n\r\n", new AtomicReference<>())) {
            assertFalse(NamespacedUser.get("127.0.0.1", "127.0.0.1", server.getLocalPort(), Duration.ofSeconds(3)));
        }
    }

    @Test
    void aClosedPortOrAServerThatNeverAnswersIsNotServed() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        assertFalse(NamespacedUser.get("127.0.0.1", "127.0.0.1", closed, Duration.ofSeconds(3)));
        try (ServerSocket server = serve(null, new AtomicReference<>())) {
            // the server holds the connection for a minute: only the limit ends this fetch
            assertFalse(NamespacedUser.get("127.0.0.1", "127.0.0.1", server.getLocalPort(), Duration.ofMillis(300)));
        }
    }

    @Test
    void aNamespaceThatDoesNotExistIsRefusedAndTheThreadStaysWhereItWas() {
        IOException e = assertThrows(IOException.class, () -> NamespacedUser.enter("tl-no-such-namespace-x"));
        assertTrue(e.getMessage().contains("no network namespace tl-no-such-namespace-x"), e.getMessage());
        assertNull(NamespacedUser.entered());
    }
}
