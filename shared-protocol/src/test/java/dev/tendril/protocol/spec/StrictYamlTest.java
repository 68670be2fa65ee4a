package dev.tendril.protocol.spec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class StrictYamlTest {
    @TempDir
    Path dir;

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("a duplicate top-level key", "dns:\n  port: 53\ndns:\n  port: 1\n", "dns"),
                Arguments.of("a duplicate nested key", "dns:\n  port: 53\n  port: 1\n", "port"),
                Arguments.of("a list document", "- a\n- b\n", "a list"),
                Arguments.of("a scalar document", "hello\n", "a single value"),
                Arguments.of("an empty document", "", "empty"),
                Arguments.of("a value over 64 Ki characters", "id: " + "x".repeat(70_000) + "\n", "characters"),
                Arguments.of("a key over 64 Ki characters", "x".repeat(70_000) + ": 1\n", "characters"),
                Arguments.of("nesting deeper than 32", "a: " + "[".repeat(40) + "]".repeat(40) + "\n", "nesting depth"),
                Arguments.of("broken syntax", "a: [1, 2\n", "line"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void hostileOrOddDocumentsAreRefusedWithAClearError(String what, String yaml, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StrictYaml.parseMapping(yaml, "x.yaml"));
        assertTrue(e.getMessage().startsWith("x.yaml: "), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), what + ": " + e.getMessage());
        assertTrue(e.getMessage().length() < 500, "short: " + e.getMessage().length());
    }

    @Test
    void anOrdinaryDocumentParses() {
        assertEquals(Map.of("dns", Map.of("port", 53, "zones", List.of("a.", "b.")), "id", "root-1"),
                StrictYaml.parseMapping("id: root-1\ndns:\n  port: 53\n  zones: [a., b.]\n", "x.yaml"));
        assertEquals(List.of(1, 2), StrictYaml.parseAny("[1, 2]", "--set", 100));
    }

    @Test
    void aliasesAreNotExpandedIntoABillionLaughs() {
        String laughs = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                + "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                + "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n";
        Map<String, Object> tree;
        try {
            tree = StrictYaml.parseMapping(laughs, "x.yaml");
        } catch (IllegalArgumentException refused) {
            return; // refusing is as good
        }
        assertTrue(String.valueOf(tree).length() < 10_000, "expanded to " + String.valueOf(tree).length() + " characters");
    }

    @Test
    void textOverTheLimitIsRefusedBeforeParsing() {
        String big = "a: 1\n" + "#".repeat(2_000_000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StrictYaml.parseMapping(big, "x.yaml"));
        assertTrue(e.getMessage().contains("at most " + StrictYaml.MAX_CONFIG_BYTES), e.getMessage());
    }

    @Test
    void aFileOverTheLimitIsRefusedBeforeItIsRead() throws Exception {
        Path f = dir.resolve("big.yaml");
        Files.write(f, new byte[31 * 1024 * 1024]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StrictYaml.readFile(f, StrictYaml.MAX_CONFIG_BYTES));
        assertTrue(e.getMessage().contains("32505856 bytes"), e.getMessage());
        Path small = dir.resolve("small.yaml");
        Files.writeString(small, "a: 1\n");
        assertEquals("a: 1\n", StrictYaml.readFile(small, 10));
    }
}
