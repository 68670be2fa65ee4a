package dev.tendril.protocol.transport;

import org.zeromq.ZMQ;

import java.util.Objects;

/**
 * A CURVE key pair as Z85 text (40 characters each), the form used in config files.
 * Keep the secret key out of logs: {@link #toString()} shows the public key only.
 */
public record CurveKeyPair(String publicKey, String secretKey) {
    public CurveKeyPair {
        requireZ85Key("CURVE public key", publicKey);
        requireZ85Key("CURVE secret key", secretKey);
    }

    public static CurveKeyPair generate() {
        ZMQ.Curve.KeyPair pair = ZMQ.Curve.generateKeyPair();
        return new CurveKeyPair(pair.publicKey, pair.secretKey);
    }

    static String requireZ85Key(String what, String key) {
        Objects.requireNonNull(key, what);
        if (!isZ85Key(key)) {
            throw new IllegalArgumentException(what + " must be 40 characters of Z85, got "
                    + key.length() + " characters");
        }
        return key;
    }

    /** Whether {@code text} is a CURVE key written in Z85: 40 characters of its alphabet that decode. */
    public static boolean isZ85Key(String text) {
        return text.length() == ZMQ.Curve.KEY_SIZE_Z85 && decodes(text);
    }

    private static final String Z85_ALPHABET =
            "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

    private static boolean decodes(String key) {
        if (!key.chars().allMatch(c -> Z85_ALPHABET.indexOf(c) >= 0)) {
            return false;
        }
        try {
            return ZMQ.Curve.z85Decode(key) != null;
        } catch (RuntimeException e) { // characters outside the Z85 alphabet
            return false;
        }
    }

    @Override
    public String toString() {
        return "CurveKeyPair[publicKey=" + publicKey + "]";
    }
}
