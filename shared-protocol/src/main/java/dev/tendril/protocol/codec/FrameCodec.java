package dev.tendril.protocol.codec;

import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.MessageId;
import dev.tendril.protocol.message.MessageType;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Encodes envelopes to frames and decodes frames back, total on any input.
 *
 * <pre>
 * frame    = version:u8  type:u8  body
 * body     = MessagePack array [idHigh:int, idLow:int, service:str, from:str, sentAt:int, message]
 * message  = MessagePack array of the message record's fields (see {@link MessageCodec})
 * </pre>
 *
 * Immutable and thread-safe. {@link #standard()} knows every message family of this build;
 * a new family adds its codec list there.
 */
public final class FrameCodec {
    /** Number of envelope fields in the body struct before the message; fields are append-only. */
    private static final int ENVELOPE_FIELDS = 6;

    private static final FrameCodec STANDARD = new FrameCodec(families());

    private final Map<MessageType, MessageCodec<?>> codecs = new EnumMap<>(MessageType.class);

    /** A codec for exactly the given message codecs (one per type). */
    public FrameCodec(Collection<? extends MessageCodec<?>> messageCodecs) {
        for (MessageCodec<?> c : messageCodecs) {
            if (codecs.put(c.type(), c) != null) {
                throw new IllegalArgumentException("two codecs for message type " + c.type());
            }
        }
    }

    /** The codec of every message family this build knows. */
    public static FrameCodec standard() {
        return STANDARD;
    }

    private static List<MessageCodec<?>> families() {
        List<MessageCodec<?>> all = new ArrayList<>(RootCodecs.all());
        all.addAll(OverlayCodecs.all());
        all.addAll(AdminCodecs.all());
        all.addAll(SelfOrgCodecs.all());
        all.addAll(EventCodecs.all());
        return all;
    }

    /** Whether this codec can decode (and encode) the type. */
    public boolean knows(MessageType type) {
        return codecs.containsKey(type);
    }

    /**
     * The frame of an envelope. Throws IllegalArgumentException when no codec is registered
     * for its type (a programming error of the sender, not a wire condition).
     */
    public byte[] encode(Envelope envelope) {
        MessageType type = envelope.kind();
        MessageCodec<?> codec = codecs.get(type);
        if (codec == null) {
            throw new IllegalArgumentException("no codec registered for message type " + type);
        }
        BodyWriter out = new BodyWriter();
        out.struct(ENVELOPE_FIELDS)
                .int64(envelope.id().high())
                .int64(envelope.id().low())
                .string(envelope.service())
                .string(envelope.from())
                .int64(envelope.sentAtMillis());
        codec.write(out, envelope.body());
        byte[] body = out.finish();
        byte[] frame = new byte[body.length + 2];
        frame[0] = (byte) Envelope.VERSION;
        frame[1] = (byte) type.id();
        System.arraycopy(body, 0, frame, 2, body.length);
        return frame;
    }

    /** Decodes a frame; never throws, whatever the bytes. */
    public DecodeResult decode(byte[] frame) {
        if (frame == null || frame.length < 2) {
            return new DecodeResult.Failure(DecodeResult.Reason.MALFORMED,
                    "frame of " + (frame == null ? 0 : frame.length) + " bytes has no header");
        }
        int version = frame[0] & 0xff;
        if (version < Envelope.MIN_VERSION || version > Envelope.VERSION) {
            return new DecodeResult.Failure(DecodeResult.Reason.UNKNOWN_VERSION, "protocol version " + version);
        }
        int typeId = frame[1] & 0xff;
        MessageType type = MessageType.fromId(typeId);
        MessageCodec<?> codec = type == null ? null : codecs.get(type);
        if (codec == null) {
            return new DecodeResult.Failure(DecodeResult.Reason.UNKNOWN_TYPE,
                    "message type id " + typeId + (type == null ? "" : " (" + type + ", no codec here)"));
        }
        try {
            BodyReader in = new BodyReader(frame, 2);
            Envelope envelope = in.struct(f -> {
                MessageId id = new MessageId(f.int64(), f.int64());
                String service = f.string();
                String from = f.string();
                long sentAt = f.int64();
                Message body = codec.reader().read(f);
                return new Envelope(id, service, from, sentAt, body);
            });
            in.finish();
            return new DecodeResult.Decoded(envelope);
        } catch (MalformedBodyException e) {
            return new DecodeResult.Failure(DecodeResult.Reason.MALFORMED, type + ": " + e.getMessage());
        } catch (IllegalArgumentException | NullPointerException e) {
            // a record's compact constructor refused a value
            return new DecodeResult.Failure(DecodeResult.Reason.INVALID_FIELD, type + ": " + e.getMessage());
        } catch (RuntimeException e) {
            // any other refusal by a record (decoding must stay total whatever a family's records throw)
            return new DecodeResult.Failure(DecodeResult.Reason.INVALID_FIELD, type + ": " + e);
        }
    }

    /**
     * Encodes {@code body} in an envelope and decodes it again, for a process's warm-up: the
     * first use of a message's codec (its classes, lambdas and string handling) then happens
     * off the timed path. Throws IllegalStateException when it does not come back equal.
     */
    public void rehearse(Message body) {
        Envelope sent = new Envelope(new MessageId(1, 1), "warm-up", "warm-up", 1L, body);
        if (!(decode(encode(sent)) instanceof DecodeResult.Decoded decoded) || !decoded.envelope().equals(sent)) {
            throw new IllegalStateException("the codec did not round-trip " + body.type());
        }
    }

    /**
     * {@link #rehearse}s the messages a replication exchanges with the root, for {@code node} in
     * {@code service}: the membership check and its answer, the registration and its answer, the
     * origin's registration watch and both of its answers (seen, not held). A root and an edge
     * node both send and receive these; each warm-up calls this and adds its own.
     */
    public void rehearseReplicationWithRoot(String service, NodeInfo node) {
        rehearse(new RootMessage.MembershipQuery(service, node.nodeId(), Optional.of(node.position()), 3));
        rehearse(new RootMessage.Membership(service, node.nodeId(), true, true, List.of(node.nodeId())));
        rehearse(new RootMessage.RegisterNode(service, node));
        rehearse(new RootMessage.Registered(service, node.nodeId(), Optional.of(node)));
        rehearse(new RootMessage.RegistrationWatch(service, node.nodeId(), 60_000));
        rehearse(new RootMessage.RegistrationSeen(service, node.nodeId(), Optional.of(node), ""));
        rehearse(RootMessage.RegistrationSeen.notHeld(service, node.nodeId(), "warm-up"));
    }
}
