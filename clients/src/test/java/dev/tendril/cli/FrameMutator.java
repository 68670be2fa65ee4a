package dev.tendril.cli;

import dev.tendril.protocol.codec.DecodeResult;
import dev.tendril.protocol.codec.FrameCodec;
import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.MessageId;
import dev.tendril.protocol.message.NodeInfo;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * Seeded mutations of valid frames ({@code [version][type][MessagePack envelope]}): bit flips,
 * truncation, inserted and spliced bytes, MessagePack length markers that declare up to 4 GiB,
 * random version/type bytes, deep nesting, random frames, envelope fields changed and
 * re-encoded (odd senders, services, ids and times, so the frame decodes and reaches the
 * policy and the handlers), exact replays of an earlier frame, frames padded by up to 64 KiB
 * and, about once in 22,000 frames, one just over the server's frame limit (the server drops
 * the connection; the client reconnects). Frames that still decode and name a node address outside 127.0.0.0/8 are never
 * returned (so no process is led to connect beyond loopback).
 */
final class FrameMutator {
    static final int KINDS = 11;
    private static final FrameCodec CODEC = FrameCodec.standard();
    private static final byte[][] HUGE = {
            {(byte) 0xdb, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xfe},
            {(byte) 0xc6, (byte) 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff},
            {(byte) 0xdd, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff},
            {(byte) 0xdf, (byte) 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff},
            {(byte) 0xc9, (byte) 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1},
            {(byte) 0xdc, (byte) 0xff, (byte) 0xff},
            {(byte) 0xda, (byte) 0xff, (byte) 0xff},
    };
    private static final String[] SENDERS = {"", "x", "fz-edge", "fz-fuzzer", "root-fz", "tendrilctl", "munich-1",
            "a\u0000b", "\u001b[31mred", "ä".repeat(200), "-".repeat(300)};
    private static final String[] SERVICES = {"", "web", "fz", "WEB", "web.", "a".repeat(64), "-bad", "ünicode", "x y"};

    private final SplittableRandom random;
    private final List<byte[]> seeds;
    private final String identity;
    private final int oversizedBytes;
    private final long[] byKind = new long[KINDS];
    private byte[] previous = new byte[] {1, 1};
    long filtered;

    /** {@code seeds}: valid frames; {@code identity}: the sender that most re-encoded frames claim. */
    FrameMutator(List<byte[]> seeds, String identity, int oversizedBytes, long seed) {
        this.random = new SplittableRandom(seed);
        this.seeds = List.copyOf(seeds);
        this.identity = identity;
        this.oversizedBytes = oversizedBytes;
    }

    /** The next mutated frame. */
    byte[] next() {
        for (int attempt = 0; ; attempt++) {
            byte[] f = seeds.get(random.nextInt(seeds.size())).clone();
            int rounds = random.nextInt(6) == 0 ? 2 + random.nextInt(3) : 1;
            for (int i = 0; i < rounds; i++) {
                int kind = random.nextInt(KINDS);
                byKind[kind]++;
                f = mutate(f, kind);
            }
            if (attempt < 20 && leavesLoopback(f)) {
                filtered++;
                continue;
            }
            previous = f;
            return f;
        }
    }

    /** A few frames sent as one multi-part ZeroMQ message. */
    List<byte[]> parts() {
        int n = random.nextInt(5) == 0 ? 0 : 2 + random.nextInt(4);
        List<byte[]> parts = new ArrayList<>();
        for (int i = 0; i < Math.max(2, n); i++) {
            parts.add(random.nextBoolean() ? next() : bytes(random.nextInt(40)));
        }
        if (n == 0) {
            parts.set(0, new byte[0]); // REQ-style [empty, payload] with a mutated payload
        }
        return parts;
    }

    SplittableRandom random() {
        return random;
    }

    long[] byKind() {
        return byKind.clone();
    }

    private byte[] mutate(byte[] f, int kind) {
        return switch (kind) {
            case 0, 1 -> flipBits(f);
            case 2 -> Arrays.copyOf(f, random.nextInt(f.length + 1));
            case 3 -> insert(f, random.nextBoolean() ? bytes(1 + random.nextInt(16)) : HUGE[random.nextInt(HUGE.length)]);
            case 4 -> header(f);
            case 5 -> bytes(random.nextInt(300));
            case 6 -> nested();
            case 7, 8 -> reEnvelope(f);
            case 9 -> previous.clone();
            default -> random.nextInt(2000) == 0 ? Arrays.copyOf(f, oversizedBytes + 1 + random.nextInt(1000))
                    : random.nextInt(100) == 0 ? Arrays.copyOf(f, f.length + random.nextInt(65_536)) : replaceWithMarker(f);
        };
    }

    private byte[] flipBits(byte[] f) {
        int n = 1 + random.nextInt(6);
        for (int i = 0; i < n && f.length > 0; i++) {
            f[random.nextInt(f.length)] ^= (byte) (1 << random.nextInt(8));
        }
        return f;
    }

    private byte[] insert(byte[] f, byte[] what) {
        int at = random.nextInt(f.length + 1);
        byte[] g = new byte[f.length + what.length];
        System.arraycopy(f, 0, g, 0, at);
        System.arraycopy(what, 0, g, at, what.length);
        System.arraycopy(f, at, g, at + what.length, f.length - at);
        return g;
    }

    private byte[] header(byte[] f) {
        if (f.length >= 2) {
            if (random.nextBoolean()) {
                f[0] = (byte) random.nextInt(4);
            } else {
                f[1] = (byte) random.nextInt(256);
            }
        }
        return f;
    }

    /** An envelope whose body nests arrays (or maps) far deeper than any reader goes. */
    private byte[] nested() {
        int depth = 20 + random.nextInt(2000);
        byte[] f = new byte[2 + 6 + depth];
        f[0] = 1;
        f[1] = (byte) random.nextInt(256);
        f[2] = (byte) 0x96; // the envelope struct of 6 fields
        f[3] = 0;
        f[4] = 0;
        f[5] = (byte) 0xa0;
        f[6] = (byte) 0xa0;
        f[7] = 0;
        byte marker = random.nextBoolean() ? (byte) 0x91 : (byte) 0x81;
        Arrays.fill(f, 8, f.length, marker);
        return f;
    }

    private byte[] replaceWithMarker(byte[] f) {
        if (f.length > 2) {
            f[2 + random.nextInt(f.length - 2)] = (byte) (0xc0 + random.nextInt(0x20));
        }
        return f;
    }

    /** Decodes and re-encodes with changed envelope fields; a frame that does not decode is flipped instead. */
    private byte[] reEnvelope(byte[] f) {
        if (!(CODEC.decode(f) instanceof DecodeResult.Decoded d)) {
            return flipBits(f);
        }
        Envelope e = d.envelope();
        MessageId id = random.nextInt(4) == 0 ? e.id() : new MessageId(random.nextLong(), random.nextLong());
        String service = random.nextBoolean() ? e.service() : SERVICES[random.nextInt(SERVICES.length)];
        String from = random.nextInt(3) > 0 ? identity : SENDERS[random.nextInt(SENDERS.length)];
        long sentAt = switch (random.nextInt(4)) {
            case 0 -> Long.MIN_VALUE;
            case 1 -> Long.MAX_VALUE;
            case 2 -> System.currentTimeMillis() - random.nextLong(1_000_000_000L);
            default -> System.currentTimeMillis();
        };
        try {
            return CODEC.encode(new Envelope(id, service, from, sentAt, e.body()));
        } catch (RuntimeException ex) {
            return f;
        }
    }

    private boolean leavesLoopback(byte[] f) {
        if (!(CODEC.decode(f) instanceof DecodeResult.Decoded d)) {
            return false;
        }
        boolean[] outside = {false};
        rewrite(d.envelope().body(), n -> {
            outside[0] |= !loopback(n.address());
            return n;
        });
        return outside[0];
    }

    static boolean loopback(String address) {
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Frames of these envelopes, with every node address inside the bodies moved to 127.0.0.77. */
    static List<byte[]> loopbackFrames(List<Envelope> envelopes) {
        List<byte[]> out = new ArrayList<>();
        for (Envelope e : envelopes) {
            Message body = (Message) rewrite(e.body(), n -> new NodeInfo(n.nodeId(), "127.0.0.77", n.position(), n.ports(),
                    n.overlayPort()));
            out.add(CODEC.encode(new Envelope(e.id(), e.service(), e.from(), e.sentAtMillis(), body)));
        }
        return out;
    }

    /** Applies {@code f} to every NodeInfo inside a message (records, lists, optionals), rebuilding what changed. */
    static Object rewrite(Object o, UnaryOperator<NodeInfo> f) {
        if (o instanceof NodeInfo n) {
            return f.apply(n);
        }
        if (o instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object x : list) {
                out.add(rewrite(x, f));
            }
            return out;
        }
        if (o instanceof Optional<?> opt) {
            return opt.map(x -> rewrite(x, f));
        }
        if (o instanceof Record r) {
            RecordComponent[] components = r.getClass().getRecordComponents();
            Object[] values = new Object[components.length];
            Class<?>[] types = new Class<?>[components.length];
            try {
                for (int i = 0; i < components.length; i++) {
                    components[i].getAccessor().setAccessible(true);
                    values[i] = rewrite(components[i].getAccessor().invoke(r), f);
                    types[i] = components[i].getType();
                }
                Constructor<?> c = r.getClass().getDeclaredConstructor(types);
                c.setAccessible(true);
                return c.newInstance(values);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot rebuild " + r.getClass(), e);
            }
        }
        return o;
    }

    byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) random.nextInt(256);
        }
        return b;
    }
}
