package dev.tendril.protocol.keys;

import dev.tendril.protocol.transport.CurveKeyPair;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CURVE key pairs on disk: {@code <name>.key} (mode 0600) holds the lines
 * {@code public-key <z85>} and {@code secret-key <z85>}; {@code <name>.pub} holds the public
 * key alone on one line (Z85 has no spaces, so the key is everything after the label).
 */
public final class CurveKeyFiles {
    private CurveKeyFiles() {
    }

    /** The secret file of {@code name} in {@code dir}. */
    public static Path secretFile(Path dir, String name) {
        return dir.resolve(name + ".key");
    }

    public static Path publicFile(Path dir, String name) {
        return dir.resolve(name + ".pub");
    }

    /** Makes a fresh key pair and writes both files; refuses to overwrite existing ones. */
    public static CurveKeyPair generate(Path dir, String name) throws IOException {
        Path secret = secretFile(dir, name);
        Path pub = publicFile(dir, name);
        KeyFiles.requireAbsent(secret, pub);
        CurveKeyPair keys = CurveKeyPair.generate();
        KeyFiles.writeSecret(secret, "# tendril CURVE key pair of " + name + "; keep this file secret (mode 0600)\n"
                + "public-key " + keys.publicKey() + "\nsecret-key " + keys.secretKey() + "\n");
        KeyFiles.writePublic(pub, keys.publicKey() + "\n");
        return keys;
    }

    /** Reads a {@code .key} file (with the permission check of {@link KeyFiles#readSecret}). */
    public static CurveKeyPair readPair(Path file) {
        String pub = null;
        String secret = null;
        for (String line : KeyFiles.readSecret(file)) {
            if (line.startsWith("public-key ")) {
                pub = line.substring("public-key ".length()).strip();
            } else if (line.startsWith("secret-key ")) {
                secret = line.substring("secret-key ".length()).strip();
            }
        }
        if (pub == null || secret == null) {
            throw new KeyFileException("key file " + file + " lacks a 'public-key' or 'secret-key' line; make one with: "
                    + "tendrilctl keys gen --out <dir> --name <id>");
        }
        try {
            return new CurveKeyPair(pub, secret);
        } catch (IllegalArgumentException e) {
            throw new KeyFileException("key file " + file + ": " + e.getMessage());
        }
    }

    /**
     * A public key given as its 40 Z85 characters, or as the path of a {@code .pub} file (or of
     * a {@code .key} file, whose public line is read).
     */
    public static String readPublic(String keyOrFile) {
        if (keyOrFile.length() == 40 && !Files.isRegularFile(Path.of(keyOrFile))) {
            return requireKey(keyOrFile, "public key");
        }
        return readPublic(Path.of(keyOrFile));
    }

    /**
     * The public key in a {@code .pub} (or {@code .key}) file. Always a file: a path that happens
     * to be 40 characters of the Z85 alphabet is not taken for a key.
     */
    public static String readPublic(Path file) {
        List<String> lines = KeyFiles.readPublic(file);
        for (String line : lines) {
            String key = line.startsWith("public-key ") ? line.substring("public-key ".length()).strip() : line;
            if (!line.startsWith("secret-key ")) {
                return requireKey(key, "public key in " + file);
            }
        }
        throw new KeyFileException("public key file " + file + " holds no key");
    }

    private static String requireKey(String key, String what) {
        try {
            new CurveKeyPair(key, key); // validates both as Z85; only the public one is kept
            return key;
        } catch (RuntimeException e) { // JeroMQ's Z85 decoder may throw on characters outside the alphabet
            throw new KeyFileException(what + ": " + e.getMessage());
        }
    }
}
