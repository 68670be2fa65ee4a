package dev.tendril.protocol.message;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Authentication of admin requests with a shared key. The requester computes
 * {@code auth = hex(HMAC-SHA256(key, "tendril-admin-v1\n" + id + "\n" + sentAt + "\n" + typeId
 * + "\n" + signedPayload))} and puts it into the request; the node recomputes it and compares
 * in constant time, and refuses requests whose {@code sentAt} is further than
 * {@link #MAX_SKEW_MILLIS} (30 s) from its clock. The key never travels; a captured request
 * cannot be changed; replaying it within the window is refused by the node's replay guard,
 * which remembers the ids it accepted for the whole window (see docs/security.md, "Admin API").
 */
public final class AdminAuth {
    /** How far a request's {@code sentAt} may be from the node's clock: the validity window. */
    public static final long MAX_SKEW_MILLIS = 30_000L;
    private static final String ALGORITHM = "HmacSHA256";

    private AdminAuth() {
    }

    public static String sign(String key, MessageId id, long sentAtMillis, MessageType type, String payload) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), ALGORITHM));
            String text = "tendril-admin-v1\n" + id + "\n" + sentAtMillis + "\n" + type.id() + "\n" + payload;
            return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** True when the envelope's request carries a valid auth for {@code key} and was sent recently. */
    public static boolean verify(String key, Envelope envelope, long nowMillis) {
        return verify(key, envelope, nowMillis, MAX_SKEW_MILLIS);
    }

    /** As {@link #verify(String, Envelope, long)} with a validity window of {@code windowMillis}. */
    public static boolean verify(String key, Envelope envelope, long nowMillis, long windowMillis) {
        if (!(envelope.body() instanceof AdminMessage.Request request)) {
            return false;
        }
        if (Math.abs(nowMillis - envelope.sentAtMillis()) > windowMillis) {
            return false;
        }
        String expected = sign(key, envelope.id(), envelope.sentAtMillis(), request.type(), request.signedPayload());
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                request.auth().getBytes(StandardCharsets.UTF_8));
    }
}
