package dev.tendril.root.testing;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ListenPortsTest {

    @Test
    void portsComeFromOutsideTheEphemeralRangeAreBindableAndNeverRepeat() throws IOException {
        int[] ephemeral = ListenPorts.ephemeralRange();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            int port = ListenPorts.free();
            assertTrue(port < ephemeral[0] || port > ephemeral[1], port + " lies in the ephemeral range "
                    + ephemeral[0] + "-" + ephemeral[1]);
            assertTrue(seen.add(port), port + " handed out twice");
        }
        int port = ListenPorts.free();
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
            assertEquals(port, s.getLocalPort());
        }
    }
}
