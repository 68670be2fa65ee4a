package dev.tendril.edge.adapter.out.yaml;

import dev.tendril.protocol.spec.DeploymentSpec;
import dev.tendril.protocol.spec.HealthCheck;
import dev.tendril.protocol.spec.RestartPolicy;
import dev.tendril.protocol.spec.Validated;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The spec's restart policy and health probe: defaults, both probe kinds, and every refusal naming its key. */
class HealthSpecYamlTest {
    static final String BASE = """
            service: web
            image: tendril/httpd-demo:latest
            ports: [{name: http, containerPort: 8080}, {name: dns, protocol: udp, containerPort: 53}]
            root: true
            """;

    private static DeploymentSpec valid(String extra) {
        return YamlDocuments.spec(BASE + extra).orThrow();
    }

    private static String problems(String extra) {
        Validated<DeploymentSpec> v = YamlDocuments.spec(BASE + extra);
        return String.join("\n", assertInstanceOf(Validated.Invalid.class, v).problems());
    }

    @Test
    void defaultsRestartAlwaysAndNoProbe() {
        DeploymentSpec s = valid("");
        assertEquals(RestartPolicy.ALWAYS, s.restart());
        assertEquals(Optional.empty(), s.health());
    }

    @Test
    void readsRestartPolicies() {
        assertEquals(RestartPolicy.ON_FAILURE, valid("restart: on-failure\n").restart());
        assertEquals(RestartPolicy.NEVER, valid("restart: never\n").restart());
        assertTrue(problems("restart: sometimes\n").contains("restart: got 'sometimes'; allowed: always, on-failure or never"));
    }

    @Test
    void readsATcpProbeWithDefaults() {
        HealthCheck h = valid("health: {tcp: {port: http}}\n").health().orElseThrow();
        assertEquals(HealthCheck.tcp("http"), h);
    }

    @Test
    void readsAnHttpProbeWithTiming() {
        DeploymentSpec s = valid("""
                health:
                  http: {port: http, path: /healthz, expectStatus: 204}
                  interval: 500ms
                  timeout: 200ms
                  failureThreshold: 2
                  successThreshold: 3
                """);
        assertEquals(new HealthCheck(HealthCheck.Kind.HTTP, "http", "/healthz", 204, Duration.ofMillis(500),
                Duration.ofMillis(200), 2, 3), s.health().orElseThrow());
        assertEquals(8080, s.healthPort().orElseThrow().hostPort());
        assertEquals(200, valid("health: {http: {port: http}}\n").health().orElseThrow().expectStatus());
        assertEquals("/", valid("health: {http: {port: http}}\n").health().orElseThrow().path());
    }

    @Test
    void theExampleSpecIsValid() throws Exception {
        java.nio.file.Path example = java.nio.file.Path.of("examples/web-health.yaml");
        DeploymentSpec s = YamlDocuments.spec(java.nio.file.Files.readString(example)).orThrow();
        assertEquals(RestartPolicy.ALWAYS, s.restart());
        assertEquals(HealthCheck.Kind.HTTP, s.health().orElseThrow().kind());
        assertEquals(2, s.health().orElseThrow().successThreshold());
    }

    @Test
    void refusesBadProbesNamingTheKey() {
        String[][] table = {
                {"health: {tcp: {port: web}}\n", "health.tcp.port: got 'web'; allowed: the name of a tcp port of this spec: [http]"},
                {"health: {tcp: {port: dns}}\n", "health.tcp.port: got 'dns'"},
                {"health: {interval: 2s}\n", "health.tcp: got '(neither tcp nor http)'; allowed: exactly one of tcp or http"},
                {"health: {tcp: {port: http}, http: {port: http}}\n", "health.http: got '(both tcp and http)'"},
                {"health: {http: {port: http, path: healthz}}\n", "health.http.path: got 'healthz'; allowed: a path starting with /"},
                {"health: {http: {port: http, expectStatus: 99}}\n", "health.http.expectStatus: got '99'; allowed: an integer in [100, 599]"},
                {"health: {tcp: {port: http}, interval: 1s, timeout: 2s}\n", "health.timeout: got '2000ms'; allowed: a duration no longer than interval (1000ms)"},
                {"health: {tcp: {port: http}, failureThreshold: 0}\n", "health.failureThreshold: got '0'"},
                {"health: {tcp: {port: http}, successThreshold: 101}\n", "health.successThreshold: got '101'"},
                {"health: {tcp: {port: http}, grace: 1s}\n", "health.grace: got '(unknown key)'"},
                {"health: {tcp: {port: http, path: /}}\n", "health.tcp.path: got '(unknown key)'"},
                {"health: tcp\n", "health: got 'tcp'"},
        };
        for (String[] row : table) {
            String p = problems(row[0]);
            assertTrue(p.contains(row[1]), row[0] + " -> expected '" + row[1] + "' in:\n" + p);
        }
    }
}
