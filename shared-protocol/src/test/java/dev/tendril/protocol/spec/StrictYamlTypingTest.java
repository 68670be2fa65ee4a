package dev.tendril.protocol.spec;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * StrictYaml reads SnakeYAML's events itself; before, Jackson's YAML reader built the tree. A
 * configuration must mean what it meant then: every value here is typed (class and value) as
 * Jackson types it. Jackson is only a test dependency of this module.
 */
class StrictYamlTypingTest {
    private static final ObjectMapper JACKSON = new ObjectMapper(new YAMLFactory());

    @ParameterizedTest(name = "v: {0}")
    @ValueSource(strings = {
        "53", "0", "-0", "+7", "-12", "1_000", "2147483647", "2147483648", "-2147483648", "-2147483649",
        "9223372036854775807", "9223372036854775808", "123456789012345678901234567890",
        "0x1F", "0xff", "-0x10", "0b101", "017", "0o17", "09", "1:20", "190:20:30",
        "1.5", "-0.25", "1e3", "1.5e-3", "6.02E23", "1_000.5", ".5", "1.", "+1.5",
        "true", "false", "True", "FALSE", "yes", "no", "on", "off", "Yes", "OFF", "y", "n", "Y", "N",
        "null", "~", "Null", "NULL", "", "''", "\"\"",
        "hello", "'53'", "\"true\"", "web.example", "127.0.0.1:7000", "48.137", "2026-12-02", "2026-12-02T10:00:00Z",
        "1Gi", "512Mi", "250ms", "[a, b]", "{x: 1}", "'it''s'", "\"tab\\there\"", "/bin/sh",
        "!!str 53", "!!int '12'", "!!float '1.5'", "!!bool 'yes'", "!!null ''", "!custom value", "!!str", "!!int ''",
        "0.1.2", "1e", "12abc", "+", "0x", ">-\n  folded\n  text", "|\n  line1\n  line2"})
    void scalarsAreTypedAsJacksonTypedThem(String value) throws Exception {
        String doc = "v: " + value + "\n";
        Object jackson = JACKSON.readValue(doc, Object.class);
        Object ours = StrictYaml.parseMapping(doc, "x.yaml");
        assertEquals(describe(jackson), describe(ours), doc);
    }

    @Test
    void aWholeConfigurationReadsAsJacksonReadIt() throws Exception {
        String doc = """
                platform: {id: foot-1, address: 127.0.0.1, position: {lat: 48.137, lon: 11.575}, arch: amd64, cpus: 2, ram: 2Gi}
                zone: svc.example.edge
                root: {control: ["127.0.0.1:7000", '127.0.0.2:7000']}
                policies:
                  preset: local
                  sampleInterval: 500ms
                  weights: [0.5, 0.25, 1]
                admin: {key: footprint-admin-key-0123456789, bind: "127.0.0.1:7001"}
                http:
                  bind: 127.0.0.1:7002
                empty:
                command: [/bin/sh, -c, 'exec /bin/busybox httpd -f -p ${PORT}']
                ports:
                  - {name: http, protocol: tcp, containerPort: 8080, hostPort: 8080}
                  - name: metrics
                    containerPort: 9090
                root2: true
                """;
        assertEquals(describe(JACKSON.readValue(doc, Object.class)), describe(StrictYaml.parseMapping(doc, "x.yaml")));
    }

    @Test
    void anAliasASecondDocumentAndAComplexKeyAreRefused() {
        assertTrue(refusal("a: &x 1\nb: *x\n").contains("alias"));
        assertTrue(refusal("a: 1\n---\nb: 2\n").contains("second document"));
        assertTrue(refusal("? [a, b]\n: 1\n").contains("key"));
        assertTrue(refusal("a: 1\nb: [\n").contains("line"));
        String dup = refusal("dns:\n  port: 53\n  port: 1\n");
        assertTrue(dup.contains("'port'") && dup.contains("line 3"), dup);
    }

    @Test
    void thirtyTwoNestedListsParseAndThirtyThreeDoNot() {
        // the mapping around them is one level
        assertEquals(Map.of("a", nested(31)), StrictYaml.parseMapping("a: " + "[".repeat(31) + "]".repeat(31), "x.yaml"));
        assertTrue(refusal("a: " + "[".repeat(32) + "]".repeat(32)).contains("nesting depth"));
    }

    private static Object nested(int n) {
        Object o = List.of();
        for (int i = 1; i < n; i++) {
            o = List.of(o);
        }
        return o;
    }

    private static String refusal(String doc) {
        return assertThrows(IllegalArgumentException.class, () -> StrictYaml.parseMapping(doc, "x.yaml")).getMessage();
    }

    /** Value and class of every node, so that 53 and 53L (or "53") differ. */
    private static String describe(Object o) {
        if (o instanceof Map<?, ?> m) {
            StringBuilder b = new StringBuilder("{");
            m.forEach((k, v) -> b.append(describe(k)).append('=').append(describe(v)).append(", "));
            return b.append('}').toString();
        }
        if (o instanceof List<?> l) {
            StringBuilder b = new StringBuilder("[");
            l.forEach(v -> b.append(describe(v)).append(", "));
            return b.append(']').toString();
        }
        return o == null ? "null" : o.getClass().getSimpleName() + ":" + o;
    }
}
