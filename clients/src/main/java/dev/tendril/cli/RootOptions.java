package dev.tendril.cli;

import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Options of the commands that ask a root's control endpoint directly (tree, resolve, migrations). */
public final class RootOptions {
    @Option(names = "--root", defaultValue = "${env:TENDRIL_ROOT:-127.0.0.1:5390}",
            description = "control endpoint of the root, host:port; several roots of a replicated group comma-separated, "
                    + "a write is sent on to the leader (env TENDRIL_ROOT; default ${DEFAULT-VALUE})")
    String root;

    @Option(names = "--timeout", defaultValue = "10s", description = "how long to wait for the root, e.g. 5s (default ${DEFAULT-VALUE})")
    String timeout;

    @Option(names = "--json", description = "print JSON instead of a table")
    boolean json;

    @Option(names = "--curve-key", defaultValue = "${env:TENDRIL_CURVE_KEY}",
            description = "your CURVE .key file (env TENDRIL_CURVE_KEY); with --root-key the connection uses CURVE")
    String curveKey;

    @Option(names = "--root-key", defaultValue = "${env:TENDRIL_ROOT_KEY}",
            description = "the root's CURVE public key: 40 Z85 characters or a .pub file; one for all roots or one per --root "
                    + "entry, comma-separated (env TENDRIL_ROOT_KEY)")
    String rootKey;

    Duration timeout() {
        Duration d = dev.tendril.protocol.spec.Quantities.parseDuration(timeout);
        return d == null || d.isZero() ? Duration.ofSeconds(10) : d;
    }

    /** tcp://host:port of the first root, or null when {@code --root} is not host:port[,host:port...]. */
    String endpoint() {
        List<String> all = endpoints();
        return all == null ? null : all.get(0);
    }

    /** tcp://host:port of every root listed, or null when an entry is not host:port. */
    List<String> endpoints() {
        if (root == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (String entry : root.split(",", -1)) {
            String endpoint = HostPort.endpoint(entry.trim());
            if (endpoint == null) {
                return null;
            }
            out.add(endpoint);
        }
        return out;
    }

    /** The {@code --root-key} entries (empty when none), to pair with {@link #endpoints()}: one for all, or one each. */
    List<String> rootKeys() {
        if (rootKey == null || rootKey.isBlank()) {
            return List.of();
        }
        return Arrays.stream(rootKey.split(",", -1)).map(String::trim).toList();
    }
}
