package dev.tendril.edge.bootstrap;

import dev.tendril.edge.adapter.out.yaml.SpecParser;
import dev.tendril.edge.domain.NodePolicies;
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
    void theMembershipRehearsalRegistersAndAttachesUnderEveryPreset() {
        // it throws unless the in-memory root registered it, the task ran and the parent took the Attach
        for (String preset : new String[] {"local", "wan"}) {
            WarmUp.rehearseMembership(NodePolicies.preset(preset));
        }
    }

    @Test
    void aParserThatRefusesTheSampleFailsTheWarmUp() {
        // e.g. a node whose spec limit is below the sample's size: the failure is reported, not hidden
        assertThrows(IllegalStateException.class, () -> WarmUp.run(text -> SpecParser.parse(text, 100)));
    }
}
