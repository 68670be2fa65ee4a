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

    @Option(names = "--curve-key", defaultValue = "${env:TENDRIL_CURVE_KEY}",
            description = "your CURVE .key file (env TENDRIL_CURVE_KEY); with --root-key the connection uses CURVE")
    String curveKey;

    @Option(names = "--root-key", defaultValue = "${env:TENDRIL_ROOT_KEY}",
            description = "the root's CURVE public key: 40 Z85 characters or a .pub file (env TENDRIL_ROOT_KEY)")
    String rootKey;

    Duration timeout() {
        Duration d = dev.tendril.protocol.spec.Quantities.parseDuration(timeout);
        return d == null || d.isZero() ? Duration.ofSeconds(10) : d;
    }

    /** tcp://host:port, or null when {@code --root} is not host:port. */
    String endpoint() {
        return HostPort.endpoint(root);
    }
}
