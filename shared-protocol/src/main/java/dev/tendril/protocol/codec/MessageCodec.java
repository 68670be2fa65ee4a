package dev.tendril.protocol.codec;

import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.MessageType;

import java.util.Objects;

/**
 * The codec of one message type: how its record's fields are written to and read from a
 * frame body. Register one per {@link MessageType}; see {@link RootCodecs} for examples.
 *
 * <p>Wire rule: a message is a struct (MessagePack array) of its fields in declaration
 * order. Fields may only be appended (readers skip fields they do not know), never
 * removed, reordered or retyped; a change that cannot follow that rule is a new type id.
 *
 * @param type  the wire type id
 * @param javaType the record class (used to check what is encoded)
 * @param writer writes the whole body: {@code out.struct(n)} then n values
 * @param reader reads the whole body, typically {@code in.struct(r -> new X(r.string(), ...))}
 */
public record MessageCodec<M extends Message>(MessageType type, Class<M> javaType,
                                               BodyWriter.ValueWriter<M> writer,
                                               BodyReader.ValueReader<M> reader) {
    public MessageCodec {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(javaType, "javaType");
        Objects.requireNonNull(writer, "writer");
        Objects.requireNonNull(reader, "reader");
    }

    public static <M extends Message> MessageCodec<M> of(MessageType type, Class<M> javaType,
                                                         BodyWriter.ValueWriter<M> writer,
                                                         BodyReader.ValueReader<M> reader) {
        return new MessageCodec<>(type, javaType, writer, reader);
    }

    void write(BodyWriter out, Message message) {
        writer.write(out, javaType.cast(message));
    }
}
