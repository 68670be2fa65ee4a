package dev.tendril.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every mutated packet fits one UDP datagram, however the mutation rounds compound. */
class DnsMutatorTest {
    @Test
    void noPacketIsLargerThanAUdpDatagram() {
        for (long seed = 1; seed <= 4; seed++) {
            DnsMutator m = new DnsMutator("tendril.test", seed);
            int longest = 0;
            for (int i = 0; i < 100_000; i++) {
                longest = Math.max(longest, m.next().length);
            }
            assertTrue(longest <= DnsMutator.MAX_DATAGRAM, "seed " + seed + ": a packet of " + longest + " bytes");
        }
    }
}
