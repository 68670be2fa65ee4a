package dev.tendril.edge.health.adapter.out.net;

import dev.tendril.edge.health.application.port.out.HealthProbe;
import dev.tendril.edge.health.domain.ProbeVerdict;
import dev.tendril.protocol.spec.HealthCheck;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Probes over plain sockets: a TCP connect, or an HTTP/1.0 GET whose status line must carry
 * the expected status. The whole probe (connect, request, status line) must finish within
 * the check's timeout. Reads at most the status line (the body is never read).
 */
public final class SocketHealthProbe implements HealthProbe {
    private static final Pattern STATUS = Pattern.compile("^HTTP/\\d(?:\\.\\d)? (\\d{3})(?: .*)?$");
    private static final int MAX_STATUS_LINE = 512;

    @Override
    public ProbeVerdict probe(String address, int port, HealthCheck check) {
        long deadline = System.nanoTime() + check.timeout().toNanos();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), millisLeft(deadline));
            if (check.kind() == HealthCheck.Kind.TCP) {
                return ProbeVerdict.PASS;
            }
            String host = address.contains(":") ? "[" + address + "]" : address;
            s.getOutputStream().write(("GET " + check.path() + " HTTP/1.0\r\nHost: " + host + ":" + port
                    + "\r\nUser-Agent: tendril-health\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            String line = statusLine(s, deadline);
            Matcher m = STATUS.matcher(line);
            if (!m.matches()) {
                return ProbeVerdict.fail("not an HTTP status line: '" + abbreviate(line) + "'");
            }
            int status = Integer.parseInt(m.group(1));
            return status == check.expectStatus() ? ProbeVerdict.PASS
                    : ProbeVerdict.fail("HTTP " + status + ", expected " + check.expectStatus());
        } catch (SocketTimeoutException e) {
            return ProbeVerdict.fail("timed out after " + check.timeout().toMillis() + " ms");
        } catch (IOException e) {
            return ProbeVerdict.fail(check.kind() == HealthCheck.Kind.TCP ? "connect: " + e.getMessage() : "HTTP: " + e.getMessage());
        }
    }

    private static int millisLeft(long deadline) throws SocketTimeoutException {
        long ms = (deadline - System.nanoTime()) / 1_000_000;
        if (ms <= 0) {
            throw new SocketTimeoutException();
        }
        return (int) Math.min(ms, Integer.MAX_VALUE);
    }

    private static String statusLine(Socket s, long deadline) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (line.size() < MAX_STATUS_LINE) {
            s.setSoTimeout(millisLeft(deadline));
            int b = in.read();
            if (b < 0 || b == '\n') {
                break;
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }
}
