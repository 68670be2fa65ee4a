package dev.tendril.edge.monitoring.latency;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProbeStatusTest {
    @Test
    void degradedSaysWhatIsMissingAndThatActionsAreOff() {
        ProbeStatus s = new ProbeStatus.Degraded("privileges to load eBPF programs", "bpf_object__load: Operation not permitted");
        assertFalse(s.measuring());
        assertEquals("latency probe DEGRADED: missing privileges to load eBPF programs "
                + "(bpf_object__load: Operation not permitted); per-user latency is not measured "
                + "and latency-driven actions are off", s.summary());
    }

    @Test
    void activeMeasures() {
        ProbeStatus s = new ProbeStatus.Active("eBPF tp_btf/tcp_probe");
        assertTrue(s.measuring());
        assertEquals("latency probe active (eBPF tp_btf/tcp_probe)", s.summary());
    }

    @Test
    void unavailableProbeMeasuresNothing() {
        UnavailableLatencyProbe p = new UnavailableLatencyProbe(new ProbeStatus.Degraded("x", ""));
        p.watchPorts(java.util.Set.of(80));
        assertTrue(p.sample().isEmpty());
        assertFalse(p.status().measuring());
    }
}
