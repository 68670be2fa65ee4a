package dev.tendril.edge.adapter.out.ebpf;

import dev.tendril.edge.monitoring.latency.RttCounters;
import dev.tendril.edge.monitoring.latency.UserKey;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Byte layout of the eBPF map entries, as declared in {@code ebpf/src/main/c/tendril_rtt.h}
 * (host byte order):
 * <pre>
 * struct rtt_key   { u32 netns; u16 lport; u16 pad; u8 raddr[16]; }                       24 bytes
 * struct rtt_value { u64 last_seen_ns; u64 srtt_sum_us; u64 samples; u32 srtt_us; u32 min_rtt_us; } 32 bytes
 * </pre>
 */
final class RttMapLayout {
    static final int KEY_SIZE = 24;
    static final int VALUE_SIZE = 32;
    static final long NO_MIN_RTT = 0xffff_ffffL;

    private RttMapLayout() {
    }

    static ByteOrder order() {
        return ByteOrder.nativeOrder();
    }

    static UserKey decodeKey(ByteBuffer key) {
        ByteBuffer k = key.duplicate().order(order());
        long netns = Integer.toUnsignedLong(k.getInt(0));
        int port = Short.toUnsignedInt(k.getShort(4));
        byte[] address = new byte[16];
        k.position(8);
        k.get(address);
        try {
            // Java turns ::ffff:a.b.c.d into an Inet4Address by itself
            return new UserKey(netns, InetAddress.getByAddress(address), port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("16 bytes are always an address", e);
        }
    }

    static void encodeKey(UserKey user, ByteBuffer out) {
        ByteBuffer k = out.duplicate().order(order());
        k.putInt(0, (int) user.namespace());
        k.putShort(4, (short) user.port());
        k.putShort(6, (short) 0);
        byte[] raw = user.address().getAddress();
        byte[] address = new byte[16];
        if (raw.length == 4) {
            address[10] = (byte) 0xff;
            address[11] = (byte) 0xff;
            System.arraycopy(raw, 0, address, 12, 4);
        } else {
            System.arraycopy(raw, 0, address, 0, 16);
        }
        k.position(8);
        k.put(address);
    }

    static RttCounters decode(ByteBuffer key, ByteBuffer value) {
        ByteBuffer v = value.duplicate().order(order());
        long lastSeen = v.getLong(0);
        long sum = v.getLong(8);
        long samples = v.getLong(16);
        long srtt = Integer.toUnsignedLong(v.getInt(24));
        long min = Integer.toUnsignedLong(v.getInt(28));
        return new RttCounters(decodeKey(key), samples, sum, srtt, min == NO_MIN_RTT ? 0 : min, lastSeen);
    }
}
