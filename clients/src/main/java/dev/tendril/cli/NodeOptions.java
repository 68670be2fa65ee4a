package dev.tendril.cli;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Options shared by every command that talks to a node's admin socket. */
public final class NodeOptions {
    @Option(names = "--node", defaultValue = "${env:TENDRIL_NODE:-127.0.0.1:7401}",
            description = "admin socket of the node, host:port (env TENDRIL_NODE; default ${DEFAULT-VALUE})")
    String node;

    @Option(names = "--key", defaultValue = "${env:TENDRIL_ADMIN_KEY}",
            description = "the node's admin key (env TENDRIL_ADMIN_KEY)")
    String key;

    @Option(names = "--key-file", description = "a file holding the admin key")
    Path keyFile;

    @Option(names = "--json", description = "print the node's reply as JSON instead of text")
    boolean json;

    @Option(names = "--curve-key", defaultValue = "${env:TENDRIL_CURVE_KEY}",
            description = "your CURVE .key file (env TENDRIL_CURVE_KEY); with --node-key the connection uses CURVE")
    String curveKey;

    @Option(names = "--node-key", defaultValue = "${env:TENDRIL_NODE_KEY}",
            description = "the node's CURVE public key: 40 Z85 characters or a .pub file (env TENDRIL_NODE_KEY)")
    String nodeKey;

    @Option(names = "--timeout", defaultValue = "10s", description = "how long to wait for the node, e.g. 5s (default ${DEFAULT-VALUE})")
    String timeout;

    /** The key, or null when none was given. */
    String key() throws IOException {
        if (keyFile != null) {
            return Files.readString(keyFile).strip();
        }
        return key == null || key.isBlank() ? null : key;
    }

    Duration timeout() {
        Duration d = dev.tendril.protocol.spec.Quantities.parseDuration(timeout);
        return d == null || d.isZero() ? Duration.ofSeconds(10) : d;
    }

    /** tcp://host:port, or null when {@code --node} is not host:port. */
    String endpoint() {
        return HostPort.endpoint(node);
    }
}
