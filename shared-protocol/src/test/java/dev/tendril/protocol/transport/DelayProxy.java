package dev.tendril.protocol.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on loopback that holds every chunk of bytes for a fixed one-way delay in each
 * direction, in order: a long path for tests of handshakes (a ZMTP/CURVE handshake takes about
 * three and a half round trips). The TCP connect itself is local and immediate; only the bytes
 * are late. Counts the connections it accepted, so a test can tell a reconnect loop from the
 * connections a client opened on purpose.
 */
final class DelayProxy implements AutoCloseable {
    private static final byte[] END = new byte[0];

    private record Chunk(long dueNanos, byte[] bytes) {
    }

    private final ServerSocket listener;
    private final String upstreamHost;
    private final int upstreamPort;
    private final long delayNanos;
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private DelayProxy(String upstreamHost, int upstreamPort, long delayMillis) throws IOException {
        this.listener = new ServerSocket();
        this.listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.upstreamHost = upstreamHost;
        this.upstreamPort = upstreamPort;
        this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMillis);
        start("delay-proxy-accept", this::acceptLoop);
    }

    /** A relay to {@code tcp://host:port} (a ZeroMQ endpoint) with the one-way delay given. */
    static DelayProxy to(String zmqEndpoint, long oneWayDelayMillis) throws IOException {
        String hostPort = zmqEndpoint.substring("tcp://".length());
        int colon = hostPort.lastIndexOf(':');
        return new DelayProxy(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)), oneWayDelayMillis);
    }

    /** The relay's own endpoint, for the client. */
    String endpoint() {
        return "tcp://127.0.0.1:" + listener.getLocalPort();
    }

    /** Connections accepted so far. */
    int accepted() {
        return accepted.get();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                accepted.incrementAndGet();
                Socket upstream = new Socket(upstreamHost, upstreamPort);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(upstream);
                relay(client, upstream);
                relay(upstream, client);
            } catch (IOException e) {
                if (!closed) {
                    throw new IllegalStateException("delay proxy: " + e.getMessage(), e);
                }
            }
        }
    }

    /** One direction: a reader stamps each chunk with its due time, a writer sends it then. */
    private void relay(Socket from, Socket to) {
        BlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
        start("delay-proxy-read", () -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    queue.add(new Chunk(System.nanoTime() + delayNanos, Arrays.copyOf(buffer, n)));
                }
            } catch (IOException e) {
                // closed: the end below closes the other side too
            }
            queue.add(new Chunk(System.nanoTime() + delayNanos, END));
        });
        start("delay-proxy-write", () -> {
            try (OutputStream out = to.getOutputStream()) {
                while (true) {
                    Chunk c = queue.take();
                    long wait = c.dueNanos() - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    if (c.bytes() == END) {
                        return;
                    }
                    out.write(c.bytes());
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // closed
            } finally {
                closeQuietly(to);
            }
        });
    }

    private void start(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(listener);
        sockets.forEach(DelayProxy::closeQuietly);
        threads.forEach(Thread::interrupt);
    }
}
