package dev.tendril.root.bootstrap;

import dev.tendril.protocol.http.PrometheusText;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.CreateTree;
import dev.tendril.protocol.message.RootMessage.KeyListing;
import dev.tendril.protocol.message.RootMessage.KeysQuery;
import dev.tendril.protocol.message.RootMessage.RegisterNode;
import dev.tendril.protocol.message.RootMessage.Registered;
import dev.tendril.root.bootstrap.DemoRegistration.City;
import dev.tendril.root.testing.Dig;
import dev.tendril.root.testing.RootProcessHandle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real root process with its HTTP port on a free port:
 * <ul>
 *   <li>{@code /metrics} parses as the Prometheus text format (by {@link PrometheusText}, a
 *       grammar-checking parser, not by regex);</li>
 *   <li>DNS counters by question type, response code and transport, the answer-time histogram,
 *       ECS vs source-located and answers per service and basis move when {@code dig} asks;</li>
 *   <li>control requests by type and the commit-time histogram move with control calls;</li>
 *   <li>{@code /healthz} and {@code /readyz} answer 200 once the root is ready; SIGTERM exits 0.</li>
 * </ul>
 */
class RootMetricsIT {
    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void countersMoveWithDigAndControlCallsAndParseAsPrometheusText() throws Exception {
        Dig.require();
        try (RootProcessHandle root = RootProcessHandle.start(dir, dir.resolve("topology.db"), "http.port=0");
             ControlCalls control = new ControlCalls(root.controlEndpoint(), "metrics-it")) {
            String base = "http://" + root.httpAuthority();
            assertEquals(200, get(base + "/healthz").statusCode());
            assertEquals(200, get(base + "/readyz").statusCode(), "ready once DNS listens and the topology is loaded");
            PrometheusText before = scrape(base);
            assertEquals(0.0, before.sum("tendril_dns_answers_total", Map.of()));

            City first = DemoRegistration.CITIES.get(0);
            assertInstanceOf(Registered.class, control.call(new CreateTree("web", first.info())));
            assertInstanceOf(Registered.class, control.call(new RegisterNode("web", DemoRegistration.CITIES.get(1).info())));
            int port = root.dnsPort();
            for (int i = 0; i < 3; i++) {
                assertEquals("NOERROR", Dig.query(port, "web.svc.example.edge", "A", "+subnet=198.18.3.0/24").status());
            }
            assertEquals("NOERROR", Dig.query(port, "web.svc.example.edge", "A").status());
            assertEquals("NXDOMAIN", Dig.query(port, "nothing.svc.example.edge", "AAAA", "+tcp").status());

            PrometheusText after = scrape(base);
            assertEquals(4.0, after.sum("tendril_dns_answers_total", Map.of("qtype", "A", "rcode", "NOERROR", "transport", "udp")));
            assertEquals(1.0, after.sum("tendril_dns_answers_total", Map.of("qtype", "AAAA", "rcode", "NXDOMAIN", "transport", "tcp")));
            assertEquals(3.0, after.sum("tendril_dns_client_located_total", Map.of("by", "ecs")));
            assertEquals(2.0, after.sum("tendril_dns_client_located_total", Map.of("by", "source")));
            assertEquals(4.0, after.sum("tendril_dns_service_answers_total", Map.of("service", "web")));
            assertEquals(4.0, after.sum("tendril_dns_answer_seconds_count", Map.of("transport", "udp")));
            assertEquals(4.0, after.sum("tendril_dns_answer_seconds_bucket", Map.of("transport", "udp", "le", "+Inf")));
            assertEquals("histogram", after.families().get("tendril_dns_answer_seconds").type());
            assertEquals(1.0, after.sum("tendril_dns_responses_total", Map.of("rcode", "NXDOMAIN")));
            assertTrue(after.sum("tendril_dns_queries_total", Map.of("transport", "udp")) >= 4.0);
            assertEquals(1.0, after.sum("tendril_control_requests_total", Map.of("type", "create_tree", "outcome", "ok")));
            assertEquals(1.0, after.sum("tendril_control_requests_total", Map.of("type", "register_node", "outcome", "ok")));
            assertTrue(after.sum("tendril_control_commit_seconds_count", Map.of()) >= 1.0, after.families().keySet().toString());
            assertTrue(after.sum("tendril_control_frames_total", Map.of("outcome", "received")) >= 2.0);
            assertEquals(1.0, after.sum("tendril_directory_services", Map.of()));
            assertEquals(0.0, after.sum("tendril_keys_enrolled", Map.of()));
            assertEquals(0.0, after.sum("tendril_keys_held_queries", Map.of()));
            // an edge's long poll: a key query naming the current digest waits at the root, and shows
            String digest = assertInstanceOf(KeyListing.class, control.call(new KeysQuery())).digest();
            try (ControlCalls edge = new ControlCalls(root.controlEndpoint(), "edge-it", java.time.Duration.ofSeconds(40), 1)) {
                java.util.concurrent.CompletableFuture<RootMessage> held = java.util.concurrent.CompletableFuture.supplyAsync(
                        () -> edge.call(new KeysQuery(digest, 30_000)));
                assertEquals(1.0, awaitAtLeastOne(base, "tendril_keys_held_queries"), "the held key query is counted");
                assertEquals(false, held.isDone(), "and not answered while the keys stay the same");
                // a key enrolled: the held query is answered at once, with the new listing
                assertInstanceOf(RootMessage.Ack.class, control.call(new RootMessage.EnrolKey(RootMessage.KeyRole.PLATFORM,
                        "edge-it", dev.tendril.protocol.transport.CurveKeyPair.generate().publicKey())));
                KeyListing changed = assertInstanceOf(KeyListing.class, held.get(10, java.util.concurrent.TimeUnit.SECONDS));
                assertEquals(java.util.List.of("edge-it"), changed.keys().stream().map(RootMessage.EnrolledKey::name).toList());
                PrometheusText keys = scrape(base);
                assertEquals(1.0, keys.sum("tendril_keys_enrolled", Map.of()));
                assertEquals(0.0, keys.sum("tendril_keys_held_queries", Map.of()));
            }
            // a replication origin's registration watch: held at the root, shown, answered by the node's registration
            dev.tendril.protocol.message.NodeInfo third = DemoRegistration.CITIES.get(2).info();
            try (ControlCalls origin = new ControlCalls(root.controlEndpoint(), "origin-it", java.time.Duration.ofSeconds(40), 1)) {
                java.util.concurrent.CompletableFuture<RootMessage> watch = java.util.concurrent.CompletableFuture.supplyAsync(
                        () -> origin.call(new RootMessage.RegistrationWatch("web", third.nodeId(), 30_000)));
                assertEquals(1.0, awaitAtLeastOne(base, "tendril_registration_watches_held"), "the held watch is counted");
                assertEquals(false, watch.isDone());
                assertInstanceOf(Registered.class, control.call(new RegisterNode("web", third)));
                RootMessage.RegistrationSeen seen = assertInstanceOf(RootMessage.RegistrationSeen.class,
                        watch.get(10, java.util.concurrent.TimeUnit.SECONDS));
                assertEquals(java.util.Optional.of(third), seen.node());
                PrometheusText watched = scrape(base);
                assertEquals(0.0, watched.sum("tendril_registration_watches_held", Map.of()));
                assertEquals(1.0, watched.sum("tendril_registration_watches_total", Map.of("outcome", "answered")));
            }
            assertEquals(0.0, after.sum("tendril_dns_rrl_responses_total", Map.of("action", "dropped")), "RRL is off in the local preset");
            for (String name : dashboardMetrics("tendril_dns_", "tendril_control_")) {
                assertTrue(after.value(name, Map.of()).isPresent(), "docs/grafana/tendril-dashboard.json reads " + name
                        + ", which the root does not export");
            }
            assertEquals(0, root.stop(), "SIGTERM stops the root cleanly");
        }
    }

    /** The metric names the Grafana dashboard in docs/ queries, of these prefixes. */
    static java.util.Set<String> dashboardMetrics(String... prefixes) throws java.io.IOException {
        String json = java.nio.file.Files.readString(Path.of("../docs/grafana/tendril-dashboard.json"));
        java.util.Set<String> names = new java.util.TreeSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("tendril_[a-z_]+").matcher(json);
        while (m.find()) {
            for (String p : prefixes) {
                if (m.group().startsWith(p)) {
                    names.add(m.group());
                }
            }
        }
        assertTrue(names.size() >= 5, "names found in the dashboard: " + names);
        return names;
    }

    /** The gauge's value once it is at least 1 (a request the root holds shows), or after 10 s its last value. */
    private double awaitAtLeastOne(String base, String gauge) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        double value = 0;
        while (value < 1 && System.nanoTime() < deadline) {
            value = scrape(base).sum(gauge, Map.of());
            Thread.sleep(20);
        }
        return value;
    }

    private PrometheusText scrape(String base) throws Exception {
        HttpResponse<String> r = get(base + "/metrics");
        assertEquals(200, r.statusCode());
        return PrometheusText.parse(r.body());
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
