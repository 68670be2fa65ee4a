package dev.tendril.protocol.codec;

import dev.tendril.protocol.message.MessageType;
import dev.tendril.protocol.message.OverlayMessage.Attach;
import dev.tendril.protocol.message.OverlayMessage.AttachAck;
import dev.tendril.protocol.message.OverlayMessage.Detach;
import dev.tendril.protocol.message.OverlayMessage.Heartbeat;
import dev.tendril.protocol.message.OverlayMessage.HeartbeatAck;

import java.util.List;

import static dev.tendril.protocol.codec.MessageCodec.of;

/** Codecs of the overlay messages ({@link dev.tendril.protocol.message.OverlayMessage}). */
public final class OverlayCodecs {
    private OverlayCodecs() {
    }

    public static List<MessageCodec<?>> all() {
        return List.of(
                of(MessageType.ATTACH, Attach.class,
                        (w, m) -> ValueCodecs.nodeInfo(w.struct(2).string(m.service()), m.child()),
                        r -> r.struct(f -> new Attach(f.string(), ValueCodecs.nodeInfo(f)))),
                of(MessageType.ATTACH_ACK, AttachAck.class,
                        (w, m) -> w.struct(2).string(m.service()).string(m.parentId()),
                        r -> r.struct(f -> new AttachAck(f.string(), f.string()))),
                of(MessageType.HEARTBEAT, Heartbeat.class,
                        (w, m) -> w.struct(2).string(m.service()).string(m.nodeId()),
                        r -> r.struct(f -> new Heartbeat(f.string(), f.string()))),
                of(MessageType.HEARTBEAT_ACK, HeartbeatAck.class,
                        (w, m) -> w.struct(3).string(m.service()).string(m.nodeId()).bool(m.known()),
                        r -> r.struct(f -> new HeartbeatAck(f.string(), f.string(), f.bool()))),
                of(MessageType.DETACH, Detach.class,
                        (w, m) -> w.struct(2).string(m.service()).string(m.nodeId()),
                        r -> r.struct(f -> new Detach(f.string(), f.string()))));
    }
}
