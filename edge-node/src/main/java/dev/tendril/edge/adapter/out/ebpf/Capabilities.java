package dev.tendril.edge.adapter.out.ebpf;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether this process holds the capabilities to load tracing eBPF programs: CAP_BPF and
 * CAP_PERFMON (kernel 5.8+), or CAP_SYS_ADMIN. Read from {@code CapEff} in /proc/self/status.
 * Tells "no privileges" apart from "the kernel refused the program", which both come back
 * as EPERM/EACCES.
 */
final class Capabilities {
    private static final int CAP_SYS_ADMIN = 21;
    private static final int CAP_PERFMON = 38;
    private static final int CAP_BPF = 39;

    private Capabilities() {
    }

    static boolean mayLoadTracingPrograms() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("CapEff:"))
                    .map(l -> new BigInteger(l.substring("CapEff:".length()).trim(), 16))
                    .anyMatch(Capabilities::sufficient);
        } catch (IOException | NumberFormatException e) {
            return true; // cannot tell: let the error code speak
        }
    }

    static boolean sufficient(BigInteger effective) {
        return effective.testBit(CAP_SYS_ADMIN) || (effective.testBit(CAP_BPF) && effective.testBit(CAP_PERFMON));
    }
}
