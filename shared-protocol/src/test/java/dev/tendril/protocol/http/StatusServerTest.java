package dev.tendril.protocol.http;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StatusServerTest {
    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void readyzAnswers503WithTheReasonUntilReadyThen200() throws Exception {
        AtomicReference<String> notReady = new AtomicReference<>("loading the topology");
        try (StatusServer s = StatusServer.start("t", "http.port", "127.0.0.1", 0, () -> "", () -> Optional.ofNullable(notReady.get()))) {
            HttpResponse<String> before = get(s, "/readyz");
            assertEquals(503, before.statusCode());
            assertTrue(before.body().contains("loading the topology"), before.body());
            assertEquals(200, get(s, "/healthz").statusCode());
            notReady.set(null);
            assertEquals(200, get(s, "/readyz").statusCode());
        }
    }

    @Test
    void metricsAreServedInThePrometheusTextFormatsContentType() throws Exception {
        String text = "# HELP up_total Ups\n# TYPE up_total counter\nup_total{a=\"b\\\"c\"} 3.0\n";
        try (StatusServer s = StatusServer.start("t", "http.port", "127.0.0.1", 0, () -> text, Optional::empty)) {
            HttpResponse<String> r = get(s, "/metrics");
            assertEquals(200, r.statusCode());
            assertEquals(StatusServer.METRICS_CONTENT_TYPE, r.headers().firstValue("Content-Type").orElse(""));
            assertEquals(3.0, PrometheusText.parse(r.body()).sum("up_total", java.util.Map.of("a", "b\"c")));
        }
    }

    @Test
    void unknownPathsAndMethodsAreRefusedAndCounted() throws Exception {
        try (StatusServer s = StatusServer.start("t", "http.port", "127.0.0.1", 0, () -> "", Optional::empty)) {
            assertEquals(404, get(s, "/nothing").statusCode());
            HttpResponse<String> post = client.send(HttpRequest.newBuilder(uri(s, "/metrics"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, post.statusCode());
            assertEquals(2, s.refused());
            assertEquals(0, s.served());
        }
    }

    @Test
    void pagesServeFurtherPathsAndTheRestIs404() throws Exception {
        StatusServer.Pages pages = path -> path.equals("/api/x")
                ? Optional.of(new StatusServer.Page(200, "application/json", "{\"a\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                : Optional.empty();
        try (StatusServer s = StatusServer.start("t", "http.port", "127.0.0.1", 0, () -> "", Optional::empty, pages)) {
            HttpResponse<String> r = get(s, "/api/x");
            assertEquals(200, r.statusCode());
            assertEquals("{\"a\":1}", r.body());
            assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
            assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(""));
            assertEquals(404, get(s, "/api/y").statusCode());
            assertEquals(200, get(s, "/healthz").statusCode());
            assertEquals(2, s.served());
            assertEquals(1, s.refused());
        }
    }

    @Test
    void aTakenPortFailsNamingTheKey() {
        try (StatusServer s = StatusServer.start("t", "http.port", "127.0.0.1", 0, () -> "", Optional::empty)) {
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> StatusServer.start("t", "http.port", "127.0.0.1", s.port(), () -> "", Optional::empty));
            assertTrue(e.getMessage().startsWith("http.port: cannot bind"), e.getMessage());
        }
    }

    private HttpResponse<String> get(StatusServer s, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(s, path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(StatusServer s, String path) {
        return URI.create("http://" + s.authority() + path);
    }
}
