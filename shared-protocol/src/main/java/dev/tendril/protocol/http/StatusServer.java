package dev.tendril.protocol.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The small operator HTTP port of a process (the JDK's {@code com.sun.net.httpserver}, one
 * thread): {@code GET /metrics} (the text a {@link Supplier} renders, Prometheus text format),
 * {@code GET /healthz} (200 while the process runs) and {@code GET /readyz} (503 with the
 * reason until {@link Readiness} says ready, then 200). Further GET paths may come from
 * {@link Pages} (the root's live map). Other paths: 404; other methods: 405.
 * Requests are counted by outcome ({@link #served()}, {@link #refused()}).
 */
public final class StatusServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatusServer.class);
    /** The Prometheus text exposition format's content type. */
    public static final String METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** Whether the process serves yet: empty when ready, else why not (one line). */
    @FunctionalInterface
    public interface Readiness {
        Optional<String> notReadyBecause();
    }

    /** An answer of {@link Pages}: status, content type and body (sent with {@code Cache-Control: no-store}). */
    public record Page(int status, String contentType, byte[] body) {
        public Page {
            java.util.Objects.requireNonNull(contentType, "contentType");
            java.util.Objects.requireNonNull(body, "body");
        }
    }

    /** Paths served beside /metrics, /healthz and /readyz; called on the server's one thread. */
    @FunctionalInterface
    public interface Pages {
        Pages NONE = path -> Optional.empty();

        /** The answer for {@code path} (already decoded, without query), or empty for 404. */
        Optional<Page> serve(String path);
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final Supplier<String> metrics;
    private final Readiness readiness;
    private final Pages pages;
    private final AtomicLong served = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    private StatusServer(HttpServer server, ExecutorService executor, Supplier<String> metrics, Readiness readiness,
                         Pages pages) {
        this.server = server;
        this.pages = pages;
        this.executor = executor;
        this.metrics = metrics;
        this.readiness = readiness;
    }

    /**
     * Binds {@code bindAddress:port} (an address literal; port 0: a free one) and serves.
     *
     * @param name    who serves (the root or node id), for the thread name and logs
     * @throws IllegalStateException naming the key when the port cannot be bound
     */
    public static StatusServer start(String name, String key, String bindAddress, int port, Supplier<String> metrics,
                                     Readiness readiness) {
        return start(name, key, bindAddress, port, metrics, readiness, Pages.NONE);
    }

    /** As {@link #start(String, String, String, int, Supplier, Readiness)}, also serving {@code pages}. */
    public static StatusServer start(String name, String key, String bindAddress, int port, Supplier<String> metrics,
                                     Readiness readiness, Pages pages) {
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getByName(bindAddress), port), 16);
        } catch (IOException e) {
            throw new IllegalStateException(key + ": cannot bind HTTP on " + bindAddress + " port " + port + ": "
                    + e.getMessage(), e);
        }
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name + "-http");
            t.setDaemon(true);
            return t;
        });
        StatusServer s = new StatusServer(http, executor, metrics, readiness, pages);
        http.createContext("/", s::handle);
        http.setExecutor(executor);
        http.start();
        LOG.info("{}: metrics and health on http://{}/metrics, /healthz, /readyz", name, s.authority());
        return s;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                refused.incrementAndGet();
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n");
                return;
            }
            switch (path) {
                case "/metrics" -> send(exchange, 200, METRICS_CONTENT_TYPE, metrics.get());
                case "/healthz" -> send(exchange, 200, "text/plain; charset=utf-8", "ok\n");
                case "/readyz" -> {
                    Optional<String> why = readiness.notReadyBecause();
                    send(exchange, why.isEmpty() ? 200 : 503, "text/plain; charset=utf-8",
                            why.map(w -> "not ready: " + w + "\n").orElse("ready\n"));
                }
                default -> {
                    Optional<Page> page = pages.serve(path);
                    if (page.isPresent()) {
                        Page p = page.get();
                        exchange.getResponseHeaders().set("Cache-Control", "no-store");
                        send(exchange, p.status(), p.contentType(), p.body());
                        served.incrementAndGet();
                        return;
                    }
                    refused.incrementAndGet();
                    send(exchange, 404, "text/plain; charset=utf-8", "not found: /metrics, /healthz, /readyz\n");
                    return;
                }
            }
            served.incrementAndGet();
        } catch (RuntimeException e) {
            LOG.warn("HTTP request {} failed", exchange.getRequestURI().getPath(), e);
            throw e;
        }
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        send(exchange, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] bytes) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** The port bound. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code host:port} as a URL authority ({@code [v6]:port} for IPv6). */
    public String authority() {
        InetAddress a = server.getAddress().getAddress();
        String host = a.getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port();
    }

    /** Requests answered on a known path. */
    public long served() {
        return served.get();
    }

    /** Requests answered 404 or 405. */
    public long refused() {
        return refused.get();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
