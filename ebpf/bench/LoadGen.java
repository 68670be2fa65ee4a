import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Benchmark load for the latency probe (not a test): a local request/response service on
 * 127.0.0.1:PORT and CONNECTIONS kept-alive client connections, each bound to its own
 * loopback address (127.1.x.y, so the probe sees CONNECTIONS distinct users), sending
 * 64-byte requests at RATE requests/s in total for SECONDS.
 * Run with the single-file launcher: java ebpf/bench/LoadGen.java PORT CONNECTIONS RATE SECONDS
 */
public class LoadGen {
    static final int SIZE = 64;

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int connections = Integer.parseInt(args[1]);
        int rate = Integer.parseInt(args[2]);
        int seconds = Integer.parseInt(args[3]);

        ServerSocketChannel server = ServerSocketChannel.open();
        server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        server.bind(new InetSocketAddress("127.0.0.1", port), 4096);
        Thread serverThread = new Thread(() -> serve(server), "server");
        serverThread.setDaemon(true);
        serverThread.start();

        Selector selector = Selector.open();
        List<SocketChannel> clients = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            SocketChannel c = SocketChannel.open();
            c.bind(new InetSocketAddress("127.1." + (i / 250) + "." + (i % 250 + 1), 0));
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            c.connect(new InetSocketAddress("127.0.0.1", port));
            c.configureBlocking(false);
            c.register(selector, SelectionKey.OP_READ, ByteBuffer.allocate(SIZE));
            clients.add(c);
        }
        System.out.printf("connected %d clients%n", clients.size());

        ByteBuffer request = ByteBuffer.allocate(SIZE);
        long intervalNanos = 1_000_000_000L / rate;
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        long sent = 0;
        long received = 0;
        int next = 0;
        while (System.nanoTime() < end) {
            long due = start + sent * intervalNanos;
            long now = System.nanoTime();
            while (due <= now && sent - received < connections) { // one request in flight per connection at most
                request.clear();
                clients.get(next).write(request);
                next = (next + 1) % connections;
                sent++;
                due = start + sent * intervalNanos;
            }
            long waitMillis = Math.max(0, (due - System.nanoTime()) / 1_000_000);
            selector.select(Math.max(1, waitMillis));
            for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                SelectionKey k = it.next();
                it.remove();
                ByteBuffer buf = (ByteBuffer) k.attachment();
                int n = ((SocketChannel) k.channel()).read(buf);
                while (n > 0 && buf.position() >= SIZE) {
                    buf.flip();
                    buf.position(SIZE);
                    buf.compact();
                    received++;
                }
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        System.out.printf("sent %d, answered %d in %.1f s: %.0f requests/s over %d connections%n",
                sent, received, elapsed, received / elapsed, connections);
        for (SocketChannel c : clients) {
            c.close();
        }
        server.close();
    }

    private static void serve(ServerSocketChannel server) {
        try (Selector selector = Selector.open()) {
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            while (server.isOpen()) {
                selector.select(100);
                for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                    SelectionKey k = it.next();
                    it.remove();
                    if (k.isAcceptable()) {
                        SocketChannel c = server.accept();
                        if (c != null) {
                            c.configureBlocking(false);
                            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                            c.register(selector, SelectionKey.OP_READ, ByteBuffer.allocate(4096));
                        }
                    } else if (k.isReadable()) {
                        SocketChannel c = (SocketChannel) k.channel();
                        ByteBuffer buf = (ByteBuffer) k.attachment();
                        buf.clear();
                        if (c.read(buf) < 0) {
                            k.cancel();
                            c.close();
                            continue;
                        }
                        buf.flip();
                        c.write(buf); // echo: the response is as long as the request
                    }
                }
            }
        } catch (IOException e) {
            if (server.isOpen()) {
                throw new RuntimeException(e);
            }
        }
    }
}
