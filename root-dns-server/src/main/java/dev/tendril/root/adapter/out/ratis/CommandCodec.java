package dev.tendril.root.adapter.out.ratis;

import dev.tendril.protocol.codec.DecodeResult;
import dev.tendril.protocol.codec.FrameCodec;
import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.MessageId;
import dev.tendril.protocol.message.RootMessage;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Log entries and replies as the protocol's frames: an entry is the control request in an
 * envelope whose {@code sentAt} is the leader's clock when it proposed the command (the
 * time every root applies it at) and whose {@code from} is the proposing root. A reply is
 * the reply message in an envelope. Old entries keep decoding as long as the wire rules of
 * the root messages hold (fields appended only).
 *
 * <p>An entry of several commands (the leader's group commit) and its replies are a batch:
 * <pre>
 * batch = 0xB0  count:u32  (length:u32  frame){count}
 * </pre>
 * A frame starts with the protocol version (1), never 0xB0, so a batch is told from a single
 * frame by its first byte. A batch of one is written as the single frame. A batch of none is a
 * commit notice (see {@link ProposalBatcher}): an entry that changes nothing and carries the
 * leader's commit index to the followers; its replies are a batch of none too.
 */
final class CommandCodec {
    /** A decoded log entry of one command. */
    record Command(RootMessage request, long atMillis, String proposer) {
    }

    /** A decoded log entry: its commands (one or more), all at the same time. */
    record Commands(List<RootMessage> requests, long atMillis, String proposer) {
    }

    static final int BATCH = 0xB0;
    /** More frames than this in one batch are refused as undecodable (a log entry is never that large). */
    static final int MAX_BATCH = 100_000;

    private static final FrameCodec FRAMES = FrameCodec.standard();

    private CommandCodec() {
    }

    static Message command(RootMessage request, long atMillis, String proposer, MessageId id) {
        return Message.valueOf(ByteString.copyFrom(FRAMES.encode(new Envelope(id, "", proposer, atMillis, request))));
    }

    /** One entry of these commands (in this order), proposed at {@code atMillis}. */
    static Message commands(List<RootMessage> requests, long atMillis, String proposer, long call) {
        if (requests.size() == 1) {
            return command(requests.get(0), atMillis, proposer, new MessageId(0, call));
        }
        List<byte[]> frames = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            frames.add(FRAMES.encode(new Envelope(new MessageId(call, i), "", proposer, atMillis, requests.get(i))));
        }
        return Message.valueOf(batch(frames));
    }

    /** The entry's command, or null when the bytes are not one (counted and logged by the caller). */
    static Command command(ByteString data) {
        Commands c = commands(data);
        return c == null || c.requests().size() != 1 ? null : new Command(c.requests().get(0), c.atMillis(), c.proposer());
    }

    /** The entry's commands (a single frame or a batch), or null when the bytes are not commands. */
    static Commands commands(ByteString data) {
        List<byte[]> frames = frames(data);
        if (frames == null) {
            return null;
        }
        List<RootMessage> requests = new ArrayList<>(frames.size());
        long at = 0;
        String proposer = "";
        for (byte[] frame : frames) {
            if (!(FRAMES.decode(frame) instanceof DecodeResult.Decoded d && d.envelope().body() instanceof RootMessage m)) {
                return null;
            }
            if (requests.isEmpty()) {
                at = d.envelope().sentAtMillis();
                proposer = d.envelope().from();
            }
            requests.add(m);
        }
        return new Commands(requests, at, proposer);
    }

    static Message reply(RootMessage reply, String replier) {
        return Message.valueOf(ByteString.copyFrom(FRAMES.encode(new Envelope(new MessageId(0, 0), "", replier, 0, reply))));
    }

    /** The replies to an entry's commands, in their order (a single frame for one). */
    static Message replies(List<RootMessage> replies, String replier) {
        if (replies.size() == 1) {
            return reply(replies.get(0), replier);
        }
        List<byte[]> frames = new ArrayList<>(replies.size());
        for (RootMessage r : replies) {
            frames.add(FRAMES.encode(new Envelope(new MessageId(0, 0), "", replier, 0, r)));
        }
        return Message.valueOf(batch(frames));
    }

    /** The reply in a state machine's answer, or null when it is not one. */
    static RootMessage reply(Message message) {
        List<RootMessage> replies = replies(message);
        return replies == null || replies.size() != 1 ? null : replies.get(0);
    }

    /** The replies in a state machine's answer (one or a batch), or null when they are not replies. */
    static List<RootMessage> replies(Message message) {
        if (message == null) {
            return null;
        }
        List<byte[]> frames = frames(message.getContent());
        if (frames == null) {
            return null;
        }
        List<RootMessage> out = new ArrayList<>(frames.size());
        for (byte[] frame : frames) {
            if (!(FRAMES.decode(frame) instanceof DecodeResult.Decoded d && d.envelope().body() instanceof RootMessage m)) {
                return null;
            }
            out.add(m);
        }
        return out;
    }

    private static ByteString batch(List<byte[]> frames) {
        int size = 5;
        for (byte[] f : frames) {
            size += 4 + f.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put((byte) BATCH).putInt(frames.size());
        for (byte[] f : frames) {
            b.putInt(f.length).put(f);
        }
        return ByteString.copyFrom(b.array());
    }

    /** The frames of a single frame or a batch; null when a batch is malformed or there is nothing. */
    private static List<byte[]> frames(ByteString data) {
        if (data.isEmpty()) {
            return null;
        }
        byte[] bytes = data.toByteArray();
        if ((bytes[0] & 0xff) != BATCH) {
            return List.of(bytes);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        b.get();
        if (b.remaining() < 4) {
            return null;
        }
        int count = b.getInt();
        if (count < 0 || count > MAX_BATCH) {
            return null;
        }
        List<byte[]> frames = new ArrayList<>(Math.min(count, 1024));
        for (int i = 0; i < count; i++) {
            if (b.remaining() < 4) {
                return null;
            }
            int length = b.getInt();
            if (length < 1 || length > b.remaining()) {
                return null;
            }
            byte[] f = new byte[length];
            b.get(f);
            frames.add(f);
        }
        return b.hasRemaining() ? null : frames;
    }
}
