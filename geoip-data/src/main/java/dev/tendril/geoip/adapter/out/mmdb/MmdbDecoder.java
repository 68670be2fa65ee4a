package dev.tendril.geoip.adapter.out.mmdb;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads values of the MaxMind DB data-section encoding in place, by offset, without copying:
 * finds a key in a map, reads a number or a string, skips what is not wanted. Offsets are
 * relative to {@code base} (the data section, or the metadata start); pointers are followed.
 * Uses only absolute reads of the buffer, so one instance may serve many threads.
 * A malformed value throws {@link MmdbFormatException}.
 */
public final class MmdbDecoder {
    static final int POINTER = 1;
    static final int UTF8_STRING = 2;
    static final int DOUBLE = 3;
    static final int BYTES = 4;
    static final int UINT16 = 5;
    static final int UINT32 = 6;
    static final int MAP = 7;
    static final int INT32 = 8;
    static final int UINT64 = 9;
    static final int UINT128 = 10;
    static final int ARRAY = 11;
    static final int BOOLEAN = 14;
    static final int FLOAT = 15;

    private static final int MAX_DEPTH = 64;

    private final ByteBuffer buf;
    private final int base;
    private final int limit;

    /** @param limit absolute end of the readable region */
    MmdbDecoder(ByteBuffer buf, int base, int limit) {
        this.buf = buf;
        this.base = base;
        this.limit = limit;
    }

    /** Control information of the value at a relative offset: type, size and where its payload starts. */
    private long control(int offset) {
        int pos = base + offset;
        int ctrl = u8(pos++);
        int type = ctrl >>> 5;
        if (type == POINTER) {
            return pack(POINTER, 0, pos);
        }
        if (type == 0) {
            type = 7 + u8(pos++);
            if (type < 8 || type > 15) {
                throw new MmdbFormatException("unknown extended type " + type + " at data offset " + offset);
            }
        }
        int size = ctrl & 0x1f;
        if (size == 29) {
            size = 29 + u8(pos++);
        } else if (size == 30) {
            size = 285 + (u8(pos) << 8 | u8(pos + 1));
            pos += 2;
        } else if (size == 31) {
            size = 65821 + (u8(pos) << 16 | u8(pos + 1) << 8 | u8(pos + 2));
            pos += 3;
        }
        return pack(type, size, pos);
    }

    private static long pack(int type, int size, int payload) {
        return ((long) type << 56) | ((long) size << 32) | (payload & 0xffffffffL);
    }

    private static int type(long c) {
        return (int) (c >>> 56);
    }

    private static int size(long c) {
        return (int) ((c >>> 32) & 0xffffff);
    }

    private static int payload(long c) {
        return (int) c;
    }

    /** The offset of the value itself: follows a pointer, if the value at {@code offset} is one. */
    public int resolve(int offset) {
        int pos = base + offset;
        int ctrl = u8(pos);
        if (ctrl >>> 5 != POINTER) {
            return offset;
        }
        int ss = (ctrl >>> 3) & 3;
        int v = ctrl & 7;
        int p = pos + 1;
        int target = switch (ss) {
            case 0 -> (v << 8 | u8(p));
            case 1 -> ((v << 16 | u8(p) << 8 | u8(p + 1)) + 2048);
            case 2 -> ((v << 24 | u8(p) << 16 | u8(p + 1) << 8 | u8(p + 2)) + 526336);
            default -> buf.getInt(need(p, 4));
        };
        if (target < 0 || base + target >= limit) {
            throw new MmdbFormatException("pointer at data offset " + offset + " leads outside the data section");
        }
        return target;
    }

    /** The offset just after the value at {@code offset} (a pointer is not followed). */
    public int skip(int offset) {
        return skip(offset, 0);
    }

    private int skip(int offset, int depth) {
        if (depth > MAX_DEPTH) {
            throw new MmdbFormatException("values nested deeper than " + MAX_DEPTH);
        }
        long c = control(offset);
        int pos = payload(c);
        int size = size(c);
        switch (type(c)) {
            case POINTER -> {
                int ss = (u8(base + offset) >>> 3) & 3;
                return pos + ss + 1 - base;
            }
            case MAP -> {
                int at = pos - base;
                for (int i = 0; i < size * 2; i++) {
                    at = skip(at, depth + 1);
                }
                return at;
            }
            case ARRAY -> {
                int at = pos - base;
                for (int i = 0; i < size; i++) {
                    at = skip(at, depth + 1);
                }
                return at;
            }
            case BOOLEAN -> {
                return pos - base;
            }
            case DOUBLE -> {
                return pos + 8 - base;
            }
            case FLOAT -> {
                return pos + 4 - base;
            }
            default -> {
                return pos + size - base;
            }
        }
    }

    /** The value offset for {@code key} in the map at {@code offset}, or -1 (also when it is no map). */
    public int find(int offset, byte[] key) {
        long c = control(resolve(offset));
        if (type(c) != MAP) {
            return -1;
        }
        int at = payload(c) - base;
        for (int i = 0; i < size(c); i++) {
            boolean match = keyEquals(at, key);
            at = skip(at);
            if (match) {
                return at;
            }
            at = skip(at);
        }
        return -1;
    }

    /** {@code find} along a path of keys; -1 when any step is missing. */
    public int find(int offset, byte[]... path) {
        int at = offset;
        for (byte[] key : path) {
            at = find(at, key);
            if (at < 0) {
                return -1;
            }
        }
        return at;
    }

    private boolean keyEquals(int offset, byte[] key) {
        long c = control(resolve(offset));
        if (type(c) != UTF8_STRING || size(c) != key.length) {
            return false;
        }
        int pos = need(payload(c), key.length);
        for (int i = 0; i < key.length; i++) {
            if (buf.get(pos + i) != key[i]) {
                return false;
            }
        }
        return true;
    }

    /** The number at {@code offset} (double, float or integer types), or NaN when it is not a number or absent. */
    public double number(int offset) {
        if (offset < 0) {
            return Double.NaN;
        }
        long c = control(resolve(offset));
        int pos = payload(c);
        return switch (type(c)) {
            case DOUBLE -> buf.getDouble(need(pos, 8));
            case FLOAT -> buf.getFloat(need(pos, 4));
            case UINT16, UINT32, INT32, UINT64 -> unsigned(pos, size(c));
            default -> Double.NaN;
        };
    }

    /** The string at {@code offset}, or "" when it is not a string or absent. */
    public String string(int offset) {
        if (offset < 0) {
            return "";
        }
        long c = control(resolve(offset));
        if (type(c) != UTF8_STRING) {
            return "";
        }
        byte[] bytes = new byte[size(c)];
        buf.get(need(payload(c), bytes.length), bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Any value as plain Java objects (Map, List, String, Long, Double, ...): for the small metadata map. */
    Object value(int offset) {
        return value(offset, 0);
    }

    private Object value(int offset, int depth) {
        if (depth > MAX_DEPTH) {
            throw new MmdbFormatException("values nested deeper than " + MAX_DEPTH);
        }
        long c = control(resolve(offset));
        int pos = payload(c);
        int size = size(c);
        switch (type(c)) {
            case UTF8_STRING:
                return string(offset);
            case DOUBLE:
                return buf.getDouble(need(pos, 8));
            case FLOAT:
                return buf.getFloat(need(pos, 4));
            case BOOLEAN:
                return size != 0;
            case UINT16, UINT32, INT32, UINT64:
                return (long) unsigned(pos, size);
            case MAP: {
                Map<String, Object> map = new LinkedHashMap<>();
                int at = pos - base;
                for (int i = 0; i < size; i++) {
                    Object key = value(at, depth + 1);
                    at = skip(at);
                    map.put(String.valueOf(key), value(at, depth + 1));
                    at = skip(at);
                }
                return map;
            }
            case ARRAY: {
                List<Object> list = new ArrayList<>();
                int at = pos - base;
                for (int i = 0; i < size; i++) {
                    list.add(value(at, depth + 1));
                    at = skip(at);
                }
                return list;
            }
            default: {
                byte[] bytes = new byte[size];
                buf.get(need(pos, size), bytes);
                return bytes;
            }
        }
    }

    private long unsigned(int pos, int size) {
        if (size > 8) {
            throw new MmdbFormatException("integer of " + size + " bytes");
        }
        long v = 0;
        for (int i = 0; i < size; i++) {
            v = v << 8 | u8(pos + i);
        }
        return v;
    }

    private int need(int pos, int length) {
        if (pos < 0 || length < 0 || pos + (long) length > limit) {
            throw new MmdbFormatException("value runs past the end of its section at " + pos);
        }
        return pos;
    }

    private int u8(int pos) {
        if (pos < 0 || pos >= limit) {
            throw new MmdbFormatException("value runs past the end of its section at " + pos);
        }
        return buf.get(pos) & 0xff;
    }
}
