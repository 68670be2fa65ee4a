package dev.tendril.protocol.keys;

import dev.tendril.protocol.transport.ClientOptions;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * CURVE settings of the command-line tools from their environment: {@code TENDRIL_CURVE_KEY}
 * (the tool's .key file) and {@code TENDRIL_ROOT_KEY} (the root's public key or .pub file),
 * as tendrilctl reads them. Neither set: plain.
 */
public final class CurveEnvironment {
    public static final String KEY = "TENDRIL_CURVE_KEY";
    public static final String ROOT_KEY = "TENDRIL_ROOT_KEY";

    private CurveEnvironment() {
    }

    /** @throws KeyFileException when only one is set or a key does not read */
    public static Optional<ClientOptions.Curve> toRoot(Map<String, String> env) {
        String key = env.get(KEY);
        String root = env.get(ROOT_KEY);
        boolean hasKey = key != null && !key.isBlank();
        boolean hasRoot = root != null && !root.isBlank();
        if (!hasKey && !hasRoot) {
            return Optional.empty();
        }
        if (!hasKey || !hasRoot) {
            throw new KeyFileException("CURVE needs both " + KEY + " (your .key file) and " + ROOT_KEY
                    + " (the root's public key or .pub file)");
        }
        return Optional.of(new ClientOptions.Curve(CurveKeyFiles.readPair(Path.of(key)), CurveKeyFiles.readPublic(root)));
    }
}
