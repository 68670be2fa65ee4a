package dev.tendril.edge.selforg.adapter.out.deployment;

import dev.tendril.edge.selforg.application.port.out.ReplicaHost;
import dev.tendril.protocol.message.NodeInfo;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A replica's spec is checked and parsed at the origin's hint (ReplicateSoon), so the
 * Replicate that follows parses nothing; a spec that failed is not remembered; and the
 * container start a replica reports is the runtime's start alone, not the spec's checks and
 * parse before it.
 */
class SpecAheadTest {
    static final NodeInfo MUNICH = ReplicaHostFixture.MUNICH;
    final ReplicaHostFixture f = new ReplicaHostFixture();

    @Test
    void aSpecParsedAtTheHintIsNotParsedAgainByTheReplicate() {
        f.garching.expect("web", "munich", ReplicaHostFixture.SPEC);
        assertEquals(1, f.parses.get(), "checked and parsed at the hint, on the worker");
        assertEquals(0, f.runtime.list().size(), "a hint deploys nothing");

        assertInstanceOf(ReplicaHost.Deployed.class, f.replicate(MUNICH));
        assertEquals(1, f.parses.get(), "the Replicate's deploy found the spec accepted at the hint");
        assertEquals(1, f.runtime.list().size());
    }

    @Test
    void withoutAHintTheReplicateParsesTheSpecItself() {
        f.garching.expect("web", "munich");

        assertInstanceOf(ReplicaHost.Deployed.class, f.replicate(MUNICH));
        assertEquals(1, f.parses.get());
    }

    @Test
    void aSpecThatFailedAtTheHintIsCheckedAgainAndRefusedAtTheReplicate() {
        String broken = "service: web\nimage: demo:1\nports: [{name: http, containerPort: 99999}]\n";
        f.garching.expect("web", "munich", broken);
        assertEquals(1, f.parses.get());

        List<ReplicaHost.Outcome> out = new ArrayList<>();
        f.garching.deploy("web", broken, MUNICH, out::add);
        ReplicaHost.Failed failed = assertInstanceOf(ReplicaHost.Failed.class, out.get(0));
        assertTrue(failed.reason().startsWith("rejected"), failed.reason());
        assertEquals(2, f.parses.get(), "a spec with problems is not remembered: parsed again, refused again");
        assertEquals(0, f.runtime.list().size());
    }

    @Test
    void theContainerStartIsTheRuntimesStartAloneNotTheSpecsParseBeforeIt() {
        f.parseTakes = Duration.ofMillis(40);
        f.startTakes = Duration.ofMillis(300);

        ReplicaHost.Deployed d = assertInstanceOf(ReplicaHost.Deployed.class, f.replicate(MUNICH));
        assertEquals(Duration.ofMillis(300), d.containerStart(),
                "the 40 ms parse after the membership check is processing, not container start");
    }
}
