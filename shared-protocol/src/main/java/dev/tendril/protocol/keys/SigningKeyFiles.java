package dev.tendril.protocol.keys;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * An operator's Ed25519 signing key pair (the JDK's own implementation), used to sign
 * deployment specs: {@code <name>.sign.key} holds the PKCS#8 private key in base64 (mode
 * 0600), {@code <name>.sign.pub} the X.509 public key in base64.
 */
public final class SigningKeyFiles {
    public static final String ALGORITHM = "Ed25519";

    private SigningKeyFiles() {
    }

    public static Path secretFile(Path dir, String name) {
        return dir.resolve(name + ".sign.key");
    }

    public static Path publicFile(Path dir, String name) {
        return dir.resolve(name + ".sign.pub");
    }

    /** Makes a fresh Ed25519 pair and writes both files; refuses to overwrite existing ones. */
    public static KeyPair generate(Path dir, String name) throws IOException {
        Path secret = secretFile(dir, name);
        Path pub = publicFile(dir, name);
        KeyFiles.requireAbsent(secret, pub);
        KeyPair pair;
        try {
            pair = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no " + ALGORITHM, e);
        }
        Base64.Encoder b64 = Base64.getEncoder();
        KeyFiles.writeSecret(secret, "# tendril operator signing key (Ed25519, PKCS#8) of " + name + "; keep it secret\n"
                + b64.encodeToString(pair.getPrivate().getEncoded()) + "\n");
        KeyFiles.writePublic(pub, b64.encodeToString(pair.getPublic().getEncoded()) + "\n");
        return pair;
    }

    public static PrivateKey readPrivate(Path file) {
        byte[] der = base64(KeyFiles.readSecret(file), file);
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new KeyFileException("signing key file " + file + " is not an Ed25519 PKCS#8 key: " + e.getMessage());
        }
    }

    public static PublicKey readPublic(Path file) {
        return decodePublic(String.join("", KeyFiles.readPublic(file)), file.toString());
    }

    /** A public key from its base64 X.509 form, e.g. a line of a config file. */
    public static PublicKey decodePublic(String base64, String where) {
        try {
            byte[] der = Base64.getDecoder().decode(base64.strip());
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new KeyFileException(where + ": not an Ed25519 X.509 public key in base64: " + e.getMessage());
        }
    }

    private static byte[] base64(java.util.List<String> lines, Path file) {
        try {
            return Base64.getDecoder().decode(String.join("", lines));
        } catch (IllegalArgumentException e) {
            throw new KeyFileException("key file " + file + " is not base64: " + e.getMessage());
        }
    }
}
