package dev.tendril.root.testing;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ListenPortsTest {

    @Test
    void portsComeFromTheSpanOutsideTheEphemeralRangeAreBindableAndNeverRepeat() throws IOException {
        int[] span = ListenPorts.span(ListenPorts.ephemeralRange()); // e.g. 10000-32767 for 32768-60999
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            int port = ListenPorts.free();
            assertTrue(port >= span[0] && port <= span[1], port + " lies outside " + span[0] + "-" + span[1]);
            assertTrue(seen.add(port), port + " handed out twice");
        }
        int port = ListenPorts.free();
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
            assertEquals(port, s.getLocalPort());
        }
    }

    @Test
    void theSpanLiesBelowTheEphemeralRangeElseAboveElseAnywhere() {
        assertArrayEquals(new int[] {10_000, 32_767}, ListenPorts.span(new int[] {32_768, 60_999}));
        assertArrayEquals(new int[] {61_000, 65_535}, ListenPorts.span(new int[] {5_000, 60_999}));
        assertArrayEquals(new int[] {10_000, 65_535}, ListenPorts.span(new int[] {1_024, 65_535}));
    }

    @Test
    void aServerPortTheKernelMayGiveToDigIsRefusedUnlessNoOtherWasPossible() {
        int[] usual = {32_768, 60_999};
        AssertionError e = assertThrows(AssertionError.class, () -> ListenPorts.requireNoClientCanTake(43_898, usual));
        assertTrue(e.getMessage().contains("ListenPorts.free()"), e.getMessage());
        assertDoesNotThrow(() -> ListenPorts.requireNoClientCanTake(23_817, usual));
        assertDoesNotThrow(() -> ListenPorts.requireNoClientCanTake(61_000, usual));
        assertDoesNotThrow(() -> ListenPorts.requireNoClientCanTake(43_898, new int[] {1_024, 65_535}),
                "where the range covers every port, free() hands out such ports itself");
    }
}
