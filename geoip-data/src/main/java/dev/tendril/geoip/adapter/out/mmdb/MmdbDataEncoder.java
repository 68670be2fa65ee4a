package dev.tendril.geoip.adapter.out.mmdb;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes values in the MaxMind DB data-section encoding (MaxMind DB format spec 2.0,
 * "Output Data Section"): a control byte holding the type in its top three bits and a
 * size in its low five bits, extended types in a following byte, long sizes in up to
 * three more bytes, then the payload, big-endian.
 *
 * <p>The caller writes a map as {@link #map(int)} followed by that many key/value pairs,
 * an array as {@link #array(int)} followed by its elements. Pointers are not written:
 * the writer deduplicates whole records instead, which keeps this encoder simple.
 */
final class MmdbDataEncoder {
    // standard types (3 bits)
    private static final int UTF8_STRING = 2;
    private static final int DOUBLE = 3;
    private static final int UINT16 = 5;
    private static final int UINT32 = 6;
    private static final int MAP = 7;
    // extended types (control type 0, next byte = type - 7)
    private static final int UINT64 = 9;
    private static final int ARRAY = 11;
    private static final int BOOLEAN = 14;
    private static final int FLOAT = 15;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    MmdbDataEncoder map(int pairs) {
        control(MAP, pairs);
        return this;
    }

    MmdbDataEncoder array(int elements) {
        control(ARRAY, elements);
        return this;
    }

    MmdbDataEncoder string(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        control(UTF8_STRING, bytes.length);
        out.writeBytes(bytes);
        return this;
    }

    MmdbDataEncoder doubleValue(double value) {
        control(DOUBLE, 8);
        bigEndian(Double.doubleToLongBits(value), 8);
        return this;
    }

    MmdbDataEncoder floatValue(float value) {
        control(FLOAT, 4);
        bigEndian(Float.floatToIntBits(value) & 0xffffffffL, 4);
        return this;
    }

    MmdbDataEncoder uint16(int value) {
        if (value < 0 || value > 0xffff) {
            throw new IllegalArgumentException("uint16 out of range: " + value);
        }
        unsigned(UINT16, value);
        return this;
    }

    MmdbDataEncoder uint32(long value) {
        if (value < 0 || value > 0xffffffffL) {
            throw new IllegalArgumentException("uint32 out of range: " + value);
        }
        unsigned(UINT32, value);
        return this;
    }

    MmdbDataEncoder uint64(long value) {
        if (value < 0) {
            throw new IllegalArgumentException("uint64 written from a non-negative long, got " + value);
        }
        unsigned(UINT64, value);
        return this;
    }

    MmdbDataEncoder bool(boolean value) {
        control(BOOLEAN, value ? 1 : 0);
        return this;
    }

    /**
     * A pointer to the value at {@code target} (an offset in the data section), in the smallest
     * of the four pointer sizes. The writer does not use pointers; tests do, to check readers.
     */
    MmdbDataEncoder pointer(long target) {
        int pointer = 1 << 5;
        if (target < 2048) {
            out.write(pointer | (int) (target >>> 8));
            bigEndian(target, 1);
        } else if (target < 2048 + (1 << 19)) {
            long v = target - 2048;
            out.write(pointer | 1 << 3 | (int) (v >>> 16));
            bigEndian(v, 2);
        } else if (target < 526336 + (1L << 27)) {
            long v = target - 526336;
            out.write(pointer | 2 << 3 | (int) (v >>> 24));
            bigEndian(v, 3);
        } else {
            out.write(pointer | 3 << 3);
            bigEndian(target, 4);
        }
        return this;
    }

    /** Raw bytes (for padding in tests). */
    MmdbDataEncoder raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    int size() {
        return out.size();
    }

    /** The bytes written so far. */
    byte[] toByteArray() {
        return out.toByteArray();
    }

    /** Unsigned integers are written in as few bytes as hold the value (zero in none). */
    private void unsigned(int type, long value) {
        int bytes = (64 - Long.numberOfLeadingZeros(value) + 7) / 8;
        control(type, bytes);
        bigEndian(value, bytes);
    }

    private void control(int type, int size) {
        if (size < 0 || size > 65821 + 0xffffff) {
            throw new IllegalArgumentException("size out of range: " + size);
        }
        int sizeBits;
        int extra;
        int extraBytes;
        if (size < 29) {
            sizeBits = size;
            extra = 0;
            extraBytes = 0;
        } else if (size < 285) {
            sizeBits = 29;
            extra = size - 29;
            extraBytes = 1;
        } else if (size < 65821) {
            sizeBits = 30;
            extra = size - 285;
            extraBytes = 2;
        } else {
            sizeBits = 31;
            extra = size - 65821;
            extraBytes = 3;
        }
        if (type <= 7) {
            out.write((type << 5) | sizeBits);
        } else {
            out.write(sizeBits);
            out.write(type - 7);
        }
        bigEndian(extra, extraBytes);
    }

    private void bigEndian(long value, int bytes) {
        for (int i = bytes - 1; i >= 0; i--) {
            out.write((int) (value >>> (8 * i)) & 0xff);
        }
    }
}
