package dev.tendril.geoip.adapter.out.mmdb;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small reader of MaxMind DB files (format 2.x) for the lookup path: walks the search tree
 * and hands out offsets into the data section, which {@link #decoder()} reads in place. A
 * lookup allocates nothing and takes no lock; the file is memory-mapped read-only (or a byte
 * array is wrapped) and only read with absolute reads, so one reader serves every thread.
 *
 * <p>Written from the public spec, like {@link MmdbWriter}; checked against MaxMind's own
 * readers on the fixtures and on the public databases (docs/geoip.md).
 */
public final class MmdbReader {
    private static final byte[] MARKER = {(byte) 0xAB, (byte) 0xCD, (byte) 0xEF,
        'M', 'a', 'x', 'M', 'i', 'n', 'd', '.', 'c', 'o', 'm'};
    private static final int METADATA_SEARCH = 128 * 1024;

    /** Returned by {@link #find} for an address without data (combine with the prefix length). */
    public static final int NO_DATA = -1;

    private final ByteBuffer buf;
    private final MmdbMetadata metadata;
    private final int nodeCount;
    private final int recordSize;
    private final int nodeBytes;
    private final int ipv4Start;
    private final MmdbDecoder decoder;

    private MmdbReader(ByteBuffer buf) {
        this.buf = buf;
        int markerAt = findMarker(buf);
        int metaStart = markerAt + MARKER.length;
        this.metadata = readMetadata(new MmdbDecoder(buf, metaStart, buf.limit()));
        if (metadata.nodeCount() <= 0 || metadata.nodeCount() > Integer.MAX_VALUE / 8) {
            throw new MmdbFormatException("node_count " + metadata.nodeCount() + " is out of range");
        }
        if (metadata.recordSize() != 24 && metadata.recordSize() != 28 && metadata.recordSize() != 32) {
            throw new MmdbFormatException("record_size " + metadata.recordSize() + " is not 24, 28 or 32");
        }
        if (metadata.ipVersion() != 4 && metadata.ipVersion() != 6) {
            throw new MmdbFormatException("ip_version " + metadata.ipVersion() + " is not 4 or 6");
        }
        this.nodeCount = (int) metadata.nodeCount();
        this.recordSize = metadata.recordSize();
        this.nodeBytes = recordSize / 4;
        long treeSize = (long) nodeCount * nodeBytes;
        if (treeSize + 16 > markerAt) {
            throw new MmdbFormatException("search tree of " + nodeCount + " nodes does not fit before the metadata");
        }
        int dataStart = (int) treeSize + 16;
        this.decoder = new MmdbDecoder(buf, dataStart, markerAt);
        int node = 0;
        if (metadata.ipVersion() == 6) {
            for (int i = 0; i < 96 && node < nodeCount; i++) {
                node = readNode(node, 0);
            }
        }
        this.ipv4Start = node;
    }

    /** Maps {@code file} read-only. Throws IOException when unreadable, MmdbFormatException when not an mmdb. */
    public static MmdbReader open(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) {
                throw new MmdbFormatException("files over 2 GiB are not supported (" + size + " bytes)");
            }
            return new MmdbReader(ch.map(FileChannel.MapMode.READ_ONLY, 0, size));
        }
    }

    /** Reads a database held in memory. */
    public static MmdbReader of(byte[] bytes) {
        return new MmdbReader(ByteBuffer.wrap(bytes).asReadOnlyBuffer());
    }

    public MmdbMetadata metadata() {
        return metadata;
    }

    /** Reads values of the data section at the offsets {@link #find} returns. */
    public MmdbDecoder decoder() {
        return decoder;
    }

    /**
     * Walks the tree for {@code address} (4 or 16 bytes). Returns {@code (dataOffset << 8) |
     * prefixLength}: the data offset is {@link #NO_DATA} when the network has no record; the
     * prefix length counts the address's own bits (an IPv4 address in an IPv6 tree starts at
     * {@code ::/96}, so its prefix is 0-32). An IPv6 address in an IPv4 database has no data
     * (prefix 0).
     */
    public long find(byte[] address) {
        int bits = address.length * 8;
        if (bits == 128 && metadata.ipVersion() == 4) {
            return result(NO_DATA, 0);
        }
        int node = bits == 32 && metadata.ipVersion() == 6 ? ipv4Start : 0;
        int depth = 0;
        while (depth < bits && node < nodeCount) {
            int bit = (address[depth >> 3] >> (7 - (depth & 7))) & 1;
            node = readNode(node, bit);
            depth++;
        }
        if (node == nodeCount) {
            return result(NO_DATA, depth);
        }
        if (node < nodeCount) {
            throw new MmdbFormatException("search tree deeper than " + bits + " bits");
        }
        long offset = (long) node - nodeCount - 16;
        if (offset < 0 || offset > Integer.MAX_VALUE) {
            throw new MmdbFormatException("record " + node + " points outside the data section");
        }
        return result((int) offset, depth);
    }

    private static long result(int offset, int prefix) {
        return ((long) offset << 8) | prefix;
    }

    /** The data offset of a {@link #find} result, or {@link #NO_DATA}. */
    public static int offsetOf(long found) {
        return (int) (found >> 8);
    }

    /** The prefix length of a {@link #find} result. */
    public static int prefixOf(long found) {
        return (int) (found & 0xff);
    }

    private int readNode(int node, int side) {
        int at = node * nodeBytes;
        switch (recordSize) {
            case 24: {
                int p = at + side * 3;
                return (u8(p) << 16) | (u8(p + 1) << 8) | u8(p + 2);
            }
            case 28: {
                int middle = u8(at + 3);
                if (side == 0) {
                    return ((middle & 0xf0) << 20) | (u8(at) << 16) | (u8(at + 1) << 8) | u8(at + 2);
                }
                return ((middle & 0x0f) << 24) | (u8(at + 4) << 16) | (u8(at + 5) << 8) | u8(at + 6);
            }
            default: {
                long v = buf.getInt(at + side * 4) & 0xffffffffL;
                if (v > Integer.MAX_VALUE) {
                    throw new MmdbFormatException("record value " + v + " out of range");
                }
                return (int) v;
            }
        }
    }

    private int u8(int pos) {
        return buf.get(pos) & 0xff;
    }

    private static int findMarker(ByteBuffer buf) {
        int end = buf.limit();
        int from = Math.max(0, end - METADATA_SEARCH);
        for (int i = end - MARKER.length; i >= from; i--) {
            boolean match = true;
            for (int j = 0; j < MARKER.length && match; j++) {
                match = buf.get(i + j) == MARKER[j];
            }
            if (match) {
                return i;
            }
        }
        throw new MmdbFormatException("no MaxMind DB metadata marker in the last " + METADATA_SEARCH + " bytes");
    }

    private static MmdbMetadata readMetadata(MmdbDecoder d) {
        if (!(d.value(0) instanceof Map<?, ?> m)) {
            throw new MmdbFormatException("metadata is not a map");
        }
        List<String> languages = new ArrayList<>();
        if (m.get("languages") instanceof List<?> l) {
            l.forEach(x -> languages.add(String.valueOf(x)));
        }
        Map<String, String> description = new LinkedHashMap<>();
        if (m.get("description") instanceof Map<?, ?> desc) {
            desc.forEach((k, v) -> description.put(String.valueOf(k), String.valueOf(v)));
        }
        return new MmdbMetadata(
                m.get("database_type") instanceof String t ? t : "",
                (int) number(m, "ip_version"), number(m, "node_count"), (int) number(m, "record_size"),
                m.get("build_epoch") instanceof Long e ? e : 0L, languages, description);
    }

    private static long number(Map<?, ?> m, String key) {
        if (m.get(key) instanceof Long v) {
            return v;
        }
        throw new MmdbFormatException("metadata lacks the number " + key);
    }
}
