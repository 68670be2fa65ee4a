package dev.tendril.edge.adapter.out.yaml;

import dev.tendril.protocol.spec.Arch;
import dev.tendril.protocol.spec.DeploymentSpec;
import dev.tendril.protocol.spec.PortSpec;
import dev.tendril.protocol.spec.Validated;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeploymentSpecYamlTest {
    static final String FULL = """
            service: web
            images:
              amd64: tendril/httpd-demo:latest
              arm64: registry.local:5000/tendril/httpd-demo:arm64
            command: [httpd, -f]
            ports:
              - {name: http, protocol: tcp, containerPort: 8080, hostPort: 18080}
            env: {GREETING: hello, N: 3}
            limits: {cpus: 0.5, memory: 256Mi}
            requirements: {arch: [amd64, arm64], minCpus: 1, minRam: 512Mi, minGpus: 0}
            qos: {maxLatencyMs: 40}
            policies: {idleTimeout: 5m, minInstances: 2, thresholds: {cpu: 0.7}}
            zone: svc.example.edge
            """;

    private static List<String> problems(String yaml) {
        Validated<DeploymentSpec> v = YamlDocuments.spec(yaml);
        return assertInstanceOf(Validated.Invalid.class, v).problems();
    }

    private static void assertProblem(String yaml, String... fragments) {
        List<String> p = problems(yaml);
        String all = String.join("\n", p);
        for (String f : fragments) {
            assertTrue(all.contains(f), "expected '" + f + "' in:\n" + all);
        }
    }

    @Test
    void readsAFullSpec() {
        DeploymentSpec s = YamlDocuments.spec(FULL).orThrow();
        assertEquals("web", s.service());
        assertEquals("tendril/httpd-demo:latest", s.images().forArch(Arch.AMD64).orElseThrow());
        assertTrue(s.images().forArch(Arch.RISCV64).isEmpty());
        assertEquals(List.of(new PortSpec("http", "tcp", 8080, 18080)), s.ports());
        assertEquals("3", s.env().get("N"));
        assertEquals(256L << 20, s.limits().memoryBytes());
        assertEquals(Set.of(Arch.AMD64, Arch.ARM64), s.requirements().archs());
        assertEquals(512L << 20, s.requirements().minRamBytes());
        assertEquals(40, s.maxLatencyMs());
        assertEquals(Duration.ofMinutes(5), s.policies().idleTimeout());
        assertEquals(0.7, s.policies().thresholds().orElseThrow().cpu());
        assertEquals(0.85, s.policies().thresholds().orElseThrow().ram());
        assertFalse(s.root());
        assertEquals("svc.example.edge", s.zone());
        assertTrue(s.runsOn(Arch.ARM64));
    }

    @Test
    void minimalRootSpecWithOneImageAndDefaultHostPort() {
        DeploymentSpec s = YamlDocuments.spec("""
                service: web
                image: tendril/httpd-demo:latest
                ports: [{name: http, containerPort: 8080}]
                root: true
                """).orThrow();
        assertTrue(s.root());
        assertEquals(8080, s.ports().get(0).hostPort());
        assertEquals("tcp", s.ports().get(0).protocol());
        assertTrue(s.runsOn(Arch.RISCV64));
    }

    @Test
    void rejectsUnknownArchEverywhereWithTheAllowedList() {
        assertProblem(FULL.replace("arch: [amd64, arm64]", "arch: [amd64, sparc]"),
                "requirements.arch[1]: got 'sparc'", "amd64, arm64");
        assertProblem(FULL.replace("  arm64: registry", "  mips: registry"), "images.mips: got 'mips'");
    }

    @Test
    void rejectsBadPorts() {
        assertProblem(FULL.replace("hostPort: 18080", "hostPort: 70000"),
                "ports[0].hostPort: got '70000'", "[1, 65535]");
        assertProblem(FULL.replace("containerPort: 8080", "containerPort: http"), "ports[0].containerPort: got 'http'");
        assertProblem(FULL.replace("protocol: tcp", "protocol: sctp"), "ports[0].protocol: got 'sctp'", "tcp or udp");
    }

    @Test
    void rejectsAMissingImage() {
        assertProblem("service: web\nroot: true\n", "image: missing");
        assertProblem("service: web\nimage: 'Not An Image!'\nroot: true\n", "image: got 'Not An Image!'");
    }

    @Test
    void rejectsANameThatIsNotADnsLabel() {
        assertProblem(FULL.replace("service: web", "service: Web_Service"), "service: got 'Web_Service'", "DNS label");
        assertProblem(FULL.replace("service: web", "service: -web"), "service: got '-web'");
    }

    @Test
    void collectsEveryProblemAtOnce() {
        List<String> p = problems("""
                service: my_web
                image: ok/image:1
                ports: [{name: http, containerPort: 0}]
                requirements: {arch: [vax]}
                colour: blue
                """);
        assertEquals(5, p.size(), String.join("\n", p));
        String all = String.join("\n", p);
        assertTrue(all.contains("colour: got '(unknown key)'"), all);
        assertTrue(all.contains("zone: missing"), all);
    }

    @Test
    void rejectsRequiredArchWithoutImage() {
        assertProblem(FULL.replace("arch: [amd64, arm64]", "arch: [amd64, riscv64]"), "requirements.arch: got 'riscv64'");
    }

    @Test
    void reportsYamlSyntaxErrorsWithALine() {
        assertProblem("service: web\n  image: [unclosed\n", "YAML syntax error at line");
    }

    @Test
    void rejectsDuplicatePortsAndBadEnv() {
        assertProblem(FULL.replace("ports:\n", "ports:\n  - {name: http, containerPort: 80, hostPort: 18080}\n"),
                "ports[1].name: got 'http'");
        assertProblem(FULL.replace("GREETING: hello", "1BAD: x"), "env.1BAD");
    }

    @Test
    void oversizedDuplicateAndListSpecsAreRefusedBeforeOrWhileParsing() {
        String threeMb = "service: web\nimage: busybox\nenv: {X: \"" + "x".repeat(3 << 20) + "\"}\n";
        assertProblem(threeMb, "(spec)", "more than", "at most 262144 bytes", "security.maxSpecBytes");
        assertProblem("service: web\nimage: a\nservice: api\n", "(spec)", "service");
        assertProblem("- service: web\n", "(spec)", "a list");
        List<String> small = assertInstanceOf(Validated.Invalid.class, YamlDocuments.spec(FULL, 100)).problems();
        assertTrue(small.get(0).contains("at most 100 bytes"), small.toString());
        assertInstanceOf(Validated.Valid.class, YamlDocuments.spec(FULL, FULL.length()), "a spec of exactly the limit is fine");
    }
}
