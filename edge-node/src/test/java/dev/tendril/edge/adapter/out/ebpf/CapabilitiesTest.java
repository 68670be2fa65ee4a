package dev.tendril.edge.adapter.out.ebpf;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CapabilitiesTest {
    @Test
    void sysAdminOrBpfWithPerfmonSuffice() {
        assertTrue(Capabilities.sufficient(new BigInteger("000001ffffffffff", 16)), "root");
        assertTrue(Capabilities.sufficient(BigInteger.ONE.shiftLeft(21)), "CAP_SYS_ADMIN");
        assertTrue(Capabilities.sufficient(BigInteger.ONE.shiftLeft(38).or(BigInteger.ONE.shiftLeft(39))), "BPF+PERFMON");
        assertFalse(Capabilities.sufficient(BigInteger.ONE.shiftLeft(39)), "CAP_BPF alone cannot trace");
        assertFalse(Capabilities.sufficient(BigInteger.ZERO), "nobody");
    }
}
