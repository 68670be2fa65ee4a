package dev.tendril.edge.bootstrap;

import dev.tendril.edge.adapter.out.yaml.SpecParser;
import dev.tendril.protocol.spec.DeploymentSpec;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The warm-up's sample is a spec this node's parser accepts, signed by the warm-up key (else it would warm nothing). */
class WarmUpTest {
    @Test
    void theSampleVerifiesParsesAndRoundTrips() throws Exception {
        DeploymentSpec spec = WarmUp.run(text -> SpecParser.parse(text, 256 * 1024));
        assertEquals("warm-up", spec.service());
    }

    @Test
    void aParserThatRefusesTheSampleFailsTheWarmUp() {
        // e.g. a node whose spec limit is below the sample's size: the failure is reported, not hidden
        assertThrows(IllegalStateException.class, () -> WarmUp.run(text -> SpecParser.parse(text, 100)));
    }
}
