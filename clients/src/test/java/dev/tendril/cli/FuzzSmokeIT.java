package dev.tendril.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A small fuzz campaign in CI ({@link FuzzBench} is the full one): a real root and edge (lan
 * preset, CURVE) take 20,000 mutated DNS packets over UDP, 600 over TCP and 2,000 mutated
 * frames at each ZeroMQ plane; both stay up, every interleaved probe is answered correctly,
 * keyless and unknown-key clients get no reply, and the refusals show in /metrics.
 */
class FuzzSmokeIT {
    @TempDir
    Path dir;

    @Test
    void aSmallCampaignCrashesNothingAndEveryProbeIsAnswered() throws Exception {
        long seed = Long.getLong("fuzz.seed", System.nanoTime() & 0xffffffffL);
        FuzzCampaign.Counts counts = new FuzzCampaign.Counts(20_000, 100, 600, 200, 2_000, 100, 200);
        FuzzCampaign.Result r;
        try (FuzzTargets targets = FuzzTargets.start(dir)) {
            r = FuzzCampaign.run(targets, counts, seed);
        }
        r.lines().forEach(l -> System.out.println("fuzz smoke: " + l));
        assertHealthy(r, counts, 1024 * 1024);
    }

    static void assertHealthy(FuzzCampaign.Result r, FuzzCampaign.Counts counts, long maxRssKb) {
        String report = String.join("\n", r.lines());
        assertTrue(r.rootAlive(), "the root exited\n" + report);
        assertTrue(r.edgeAlive(), "the edge exited\n" + report);
        assertTrue(r.udp().packets() >= counts.udpPackets(), report);
        assertTrue(r.tcp().messages() >= counts.tcpMessages(), report);
        assertEquals(0, r.probesMissingOrWrong(), "probes missing or answered wrongly\n" + report);
        assertEquals(r.udp().probesSent(), r.udp().probesAnswered(), report);
        for (FrameFuzzer.Figures p : r.planes()) {
            assertTrue(p.frames() >= counts.framesPerPlane(), report);
            assertTrue(p.probesSent() > 0 && p.probesAnswered() == p.probesSent(), report);
        }
        assertEquals(0, r.strangerReplies(), "a client without an enrolled key got a reply\n" + report);
        // refusals are counted where an operator sees them: the unknown key at each plane, the policy's FORBIDDEN
        assertTrue(r.moved("tendril_control_frames_total", "outcome=\"refused_connection\"") >= 1, report);
        assertTrue(r.moved("tendril_edge_socket_frames_total", "outcome=\"refused_connection\"", "socket=\"tree\"") >= 1, report);
        assertTrue(r.moved("tendril_edge_socket_frames_total", "outcome=\"refused_connection\"", "socket=\"admin\"") >= 1, report);
        assertTrue(r.moved("tendril_control_frames_total", "outcome=\"forbidden\"") >= 1, report);
        assertTrue(r.moved("tendril_control_frames_total", "outcome=\"malformed\"") >= 1, report);
        assertTrue(r.moved("tendril_dns_refused_messages_total", "reason=\"malformed\"") >= 1, report);
        assertTrue(r.rootRss().maxKb() < maxRssKb && r.edgeRss().maxKb() < maxRssKb, report);
    }
}
