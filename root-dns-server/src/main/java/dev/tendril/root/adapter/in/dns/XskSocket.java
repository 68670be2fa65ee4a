package dev.tendril.root.adapter.in.dns;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.locks.LockSupport;

/**
 * An AF_XDP socket on one receive queue of one interface, in copy mode: frames the XDP program
 * redirects arrive in a ring shared with the kernel, without a system call per batch, and
 * answers leave through another ring and one {@code sendto} kick per batch, past the kernel's
 * UDP, IP and routing layers. Its memory ("UMEM", {@link #FRAMES} frames of {@link #FRAME}
 * bytes) holds every frame in flight; four rings pass frame addresses between the kernel and
 * this socket (fill: free frames for the kernel to receive into; RX: received frames; TX:
 * frames to send; completion: sent frames, free again).
 *
 * <p>One thread uses a socket ({@link #receive}, {@link #reply}, {@link #drop}, {@link #flush});
 * {@link #wake} may be called from any thread. The producer and consumer indices are read with
 * acquire and written with release semantics, as the kernel's side does.
 */
final class XskSocket implements AutoCloseable {
    /** Frame size: one page, the largest the kernel takes in aligned mode. */
    static final int FRAME = 4096;
    /** Frames in the socket's memory (4 MiB). */
    static final int FRAMES = 1024;
    /** Frames read per {@link #receive} at most. */
    static final int BATCH = 64;
    private static final int RING = 512;         // RX and TX entries
    private static final int FILL_RING = FRAMES;  // fill and completion: every frame fits
    private static final int DESC = 16;           // struct xdp_desc {u64 addr; u32 len; u32 options}

    private static final int AF_XDP = 44;
    private static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_XDP = 283;
    private static final int XDP_MMAP_OFFSETS = 1;
    private static final int XDP_RX_RING = 2;
    private static final int XDP_TX_RING = 3;
    private static final int XDP_UMEM_REG = 4;
    private static final int XDP_UMEM_FILL_RING = 5;
    private static final int XDP_UMEM_COMPLETION_RING = 6;
    private static final int XDP_STATISTICS = 7;
    private static final int XDP_COPY = 1 << 1;
    private static final long PGOFF_RX = 0;
    private static final long PGOFF_TX = 0x80000000L;
    private static final long PGOFF_FILL = 0x100000000L;
    private static final long PGOFF_COMPLETION = 0x180000000L;
    private static final int MAP_SHARED_POPULATE = 0x01 | 0x8000;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int POLLIN = 0x1;
    private static final int EFD_CLOEXEC = 0x80000;
    private static final long BIND_BUSY_MILLIS = 2000;
    private static final int KICKS = 8; // the kernel sends 32 frames per kick in copy mode: a batch needs at most 2

    private static final VarHandle INDEX = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    /** One ring mapped from the socket: its indices and descriptors, and the local copy of the index this side moves. */
    private static final class Ring {
        final ByteBuffer map;
        final long address;
        final long length;
        final int producer;
        final int consumer;
        final int descriptors;
        final int mask;
        int cached; // producer (fill, TX) or consumer (RX, completion) of this side

        Ring(ByteBuffer map, long address, long length, ByteBuffer offsets, int at, int entries) {
            this.map = map;
            this.address = address;
            this.length = length;
            this.producer = (int) offsets.getLong(at);
            this.consumer = (int) offsets.getLong(at + 8);
            this.descriptors = (int) offsets.getLong(at + 16);
            this.mask = entries - 1;
        }

        int producer() {
            return (int) INDEX.getAcquire(map, producer);
        }

        int consumer() {
            return (int) INDEX.getAcquire(map, consumer);
        }

        void publishProducer(int value) {
            INDEX.setRelease(map, producer, value);
        }

        void publishConsumer(int value) {
            INDEX.setRelease(map, consumer, value);
        }
    }

    private final XdpNative.LibC libc;
    private final int fd;
    private final int wakeFd;
    private final String name;
    private final ByteBuffer umem;         // big-endian: frames are network order
    private final Ring rx;
    private final Ring tx;
    private final Ring fill;
    private final Ring completion;
    private final ByteBuffer scratch = XdpNative.buffer(64);
    private final long scratchAddress = XdpNative.address(scratch);
    private final long[] received = new long[BATCH]; // addresses of the frames of the last receive
    private final int[] lengths = new int[BATCH];
    private int count;
    private int queuedTx;
    private long sendFailures;
    private volatile boolean woken;
    private boolean released;

    private XskSocket(XdpNative.LibC libc, int fd, int wakeFd, String name, ByteBuffer umem, Ring rx, Ring tx, Ring fill,
                      Ring completion) {
        this.libc = libc;
        this.fd = fd;
        this.wakeFd = wakeFd;
        this.name = name;
        this.umem = umem;
        this.rx = rx;
        this.tx = tx;
        this.fill = fill;
        this.completion = completion;
    }

    /**
     * A socket bound to queue {@code queue} of interface {@code ifindex} ({@code name} for
     * messages), every frame given to the kernel to receive into. Throws IOException naming the
     * call that failed; nothing stays open then.
     */
    static XskSocket open(int ifindex, int queue, String name) throws IOException {
        XdpNative.LibC c = XdpNative.libc();
        int fd = c.socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw XdpNative.failure("socket(AF_XDP)");
        }
        Ring[] rings = new Ring[4];
        int wakeFd = -1;
        try {
            // the frames: page-aligned, registered (the kernel pins them) before any ring
            ByteBuffer memory = ByteBuffer.allocateDirect(FRAMES * FRAME + FRAME).alignedSlice(FRAME);
            ByteBuffer umem = memory.slice(0, FRAMES * FRAME).order(ByteOrder.BIG_ENDIAN);
            ByteBuffer reg = XdpNative.buffer(32);
            reg.putLong(0, XdpNative.address(umem)).putLong(8, (long) FRAMES * FRAME).putInt(16, FRAME).putInt(20, 0);
            setsockopt(c, fd, XDP_UMEM_REG, reg, "XDP_UMEM_REG");
            setsockopt(c, fd, XDP_UMEM_FILL_RING, XdpNative.buffer(4).putInt(0, FILL_RING), "XDP_UMEM_FILL_RING");
            setsockopt(c, fd, XDP_UMEM_COMPLETION_RING, XdpNative.buffer(4).putInt(0, FILL_RING), "XDP_UMEM_COMPLETION_RING");
            setsockopt(c, fd, XDP_RX_RING, XdpNative.buffer(4).putInt(0, RING), "XDP_RX_RING");
            setsockopt(c, fd, XDP_TX_RING, XdpNative.buffer(4).putInt(0, RING), "XDP_TX_RING");
            ByteBuffer offsets = XdpNative.buffer(128 + 8);
            offsets.putInt(128, 128);
            if (c.getsockopt(fd, SOL_XDP, XDP_MMAP_OFFSETS, XdpNative.address(offsets),
                    XdpNative.address(offsets) + 128) != 0) {
                throw XdpNative.failure("getsockopt(XDP_MMAP_OFFSETS)");
            }
            rings[0] = map(c, fd, offsets, 0, RING, DESC, PGOFF_RX, "RX");
            rings[1] = map(c, fd, offsets, 32, RING, DESC, PGOFF_TX, "TX");
            rings[2] = map(c, fd, offsets, 64, FILL_RING, 8, PGOFF_FILL, "fill");
            rings[3] = map(c, fd, offsets, 96, FILL_RING, 8, PGOFF_COMPLETION, "completion");
            // every frame to the fill ring before bind: the kernel receives into them
            Ring fill = rings[2];
            for (int i = 0; i < FRAMES; i++) {
                fill.map.putLong(fill.descriptors + (i & fill.mask) * 8, (long) i * FRAME);
            }
            fill.cached = FRAMES;
            fill.publishProducer(FRAMES);
            ByteBuffer sxdp = XdpNative.buffer(16);
            sxdp.putShort(0, (short) AF_XDP).putShort(2, (short) XDP_COPY).putInt(4, ifindex).putInt(8, queue);
            bind(c, fd, sxdp, name + " queue " + queue);
            wakeFd = c.eventfd(0, EFD_CLOEXEC);
            if (wakeFd < 0) {
                throw XdpNative.failure("eventfd");
            }
            return new XskSocket(c, fd, wakeFd, name + " queue " + queue, umem, rings[0], rings[1], rings[2], rings[3]);
        } catch (IOException | RuntimeException e) {
            for (Ring r : rings) {
                if (r != null) {
                    c.munmap(r.address, r.length);
                }
            }
            if (wakeFd >= 0) {
                c.close(wakeFd);
            }
            c.close(fd);
            throw e;
        }
    }

    /**
     * Binds, waiting up to {@link #BIND_BUSY_MILLIS} while the queue is busy: the kernel lets go of
     * a closed socket's queue in a deferred work item, so a socket opened right after the last one
     * closed (a server restarted in one process) finds it busy for a moment.
     */
    private static void bind(XdpNative.LibC c, int fd, ByteBuffer sxdp, String what) throws IOException {
        long deadline = System.nanoTime() + BIND_BUSY_MILLIS * 1_000_000L;
        while (c.bind(fd, XdpNative.address(sxdp), 16) != 0) {
            if (XdpNative.errno() != XdpNative.EBUSY || System.nanoTime() > deadline) {
                IOException e = XdpNative.failure("bind AF_XDP to " + what);
                throw XdpNative.errno() == XdpNative.EBUSY
                        ? new IOException(e.getMessage() + ": another AF_XDP socket holds the queue", e) : e;
            }
            LockSupport.parkNanos(50_000_000L);
        }
    }

    private static void setsockopt(XdpNative.LibC c, int fd, int option, ByteBuffer value, String what) throws IOException {
        if (c.setsockopt(fd, SOL_XDP, option, XdpNative.address(value), value.capacity()) != 0) {
            throw XdpNative.failure("setsockopt(" + what + ")");
        }
    }

    private static Ring map(XdpNative.LibC c, int fd, ByteBuffer offsets, int at, int entries, int entrySize, long pgoff,
                            String what) throws IOException {
        long length = offsets.getLong(at + 16) + (long) entries * entrySize;
        long address = XdpNative.mmap(length, MAP_SHARED_POPULATE, fd, pgoff);
        if (address == -1) {
            throw XdpNative.failure("mmap of the " + what + " ring (" + length + " bytes at " + Long.toHexString(pgoff) + ")");
        }
        return new Ring(XdpNative.at(address, (int) length), address, length, offsets, at, entries);
    }

    /** The socket's descriptor, for the XDP program's map. */
    int fd() {
        return fd;
    }

    /**
     * Waits up to {@code timeoutMillis} for frames (none when {@code timeoutMillis} is 0), then
     * takes those received, up to {@link #BATCH}: their number (0 on timeout, after
     * {@link #wake}, or on a signal). Frames of the last receive not replied to are
     * {@link #drop dropped} first, and sent frames are given back to the kernel.
     */
    int receive(int timeoutMillis) throws IOException {
        for (int i = 0; i < count; i++) {
            if (received[i] >= 0) {
                drop(i);
            }
        }
        count = 0;
        reclaim();
        if (woken) {
            return 0;
        }
        int available = rx.producer() - rx.cached;
        if (available == 0 && timeoutMillis > 0) {
            await(timeoutMillis);
            available = rx.producer() - rx.cached;
        }
        int n = Math.min(available, BATCH);
        for (int i = 0; i < n; i++) {
            int at = rx.descriptors + ((rx.cached + i) & rx.mask) * DESC;
            received[i] = rx.map.getLong(at);
            lengths[i] = rx.map.getInt(at + 8);
        }
        rx.cached += n;
        rx.publishConsumer(rx.cached);
        count = n;
        return n;
    }

    private void await(int timeoutMillis) throws IOException {
        scratch.putInt(0, fd).putShort(4, (short) POLLIN).putShort(6, (short) 0);
        scratch.putInt(8, wakeFd).putShort(12, (short) POLLIN).putShort(14, (short) 0);
        if (libc.poll(scratchAddress, 2, timeoutMillis) < 0 && XdpNative.errno() != XdpNative.EINTR) {
            throw XdpNative.failure("poll");
        }
    }

    /** The socket's memory (network byte order): frame {@code i} of the last receive starts at {@link #offset}. */
    ByteBuffer memory() {
        return umem;
    }

    /** Where frame {@code i} of the last receive starts in {@link #memory()}. */
    int offset(int i) {
        check(i);
        return (int) received[i];
    }

    /** The length of frame {@code i} of the last receive. */
    int length(int i) {
        check(i);
        return lengths[i];
    }

    /**
     * Queues frame {@code i}'s answer, {@code length} bytes written at {@link #answerOffset(int)}:
     * sent by the next {@link #flush}. False when the TX ring is full (the frame is dropped).
     */
    boolean reply(int i, int length) {
        check(i);
        long frame = received[i] & ~(long) (FRAME - 1);
        received[i] = -1;
        if (tx.cached - tx.consumer() >= RING) {
            giveBack(frame);
            return false;
        }
        int at = tx.descriptors + (tx.cached & tx.mask) * DESC;
        tx.map.putLong(at, frame).putInt(at + 8, length).putInt(at + 12, 0);
        tx.cached++;
        queuedTx++;
        return true;
    }

    /** Where frame {@code i}'s answer is written: the start of its page (room for {@link #FRAME} bytes). */
    int answerOffset(int i) {
        check(i);
        return (int) (received[i] & ~(long) (FRAME - 1));
    }

    /** Gives frame {@code i} back to the kernel unanswered. */
    void drop(int i) {
        check(i);
        if (received[i] >= 0) {
            giveBack(received[i] & ~(long) (FRAME - 1));
            received[i] = -1;
        }
    }

    private void giveBack(long frame) {
        fill.map.putLong(fill.descriptors + (fill.cached & fill.mask) * 8, frame);
        fill.cached++;
        fill.publishProducer(fill.cached);
    }

    /** Moves sent frames from the completion ring back to the fill ring. */
    private void reclaim() {
        int done = completion.producer() - completion.cached;
        if (done == 0) {
            return;
        }
        for (int i = 0; i < done; i++) {
            long frame = completion.map.getLong(completion.descriptors + ((completion.cached + i) & completion.mask) * 8);
            fill.map.putLong(fill.descriptors + ((fill.cached + i) & fill.mask) * 8, frame);
        }
        completion.cached += done;
        completion.publishConsumer(completion.cached);
        fill.cached += done;
        fill.publishProducer(fill.cached);
    }

    /**
     * Publishes the queued answers and kicks the kernel to send them (copy mode sends on a
     * {@code sendto}); a kick the kernel refuses for good is counted in {@link #sendFailures()}.
     * Returns the number published.
     */
    int flush() {
        int n = queuedTx;
        if (n == 0) {
            return 0;
        }
        queuedTx = 0;
        tx.publishProducer(tx.cached);
        for (int k = 0; k < KICKS && tx.consumer() != tx.cached; k++) {
            if (libc.sendto(fd, 0, 0, MSG_DONTWAIT, 0, 0) < 0) {
                int errno = XdpNative.errno();
                if (errno != XdpNative.EAGAIN && errno != XdpNative.EBUSY && errno != XdpNative.ENOBUFS
                        && errno != XdpNative.EINTR) {
                    sendFailures++;
                    break;
                }
            }
        }
        reclaim();
        return n;
    }

    /** Kicks the kernel refused so far. */
    long sendFailures() {
        return sendFailures;
    }

    /**
     * The kernel's counts for this socket: frames dropped (no room, or invalid), RX ring full,
     * fill ring empty, invalid TX descriptors; {0, 0, 0, 0} where it cannot say.
     */
    long[] statistics() {
        ByteBuffer stats = XdpNative.buffer(64 + 8);
        stats.putInt(64, 64);
        if (libc.getsockopt(fd, SOL_XDP, XDP_STATISTICS, XdpNative.address(stats), XdpNative.address(stats) + 64) != 0) {
            return new long[4];
        }
        // struct xdp_statistics {rx_dropped, rx_invalid_descs, tx_invalid_descs, rx_ring_full, rx_fill_ring_empty_descs, ...}
        return new long[]{stats.getLong(0) + stats.getLong(8), stats.getLong(24), stats.getLong(32), stats.getLong(16)};
    }

    @Override
    public String toString() {
        return name;
    }

    private void check(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("frame " + i + " of " + count);
        }
    }

    /** Makes a waiting (or the next) {@link #receive} return 0 at once, for good. Any thread. */
    void wake() {
        woken = true;
        ByteBuffer one = XdpNative.buffer(8).putLong(0, 1);
        libc.write(wakeFd, XdpNative.address(one), 8);
    }

    /** Whether {@link #wake} was called. */
    boolean woken() {
        return woken;
    }

    /** Unmaps the rings and closes the socket: call after the thread using it has stopped. */
    @Override
    public synchronized void close() {
        if (released) {
            return;
        }
        released = true;
        woken = true;
        for (Ring r : new Ring[]{rx, tx, fill, completion}) {
            libc.munmap(r.address, r.length);
        }
        libc.close(wakeFd);
        libc.close(fd);
    }
}
