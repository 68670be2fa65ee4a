package dev.tendril.protocol.codec;

import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.core.MessagePack;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Reads the MessagePack body of a frame, one value at a time, with every declared length
 * checked against the bytes that are actually left (a frame of n bytes can never make the
 * reader allocate more than about n elements or n bytes). A struct may hold more fields
 * than the reader knows (a newer peer appended fields): {@link #struct} skips the rest.
 * Any problem surfaces as a failed decode, never as an exception to the caller of
 * {@link FrameCodec#decode}. Not thread-safe; one reader per frame.
 */
public final class BodyReader {
    /** Reads one value of type T. */
    @FunctionalInterface
    public interface ValueReader<T> {
        T read(BodyReader in);
    }

    /** Upper bound on nested structs and lists, so hostile input cannot exhaust the stack. */
    static final int MAX_DEPTH = 32;

    private final MessageUnpacker unpacker;
    private final int length;
    /** Values left in each open struct, innermost at [depth - 1]; -1 marks a list (no count check). */
    private final int[] remaining = new int[MAX_DEPTH];
    private int depth;

    BodyReader(byte[] frame, int offset) {
        this.unpacker = MessagePack.newDefaultUnpacker(frame, offset, frame.length - offset);
        this.length = frame.length - offset;
    }

    /**
     * Reads a struct: {@code fields} reads the fields it knows in order; fields the reader
     * does not know (appended by a newer peer) are skipped; fewer fields than read is malformed.
     */
    public <T> T struct(ValueReader<T> fields) {
        take();
        int n = io(() -> unpacker.unpackArrayHeader());
        boundCount(n);
        enter(n);
        T value = fields.read(this);
        int left = remaining[depth - 1];
        depth--;
        if (left > 0) {
            io(() -> {
                unpacker.skipValue(left);
                return null;
            });
        }
        return value;
    }

    /**
     * Whether the struct being read has another field. A codec reads a field that a later
     * version appended only when it is there, e.g. {@code in.hasField() ? in.int32() : 0},
     * so frames from older peers keep decoding.
     */
    public boolean hasField() {
        return depth > 0 && remaining[depth - 1] != 0;
    }

    public String string() {
        take();
        return io(() -> {
            if (unpacker.getNextFormat().getValueType() != org.msgpack.value.ValueType.STRING) {
                throw new MalformedBodyException("expected a string, got " + unpacker.getNextFormat());
            }
            int n = unpacker.unpackRawStringHeader();
            boundBytes(n);
            byte[] utf8 = unpacker.readPayload(n);
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(utf8)).toString();
            } catch (CharacterCodingException e) {
                throw new MalformedBodyException("string is not valid UTF-8");
            }
        });
    }

    public int int32() {
        take();
        return io(unpacker::unpackInt);
    }

    public long int64() {
        take();
        return io(unpacker::unpackLong);
    }

    public double float64() {
        take();
        return io(unpacker::unpackDouble);
    }

    public boolean bool() {
        take();
        return io(unpacker::unpackBoolean);
    }

    /** Nil reads as empty; anything else is read by {@code element}. */
    public <T> Optional<T> optional(ValueReader<T> element) {
        boolean nil = io(() -> unpacker.getNextFormat() == MessageFormat.NIL);
        if (nil) {
            take();
            io(() -> {
                unpacker.unpackNil();
                return null;
            });
            return Optional.empty();
        }
        return Optional.of(element.read(this));
    }

    /** A list of values, each read by {@code element}; its length is bounded by the bytes left. */
    public <T> List<T> list(ValueReader<T> element) {
        take();
        int n = io(() -> unpacker.unpackArrayHeader());
        boundCount(n);
        enter(-1);
        List<T> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(element.read(this));
        }
        depth--;
        return Collections.unmodifiableList(out);
    }

    public List<String> stringList() {
        return list(BodyReader::string);
    }

    /** Checks that nothing follows the top-level value. */
    void finish() {
        boolean more = io(unpacker::hasNext);
        if (more) {
            throw new MalformedBodyException("trailing bytes after the body");
        }
    }

    private void take() {
        if (depth == 0) {
            return;
        }
        int left = remaining[depth - 1];
        if (left == 0) {
            throw new MalformedBodyException("struct has fewer fields than this version reads");
        }
        if (left > 0) {
            remaining[depth - 1] = left - 1;
        }
    }

    private void enter(int count) {
        if (depth == MAX_DEPTH) {
            throw new MalformedBodyException("nested deeper than " + MAX_DEPTH);
        }
        remaining[depth++] = count;
    }

    private long bytesLeft() {
        return length - unpacker.getTotalReadBytes();
    }

    private void boundCount(int n) {
        // every element takes at least one byte
        if (n < 0 || n > bytesLeft()) {
            throw new MalformedBodyException("declared " + Integer.toUnsignedString(n) + " elements but only " + bytesLeft() + " bytes left");
        }
    }

    private void boundBytes(int n) {
        if (n < 0 || n > bytesLeft()) {
            throw new MalformedBodyException("declared " + Integer.toUnsignedString(n) + " bytes but only " + bytesLeft() + " left");
        }
    }

    private interface Op<T> {
        T run() throws IOException;
    }

    private static <T> T io(Op<T> op) {
        try {
            return op.run();
        } catch (IOException | MessagePackException e) {
            throw new MalformedBodyException(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }
}
