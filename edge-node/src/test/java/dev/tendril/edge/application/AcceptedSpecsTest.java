package dev.tendril.edge.application;

import dev.tendril.edge.adapter.out.yaml.YamlDocuments;
import dev.tendril.protocol.spec.DeploymentSpec;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The accepted spec texts a node remembers are bounded; the least recently used goes first. */
class AcceptedSpecsTest {
    static String text(int i) {
        return "service: web" + i + "\nimage: demo:1\nports: [{name: http, containerPort: 8080}]\nroot: true\n";
    }

    static DeploymentSpec spec(int i) {
        return YamlDocuments.spec(text(i)).orThrow();
    }

    @Test
    void atMostRememberedTextsAreKeptAndTheLeastRecentlyUsedGoesFirst() {
        AcceptedSpecs accepted = new AcceptedSpecs();
        for (int i = 0; i < AcceptedSpecs.REMEMBERED; i++) {
            accepted.put(text(i), spec(i));
        }
        assertNotNull(accepted.get(text(0)), "used again: now the most recent");

        accepted.put(text(AcceptedSpecs.REMEMBERED), spec(AcceptedSpecs.REMEMBERED));

        assertEquals(AcceptedSpecs.REMEMBERED, accepted.size());
        assertEquals("web0", accepted.get(text(0)).service());
        assertNull(accepted.get(text(1)), "the least recently used was forgotten");
        assertNull(accepted.get(text(0) + " "), "another text, even one space apart, is not the accepted one");
    }
}
