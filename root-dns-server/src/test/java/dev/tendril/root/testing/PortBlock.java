package dev.tendril.root.testing;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts one loopback TCP port off for a while (a partition between processes on this host):
 * an iptables rule answers every packet to the port with a TCP reset, so established
 * connections to it break and new ones are refused; {@link #close()} removes the rule. Needs
 * root and iptables (both there in CI; {@code scripts/setup.sh} installs iptables).
 */
public final class PortBlock implements AutoCloseable {
    private final List<String> rule;

    private PortBlock(List<String> rule) {
        this.rule = rule;
    }

    /** Inserts the rule for {@code port} on lo. */
    public static PortBlock resetting(int port) throws IOException, InterruptedException {
        List<String> rule = List.of("INPUT", "-i", "lo", "-p", "tcp", "--dport", Integer.toString(port),
                "-j", "REJECT", "--reject-with", "tcp-reset");
        iptables("-I", rule);
        return new PortBlock(rule);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        iptables("-D", rule);
    }

    private static void iptables(String op, List<String> rule) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("iptables", "-w", op));
        cmd.addAll(rule);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " exited with " + p.exitValue()
                    + " (root and iptables needed: scripts/setup.sh installs it): " + out.strip());
        }
    }
}
