package dev.tendril.root.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cuts one loopback TCP port off for a while (a partition between processes on this host):
 * an iptables rule answers every packet to the port with a TCP reset, so established
 * connections to it break and new ones are refused; {@link #close()} removes the rule. Needs
 * root and iptables (both there in CI; {@code scripts/setup.sh} installs it).
 *
 * <p>Each rule is tagged with the test JVM's pid; a rule whose JVM is gone (killed before
 * its close) is removed the next time a block is made, so it cannot cut a later process
 * that happens to get the same port.
 */
public final class PortBlock implements AutoCloseable {
    private static final String TAG = "tendril-test-port-block-";
    private static final Pattern TAGGED = Pattern.compile("^-A (INPUT .*--comment \"?" + TAG + "(\\d+)\"? .*)$");
    private final List<String> rule;

    private PortBlock(List<String> rule) {
        this.rule = rule;
    }

    /** Inserts the rule for {@code port} on lo. */
    public static PortBlock resetting(int port) throws IOException, InterruptedException {
        removeLeftovers();
        List<String> rule = List.of("INPUT", "-i", "lo", "-p", "tcp", "--dport", Integer.toString(port),
                "-m", "comment", "--comment", TAG + ProcessHandle.current().pid(),
                "-j", "REJECT", "--reject-with", "tcp-reset");
        iptables("-I", rule);
        return new PortBlock(rule);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        iptables("-D", rule);
    }

    /** Deletes the tagged rules of test JVMs that no longer run. */
    static void removeLeftovers() throws IOException, InterruptedException {
        for (String line : iptables("-S", List.of("INPUT")).split("\n")) {
            Matcher m = TAGGED.matcher(line.strip());
            if (m.matches() && !Files.exists(Path.of("/proc", m.group(2)))) {
                iptables("-D", List.of(m.group(1).replace("\"", "").split(" ")));
            }
        }
    }

    private static String iptables(String op, List<String> rule) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("iptables", "-w", op));
        cmd.addAll(rule);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " exited with " + p.exitValue()
                    + " (root and iptables needed: scripts/setup.sh installs it): " + out.strip());
        }
        return out;
    }
}
