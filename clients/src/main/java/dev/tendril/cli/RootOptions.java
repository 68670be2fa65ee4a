package dev.tendril.cli;

import picocli.CommandLine.Option;

import java.time.Duration;

/** Options of the commands that ask a root's control endpoint directly (tree, resolve, migrations). */
public final class RootOptions {
    @Option(names = "--root", defaultValue = "${env:TENDRIL_ROOT:-127.0.0.1:5390}",
            description = "control endpoint of the root, host:port (env TENDRIL_ROOT; default ${DEFAULT-VALUE})")
    String root;

    @Option(names = "--timeout", defaultValue = "10s", description = "how long to wait for the root, e.g. 5s (default ${DEFAULT-VALUE})")
    String timeout;

    @Option(names = "--json", description = "print JSON instead of a table")
    boolean json;

    Duration timeout() {
        Duration d = dev.tendril.protocol.spec.Quantities.parseDuration(timeout);
        return d == null || d.isZero() ? Duration.ofSeconds(10) : d;
    }

    /** tcp://host:port, or null when {@code --root} is not host:port. */
    String endpoint() {
        return HostPort.endpoint(root);
    }
}
