package dev.tendril.root.adapter.in.dns;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The XDP program that hands the DNS queries of one interface to AF_XDP sockets: an untagged
 * IPv4 frame with a 20-byte header, not a fragment, UDP to the DNS port (and to the bound
 * address, unless it is the wildcard) goes to the socket of the queue it arrived on; every
 * other frame, and a query on a queue without a socket, goes on to the kernel as before.
 *
 * <p>The program is eBPF assembled here (25 instructions, 27 with an address; the bytes are in {@link #program}),
 * loaded with {@code bpf(BPF_PROG_LOAD)} and attached with a BPF link
 * ({@code BPF_LINK_CREATE}, Linux 5.9 and later) in the driver's mode where the driver has
 * one, else the generic mode. A link lives as long as its descriptor: when the root exits,
 * however it exits, the kernel detaches the program, and the port is the kernel's again.
 * Where another program is attached to the interface, the kernel refuses (EBUSY), named in
 * the exception.
 */
final class XdpRedirect implements AutoCloseable {
    private static final int BPF_MAP_CREATE = 0;
    private static final int BPF_MAP_UPDATE_ELEM = 2;
    private static final int BPF_PROG_LOAD = 5;
    private static final int BPF_LINK_CREATE = 28;
    private static final int BPF_MAP_TYPE_XSKMAP = 17;
    private static final int BPF_PROG_TYPE_XDP = 6;
    private static final int BPF_XDP = 37;
    private static final int XDP_PASS = 2;
    private static final int HELPER_REDIRECT_MAP = 51;
    private static final int LOG_SIZE = 64 * 1024;

    private final int mapFd;
    private final int programFd;
    private final int linkFd;
    private boolean closed;

    private XdpRedirect(int mapFd, int programFd, int linkFd) {
        this.mapFd = mapFd;
        this.programFd = programFd;
        this.linkFd = linkFd;
    }

    /**
     * Loads the program for UDP to {@code port} at {@code address} (IPv4, network order in
     * the int's bytes; 0 = any address) with a map of {@code queues} sockets, and attaches it to
     * the interface {@code ifindex}. Throws IOException naming the call and the kernel's error
     * (for a refused program, the verifier's log); nothing stays open then.
     */
    static XdpRedirect attach(int ifindex, int address, int port, int queues) throws IOException {
        int map = createMap(queues);
        int program = -1;
        try {
            program = load(program(address, port, map));
            ByteBuffer link = XdpNative.buffer(64);
            link.putInt(0, program).putInt(4, ifindex).putInt(8, BPF_XDP).putInt(12, 0);
            int linkFd = XdpNative.bpf(BPF_LINK_CREATE, link, "bpf(BPF_LINK_CREATE) of the XDP program to interface " + ifindex);
            return new XdpRedirect(map, program, linkFd);
        } catch (IOException | RuntimeException e) {
            if (program >= 0) {
                XdpNative.libc().close(program);
            }
            XdpNative.libc().close(map);
            throw e;
        }
    }

    /** Sends the queries of queue {@code queue} to the AF_XDP socket {@code socketFd}. */
    void route(int queue, int socketFd) throws IOException {
        ByteBuffer key = XdpNative.buffer(4).putInt(0, queue);
        ByteBuffer value = XdpNative.buffer(4).putInt(0, socketFd);
        ByteBuffer attr = XdpNative.buffer(32);
        attr.putInt(0, mapFd).putLong(8, XdpNative.address(key)).putLong(16, XdpNative.address(value)).putLong(24, 0);
        XdpNative.bpf(BPF_MAP_UPDATE_ELEM, attr, "bpf(BPF_MAP_UPDATE_ELEM) of queue " + queue);
    }

    private static int createMap(int entries) throws IOException {
        ByteBuffer attr = XdpNative.buffer(72);
        attr.putInt(0, BPF_MAP_TYPE_XSKMAP).putInt(4, 4).putInt(8, 4).putInt(12, entries);
        putName(attr, 28, "tendril_dns_xsk"); // map_name follows numa_node
        return XdpNative.bpf(BPF_MAP_CREATE, attr, "bpf(BPF_MAP_CREATE) of an XSKMAP");
    }

    private static int load(ByteBuffer instructions) throws IOException {
        ByteBuffer license = XdpNative.buffer(8).put(0, (byte) 'G').put(1, (byte) 'P').put(2, (byte) 'L');
        ByteBuffer log = XdpNative.buffer(LOG_SIZE);
        ByteBuffer attr = XdpNative.buffer(128);
        attr.putInt(0, BPF_PROG_TYPE_XDP).putInt(4, instructions.capacity() / 8).putLong(8, XdpNative.address(instructions));
        attr.putLong(16, XdpNative.address(license)).putInt(24, 1).putInt(28, LOG_SIZE).putLong(32, XdpNative.address(log));
        putName(attr, 48, "tendril_dns");
        attr.putInt(68, BPF_XDP); // expected attach type
        try {
            return XdpNative.bpf(BPF_PROG_LOAD, attr, "bpf(BPF_PROG_LOAD) of the XDP program");
        } catch (IOException e) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < LOG_SIZE && log.get(i) != 0; i++) {
                text.append((char) log.get(i));
            }
            throw new IOException(e.getMessage() + (text.length() == 0 ? "" : "; verifier: " + text.toString().strip()), e);
        }
    }

    private static void putName(ByteBuffer attr, int at, String name) {
        for (int i = 0; i < name.length() && i < 15; i++) {
            attr.put(at + i, (byte) name.charAt(i));
        }
    }

    /**
     * The program's instructions for UDP to {@code port} at {@code address} (0: any), redirecting
     * to the XSKMAP {@code mapFd} by receive queue (a {@code struct bpf_insn[]}, native order).
     */
    static ByteBuffer program(int address, int port, int mapFd) {
        Assembler a = new Assembler();
        a.mov(6, 1);                          // r6 = ctx
        a.load(4, 2, 6, 0);                   // r2 = ctx->data
        a.load(4, 3, 6, 4);                   // r3 = ctx->data_end
        a.mov(4, 2);
        a.add(4, XdpFrames.HEADERS);          // the packet must hold all three headers
        a.jumpIfGreater(4, 3, "pass");
        a.load(2, 5, 2, 12);                  // ethertype
        a.jumpIfNot(5, swap16(0x0800), "pass");
        a.load(1, 5, 2, 14);                  // version and header length: 20 bytes, no options
        a.jumpIfNot(5, 0x45, "pass");
        a.load(1, 5, 2, 23);                  // protocol
        a.jumpIfNot(5, 17, "pass");
        a.load(2, 5, 2, 20);                  // flags and fragment offset
        a.and(5, swap16(0x3FFF));             // more fragments, or an offset: a fragment
        a.jumpIfNot(5, 0, "pass");
        a.load(2, 5, 2, 36);                  // UDP destination port
        a.jumpIfNot(5, swap16(port), "pass");
        if (address != 0) {
            a.load(4, 5, 2, 30);              // IPv4 destination address
            a.jump32IfNot(5, Integer.reverseBytes(address), "pass");
        }
        a.load(4, 2, 6, 16);                  // r2 = ctx->rx_queue_index: the map's key
        a.loadMap(1, mapFd);
        a.movImm(3, XDP_PASS);                // no socket for the queue: on to the kernel
        a.call(HELPER_REDIRECT_MAP);
        a.exit();
        a.label("pass");
        a.movImm(0, XDP_PASS);
        a.exit();
        return a.assemble();
    }

    /** A 16-bit value in network order as a little-endian load of it reads. */
    private static int swap16(int v) {
        return ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN ? v : ((v & 0xFF) << 8) | ((v >>> 8) & 0xFF);
    }

    /** Detaches the program (closing the link) and closes the map and program. Safe to call twice. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            XdpNative.LibC c = XdpNative.libc();
            c.close(linkFd);
            c.close(programFd);
            c.close(mapFd);
        } catch (IOException e) {
            throw new IllegalStateException("libc was bound when the program was attached", e);
        }
    }

    /** Just enough of an eBPF assembler for the program above: forward jumps to labels, resolved at the end. */
    static final class Assembler {
        private final java.util.List<long[]> code = new java.util.ArrayList<>(); // {opcode, dst, src, off, imm}
        private final java.util.Map<String, Integer> labels = new java.util.HashMap<>();
        private final java.util.Map<Integer, String> jumps = new java.util.HashMap<>();

        private void emit(int opcode, int dst, int src, int off, int imm) {
            code.add(new long[]{opcode, dst, src, off, imm});
        }

        void mov(int dst, int src) { emit(0xbf, dst, src, 0, 0); }

        void movImm(int dst, int imm) { emit(0xb7, dst, 0, 0, imm); }

        void add(int dst, int imm) { emit(0x07, dst, 0, 0, imm); }

        void and(int dst, int imm) { emit(0x57, dst, 0, 0, imm); }

        /** dst = *(size bytes *)(src + off), size 1, 2 or 4. */
        void load(int size, int dst, int src, int off) {
            int opcode = switch (size) {
                case 1 -> 0x71;
                case 2 -> 0x69;
                case 4 -> 0x61;
                default -> throw new IllegalArgumentException("load of " + size + " bytes");
            };
            emit(opcode, dst, src, off, 0);
        }

        void jumpIfGreater(int dst, int src, String label) { jump(0x2d, dst, src, 0, label); }

        void jumpIfNot(int dst, int imm, String label) { jump(0x55, dst, 0, imm, label); }

        /** A 32-bit comparison: an immediate is sign-extended in the 64-bit one. */
        void jump32IfNot(int dst, int imm, String label) { jump(0x56, dst, 0, imm, label); }

        private void jump(int opcode, int dst, int src, int imm, String label) {
            jumps.put(code.size(), label);
            emit(opcode, dst, src, 0, imm);
        }

        /** dst = the map {@code fd} (a 64-bit immediate with the map-descriptor marker, two slots). */
        void loadMap(int dst, int fd) {
            emit(0x18, dst, 1, 0, fd);
            emit(0, 0, 0, 0, 0);
        }

        void call(int helper) { emit(0x85, 0, 0, 0, helper); }

        void exit() { emit(0x95, 0, 0, 0, 0); }

        void label(String name) { labels.put(name, code.size()); }

        ByteBuffer assemble() {
            ByteBuffer out = XdpNative.buffer(code.size() * 8);
            for (int i = 0; i < code.size(); i++) {
                long[] c = code.get(i);
                int off = (int) c[3];
                String target = jumps.get(i);
                if (target != null) {
                    Integer at = labels.get(target);
                    if (at == null) {
                        throw new IllegalStateException("no label " + target);
                    }
                    off = at - i - 1;
                }
                out.put(i * 8, (byte) c[0]);
                out.put(i * 8 + 1, (byte) ((c[2] << 4) | c[1]));
                out.putShort(i * 8 + 2, (short) off);
                out.putInt(i * 8 + 4, (int) c[4]);
            }
            return out;
        }
    }
}
