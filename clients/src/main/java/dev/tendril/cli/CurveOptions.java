package dev.tendril.cli;

import dev.tendril.protocol.keys.CurveKeyFiles;
import dev.tendril.protocol.keys.KeyFileException;
import dev.tendril.protocol.transport.ClientOptions;

import java.io.PrintWriter;
import java.util.Optional;

/**
 * CURVE for tendrilctl's connections: its own key pair ({@code --curve-key}, a .key file)
 * and the server's public key ({@code --root-key} or {@code --node-key}: 40 Z85 characters
 * or a .pub file). Both or neither.
 */
final class CurveOptions {
    /** Plain: no CURVE. */
    static final Optional<ClientOptions.Curve> PLAIN = Optional.empty();

    private CurveOptions() {
    }

    /** The CURVE settings, PLAIN when neither is given, or null after printing why they are unusable. */
    static Optional<ClientOptions.Curve> of(String keyFile, String serverKey, String serverOption, PrintWriter err) {
        boolean hasKey = keyFile != null && !keyFile.isBlank();
        boolean hasServer = serverKey != null && !serverKey.isBlank();
        if (!hasKey && !hasServer) {
            return PLAIN;
        }
        if (!hasKey || !hasServer) {
            err.println((hasKey ? serverOption : "--curve-key") + ": missing; CURVE needs both --curve-key (your .key file) and "
                    + serverOption + " (the server's public key or .pub file); make keys with: tendrilctl keys gen-operator --out DIR --name NAME");
            return null;
        }
        try {
            return Optional.of(new ClientOptions.Curve(CurveKeyFiles.readPair(java.nio.file.Path.of(keyFile)),
                    CurveKeyFiles.readPublic(serverKey)));
        } catch (KeyFileException e) {
            err.println("CURVE keys: " + e.getMessage());
            return null;
        }
    }

    static ClientOptions apply(ClientOptions options, Optional<ClientOptions.Curve> curve) {
        return curve.map(options::withCurve).orElse(options);
    }
}
