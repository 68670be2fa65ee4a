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
 *
 * <p>A client that sends a request again (its connection looked stalled, or the attempt timed
 * out) cannot reuse the id: the node would refuse it as a replay although the first copy may
 * have run. It signs a <em>retry</em> instead ({@link #signRetry}): a fresh id and time, and the
 * id of the first request it stands for, under the HMAC. The auth then reads
 * {@code retry-of=<first id>;<hmac>}, with the HMAC over
 * {@code "tendril-admin-retry-v1\n" + id + "\n" + sentAt + "\n" + typeId + "\n" + firstId + "\n" + signedPayload}
 * (its own prefix, so no retry's text equals a plain request's). The node answers a retry of a
 * request that ran with that request's reply and runs nothing again; a captured retry is a
 * replay like any other request.
 */
public final class AdminAuth {
    /** How far a request's {@code sentAt} may be from the node's clock: the validity window. */
    public static final long MAX_SKEW_MILLIS = 30_000L;
    private static final String ALGORITHM = "HmacSHA256";
    private static final String RETRY_PREFIX = "retry-of=";

    /**
     * The auth of a retry of the request {@code first}: sent with a fresh {@code id} and
     * {@code sentAtMillis}, the same type and payload (see the class comment).
     */
    public static String signRetry(String key, MessageId id, long sentAtMillis, MessageType type, String payload,
                                   MessageId first) {
        return RETRY_PREFIX + first + ";" + mac(key, "tendril-admin-retry-v1\n" + id + "\n" + sentAtMillis + "\n"
                + type.id() + "\n" + first + "\n" + payload);
    }

    /** A signed admin request, and the maker of its retries (for {@code RequestClient.request(first, retry)}). */
    public record Signed(Envelope first, java.util.function.UnaryOperator<Envelope> retry) {
    }

    /**
     * Signs a request from {@code from} at the wall clock's now: {@code build} makes the request
     * body from its auth. Each retry gets a fresh id and time and names the first request.
     */
    public static Signed signed(String key, String from, MessageType type, String payload,
                                java.util.function.Function<String, ? extends AdminMessage.Request> build,
                                java.util.random.RandomGenerator random) {
        MessageId id = MessageId.random(random);
        long now = System.currentTimeMillis();
        Envelope first = new Envelope(id, "", from, now, build.apply(sign(key, id, now, type, payload)));
        return new Signed(first, retries(key, from, type, payload, build, random));
    }

    /** The maker of retries of a request (see {@link #signed}): each a fresh id and time, naming the first request. */
    public static java.util.function.UnaryOperator<Envelope> retries(String key, String from, MessageType type, String payload,
                                                                     java.util.function.Function<String, ? extends AdminMessage.Request> build,
                                                                     java.util.random.RandomGenerator random) {
        return original -> {
            MessageId retryId = MessageId.random(random);
            long at = System.currentTimeMillis();
            return new Envelope(retryId, "", from, at, build.apply(signRetry(key, retryId, at, type, payload, original.id())));
        };
    }

    /** The id of the request that {@code auth} says it retries, if it is a retry's auth (not yet verified). */
    public static java.util.Optional<MessageId> retryOf(String auth) {
        if (auth == null || !auth.startsWith(RETRY_PREFIX)) {
            return java.util.Optional.empty();
        }
        int end = auth.indexOf(';');
        try {
            return end < 0 ? java.util.Optional.empty()
                    : java.util.Optional.of(MessageId.parse(auth.substring(RETRY_PREFIX.length(), end)));
        } catch (IllegalArgumentException e) {
            return java.util.Optional.empty();
        }
    }

    private AdminAuth() {
    }

    public static String sign(String key, MessageId id, long sentAtMillis, MessageType type, String payload) {
        return mac(key, "tendril-admin-v1\n" + id + "\n" + sentAtMillis + "\n" + type.id() + "\n" + payload);
    }

    private static String mac(String key, String text) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), ALGORITHM));
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
        java.util.Optional<MessageId> first = retryOf(request.auth());
        String expected = first.isPresent()
                ? signRetry(key, envelope.id(), envelope.sentAtMillis(), request.type(), request.signedPayload(), first.get())
                : sign(key, envelope.id(), envelope.sentAtMillis(), request.type(), request.signedPayload());
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                request.auth().getBytes(StandardCharsets.UTF_8));
    }
}
