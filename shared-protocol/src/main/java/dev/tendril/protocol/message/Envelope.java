package dev.tendril.protocol.message;

import java.util.Objects;

/**
 * What travels between Tendril processes: {id, kind, service, from, sentAt, body}.
 * {@code kind} is the body's type; it is written on the wire so that a receiver can
 * skip a body it cannot decode.
 *
 * @param service the service (tree) the message concerns, or "" when none
 * @param from    the sender's node id (or a client name such as "tendrilctl")
 * @param sentAtMillis sender's wall clock at sending, epoch milliseconds
 */
public record Envelope(MessageId id, String service, String from, long sentAtMillis, Message body) {
    /** Current wire protocol version; a receiver accepts [MIN_VERSION, VERSION]. */
    public static final int VERSION = 1;
    public static final int MIN_VERSION = 1;

    public Envelope {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(body, "body");
        service = service == null ? "" : service;
        from = from == null ? "" : from;
    }

    public MessageType kind() {
        return body.type();
    }

    /** A reply to this envelope: same id, so the requester can match it. */
    public Envelope reply(String replier, long nowMillis, Message replyBody) {
        return new Envelope(id, service, replier, nowMillis, replyBody);
    }
}
