package dev.tendril.edge.adapter.out.file;

import dev.tendril.edge.monitoring.latency.UserKey;
import dev.tendril.edge.monitoring.latency.UserLatency;
import dev.tendril.edge.testing.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileLatencyProbeTest {
    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock();

    @Test
    void reportsTheFilesUsersOnWatchedPortsAndFollowsRewrites() throws Exception {
        Path file = dir.resolve("latency.json");
        Files.writeString(file, """
                {"users": [{"address": "10.0.0.7", "port": 8080, "medianMs": 42.5, "minMs": 40, "samples": 12},
                           {"address": "2001:db8::9", "port": 8080, "medianMs": 7, "namespace": 4026531840},
                           {"address": "10.0.0.8", "port": 9999, "medianMs": 1}]}""");
        FileLatencyProbe probe = new FileLatencyProbe(file, clock);
        assertTrue(probe.sample().isEmpty(), "no port watched yet");
        probe.watchPorts(Set.of(8080));
        Map<UserKey, UserLatency> users = probe.sample();
        assertEquals(2, users.size());
        UserLatency a = users.get(new UserKey(0, InetAddress.getByName("10.0.0.7"), 8080));
        assertEquals(Duration.ofNanos(42_500_000), a.medianRtt());
        assertEquals(Duration.ofMillis(40), a.minRtt());
        assertEquals(12, a.samples());
        UserLatency b = users.get(new UserKey(4026531840L, InetAddress.getByName("2001:db8::9"), 8080));
        assertEquals(Duration.ofMillis(7), b.minRtt(), "min defaults to the median");
        assertEquals(1, b.samples());

        Files.writeString(file, "{\"users\": [{\"address\": \"10.0.0.7\", \"port\": 8080, \"medianMs\": 90}]}");
        assertEquals(Duration.ofMillis(90), probe.sample().values().iterator().next().medianRtt());
        assertTrue(probe.status().measuring());
    }

    @Test
    void canPlayDegradedMode() throws Exception {
        Path file = dir.resolve("latency.json");
        Files.writeString(file, "{\"degraded\": {\"missing\": \"privileges to load eBPF programs\"}, \"users\": []}");
        FileLatencyProbe probe = new FileLatencyProbe(file, clock);
        probe.watchPorts(Set.of(8080));
        assertTrue(probe.sample().isEmpty());
        assertFalse(probe.status().measuring());
        assertTrue(probe.status().summary().contains("privileges to load eBPF programs"));
    }

    @Test
    void aMissingOrBadFileGivesNoUsers() throws Exception {
        FileLatencyProbe probe = new FileLatencyProbe(dir.resolve("absent.json"), clock);
        probe.watchPorts(Set.of(8080));
        assertTrue(probe.sample().isEmpty());
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"users\": [{\"address\": \"example.com\", \"port\": 8080, \"medianMs\": 1}]}");
        FileLatencyProbe badProbe = new FileLatencyProbe(bad, clock);
        badProbe.watchPorts(Set.of(8080));
        assertTrue(badProbe.sample().isEmpty(), "host names are refused, not resolved");
    }
}
