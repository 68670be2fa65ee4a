package dev.tendril.protocol.codec;

import dev.tendril.protocol.message.AdminMessage.EventView;
import dev.tendril.protocol.message.AdminMessage.EventsQuery;
import dev.tendril.protocol.message.AdminMessage.EventsReply;
import dev.tendril.protocol.message.MessageType;

import java.util.List;

import static dev.tendril.protocol.codec.MessageCodec.of;

/** Codecs of the self-organization admin messages (ids 160-161: {@code tendrilctl events}). */
public final class EventCodecs {
    private EventCodecs() {
    }

    public static List<MessageCodec<?>> all() {
        return List.of(
                of(MessageType.ADMIN_EVENTS_QUERY, EventsQuery.class,
                        (w, m) -> w.struct(4).string(m.auth()).string(m.service()).int64(m.afterSeq()).int32(m.limit()),
                        r -> r.struct(f -> new EventsQuery(f.string(), f.string(), f.int64(), f.int32()))),
                of(MessageType.ADMIN_EVENTS_REPLY, EventsReply.class,
                        (w, m) -> w.struct(3).string(m.nodeId()).list(m.events(), EventCodecs::event)
                                .list(m.timings(), AdminCodecs::figure),
                        r -> r.struct(f -> new EventsReply(f.string(), f.list(EventCodecs::event), f.list(AdminCodecs::figure)))));
    }

    private static void event(BodyWriter out, EventView e) {
        out.struct(8).int64(e.seq()).int64(e.atMillis()).string(e.nodeId()).string(e.service()).string(e.kind())
                .string(e.correlationId()).string(e.detail()).int64(e.containerStartMillis());
    }

    private static EventView event(BodyReader in) {
        return in.struct(r -> new EventView(r.int64(), r.int64(), r.string(), r.string(), r.string(), r.string(), r.string(),
                r.int64()));
    }
}
