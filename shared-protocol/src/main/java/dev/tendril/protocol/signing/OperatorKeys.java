package dev.tendril.protocol.signing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Set;

/**
 * Operator signing keys: Ed25519 from the JDK. Files: {@code NAME.key} holds the secret key
 * (PKCS#8, base64, one line, mode 0600) and {@code NAME.pub} the public key (X.509, base64,
 * one line); the operator's name is the file name without its extension. A secret key file
 * readable by group or others is refused, as ssh refuses one.
 */
public final class OperatorKeys {
    public static final String ALGORITHM = "Ed25519";
    public static final String SECRET_SUFFIX = ".key";
    public static final String PUBLIC_SUFFIX = ".pub";

    private OperatorKeys() {
    }

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is not available in this JDK", e);
        }
    }

    /** Writes {@code dir/NAME.key} (0600) and {@code dir/NAME.pub}; refuses to overwrite. Returns the secret key file. */
    public static Path write(KeyPair pair, String name, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path secret = dir.resolve(name + SECRET_SUFFIX);
        Path pub = dir.resolve(name + PUBLIC_SUFFIX);
        if (Files.exists(secret) || Files.exists(pub)) {
            throw new IOException("refusing to overwrite " + secret + " or " + pub);
        }
        Set<PosixFilePermission> owner = PosixFilePermissions.fromString("rw-------");
        Files.createFile(secret, PosixFilePermissions.asFileAttribute(owner));
        Files.writeString(secret, Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()) + "\n");
        Files.writeString(pub, Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()) + "\n");
        return secret;
    }

    /**
     * The operator's name of a key file: its file name without the extension, and without the
     * {@code .sign} that {@code tendrilctl keys gen-operator} puts before it
     * ({@code alice.sign.key} and {@code alice.key} both name alice).
     */
    public static String nameOf(Path keyFile) {
        String f = keyFile.getFileName().toString();
        int dot = f.lastIndexOf('.');
        String name = dot > 0 ? f.substring(0, dot) : f;
        return name.endsWith(".sign") ? name.substring(0, name.length() - ".sign".length()) : name;
    }

    /** An operator's public key from its X.509 encoding (what a {@code .pub} file holds, base64-decoded). */
    public static PublicKey publicKey(byte[] x509) throws GeneralSecurityException {
        return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(x509));
    }

    public static PublicKey readPublic(Path file) throws IOException {
        try {
            return publicKey(decode(file));
        } catch (GeneralSecurityException e) {
            throw new IOException(file + ": not an " + ALGORITHM + " public key (X.509, base64): " + e.getMessage(), e);
        }
    }

    public static PrivateKey readSecret(Path file) throws IOException {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
            throw new IOException(file + ": readable by others (" + PosixFilePermissions.toString(perms)
                    + "); chmod 600 " + file);
        }
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(decode(file)));
        } catch (GeneralSecurityException e) {
            throw new IOException(file + ": not an " + ALGORITHM + " secret key (PKCS#8, base64): " + e.getMessage(), e);
        }
    }

    private static byte[] decode(Path file) throws IOException {
        if (Files.size(file) > 4096) {
            throw new IOException(file + ": too large for a key file");
        }
        try {
            // '#' lines are comments (tendrilctl keys gen-operator writes one above the key)
            String text = Files.readAllLines(file, StandardCharsets.US_ASCII).stream()
                    .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                    .collect(java.util.stream.Collectors.joining());
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": not base64: " + e.getMessage(), e);
        }
    }
}
