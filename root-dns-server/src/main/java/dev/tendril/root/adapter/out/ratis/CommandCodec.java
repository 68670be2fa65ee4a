package dev.tendril.root.adapter.out.ratis;

import dev.tendril.protocol.codec.DecodeResult;
import dev.tendril.protocol.codec.FrameCodec;
import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.MessageId;
import dev.tendril.protocol.message.RootMessage;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * Log entries and replies as the protocol's frames: an entry is the control request in an
 * envelope whose {@code sentAt} is the leader's clock when it proposed the command (the
 * time every root applies it at) and whose {@code from} is the proposing root. A reply is
 * the reply message in an envelope. Old entries keep decoding as long as the wire rules of
 * the root messages hold (fields appended only).
 */
final class CommandCodec {
    /** A decoded log entry. */
    record Command(RootMessage request, long atMillis, String proposer) {
    }

    private static final FrameCodec FRAMES = FrameCodec.standard();

    private CommandCodec() {
    }

    static Message command(RootMessage request, long atMillis, String proposer, MessageId id) {
        return Message.valueOf(ByteString.copyFrom(FRAMES.encode(new Envelope(id, "", proposer, atMillis, request))));
    }

    /** The entry's command, or null when the bytes are not one (counted and logged by the caller). */
    static Command command(ByteString data) {
        DecodeResult r = FRAMES.decode(data.toByteArray());
        if (r instanceof DecodeResult.Decoded d && d.envelope().body() instanceof RootMessage m) {
            return new Command(m, d.envelope().sentAtMillis(), d.envelope().from());
        }
        return null;
    }

    static Message reply(RootMessage reply, String replier) {
        return Message.valueOf(ByteString.copyFrom(FRAMES.encode(new Envelope(new MessageId(0, 0), "", replier, 0, reply))));
    }

    /** The reply in a state machine's answer, or null when it is not one. */
    static RootMessage reply(Message message) {
        if (message == null) {
            return null;
        }
        DecodeResult r = FRAMES.decode(message.getContent().toByteArray());
        return r instanceof DecodeResult.Decoded d && d.envelope().body() instanceof RootMessage m ? m : null;
    }
}
