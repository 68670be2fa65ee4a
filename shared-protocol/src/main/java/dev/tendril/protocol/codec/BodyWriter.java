package dev.tendril.protocol.codec;

import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * Writes the MessagePack body of a frame, one value at a time. Records are written as
 * structs: {@link #struct(int)} declares how many values follow, and the writer checks
 * that exactly that many are written (a codec that declares 3 fields and writes 2 fails
 * at once with an {@link IllegalStateException}, so round-trip tests catch it).
 * Not thread-safe; one writer per frame.
 */
public final class BodyWriter {
    /** Writes one value of type T (e.g. a nested record as a struct). */
    @FunctionalInterface
    public interface ValueWriter<T> {
        void write(BodyWriter out, T value);
    }

    /**
     * A frame's body starts in one 1 KB chunk and takes more as it grows. Most frames are a
     * few hundred bytes; the default first chunk (8 KB a frame) was most of what an idle edge
     * node allocated after its eBPF and /proc reads stopped allocating (its heartbeats).
     */
    private static final MessagePack.PackerConfig PACKER = new MessagePack.PackerConfig().withBufferSize(1024);

    private final MessageBufferPacker packer = PACKER.newBufferPacker();
    /** Values still to write in each open struct or list, innermost last. */
    private final Deque<int[]> open = new ArrayDeque<>();

    BodyWriter() {
    }

    /** Opens a struct of {@code fields} values; it closes itself after the last one. */
    public BodyWriter struct(int fields) {
        run(p -> p.packArrayHeader(fields));
        if (fields > 0) {
            open.push(new int[] {fields});
        }
        return this;
    }

    public BodyWriter string(String value) {
        return run(p -> p.packString(value));
    }

    public BodyWriter int32(int value) {
        return run(p -> p.packInt(value));
    }

    public BodyWriter int64(long value) {
        return run(p -> p.packLong(value));
    }

    public BodyWriter float64(double value) {
        return run(p -> p.packDouble(value));
    }

    public BodyWriter bool(boolean value) {
        return run(p -> p.packBoolean(value));
    }

    /** Writes nil for empty, else the value. */
    public <T> BodyWriter optional(Optional<T> value, ValueWriter<T> element) {
        if (value.isPresent()) {
            element.write(this, value.get());
            return this;
        }
        return run(MessagePacker::packNil);
    }

    public <T> BodyWriter list(List<T> values, ValueWriter<T> element) {
        struct(values.size());
        for (T v : values) {
            element.write(this, v);
        }
        return this;
    }

    public BodyWriter stringList(List<String> values) {
        return list(values, BodyWriter::string);
    }

    byte[] finish() {
        if (!open.isEmpty()) {
            throw new IllegalStateException("codec wrote " + open.peek()[0] + " value(s) fewer than its struct declared");
        }
        return packer.toByteArray();
    }

    private interface PackOp {
        void apply(MessagePacker p) throws IOException;
    }

    private BodyWriter run(PackOp op) {
        int[] top = open.peek();
        if (top != null) {
            if (--top[0] == 0) {
                open.pop();
            }
        } else if (packer.getTotalWrittenBytes() > 0) {
            throw new IllegalStateException("codec wrote more values than its struct declared");
        }
        try {
            op.apply(packer);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to a memory buffer failed", e);
        }
        return this;
    }
}
