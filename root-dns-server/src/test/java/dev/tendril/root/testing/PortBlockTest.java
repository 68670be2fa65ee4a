package dev.tendril.root.testing;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link PortBlock} against the real firewall: a block refuses connections to its port until
 * closed, and a rule a killed test JVM left behind (tagged with a pid that no longer runs) is
 * removed by the next block, while the live JVM's own rule stays. Needs root and iptables.
 */
class PortBlockTest {

    @Test
    void aBlockRefusesItsPortUntilClosed() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            try (PortBlock block = PortBlock.resetting(port)) {
                assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port).close());
            }
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                assertTrue(s.isConnected());
            }
        }
    }

    @Test
    void aRuleOfAJvmThatIsGoneIsRemovedByTheNextBlockAndOursStays() throws Exception {
        long gone = deadPid();
        List<String> leftover = List.of("INPUT", "-i", "lo", "-p", "tcp", "--dport", "1", "-m", "comment", "--comment",
                "tendril-test-port-block-" + gone, "-j", "REJECT", "--reject-with", "tcp-reset");
        run("iptables", "-w", "-I", leftover);
        try (PortBlock ours = PortBlock.resetting(2)) {
            String rules = run("iptables", "-w", "-S", List.of("INPUT"));
            assertFalse(rules.contains("tendril-test-port-block-" + gone + " "), rules);
            assertTrue(rules.contains("tendril-test-port-block-" + ProcessHandle.current().pid() + " "), rules);
        } finally {
            if (run("iptables", "-w", "-S", List.of("INPUT")).contains("tendril-test-port-block-" + gone + " ")) {
                run("iptables", "-w", "-D", leftover); // the block did not remove it: the test fails, the host stays clean
            }
        }
    }

    /** The pid of a process that ran and ended (so no process has it now, unless the kernel reused it since). */
    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    private static String run(String cmd, String flag, String op, List<String> args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of(cmd, flag, op));
        all.addAll(args);
        Process p = new ProcessBuilder(all).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(all + ": " + out);
        }
        return out;
    }
}
